package dev.pretrain.model.bert;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Converts {@link BertExample}s into the {@link MultiDataSet} consumed by {@link BertModel}'s graph.
 *
 * <p>Features (all float32; {@code b} = batch size, {@code T} = maxPositionEmbeddings, {@code P} = maxPredictionsPerSeq):
 * <ol>
 *   <li>{@code input_ids [b, T]}</li>
 *   <li>{@code segment_ids [b, T]}</li>
 *   <li>{@code input_mask [b, 1, T]}</li>
 *   <li>{@code masked_lm_onehot [b, P, T]}: 1 at {@code [i, p, masked_lm_positions[p]]} where masked_lm_weights[p] &gt; 0,
 *   and at {@code [i, p, 0]} for padding predictions (weight 0; they gather [CLS] and are masked out of the loss)</li>
 * </ol>
 * Labels (float32): {@code masked_lm_ids [b, 1, P]} (class indices, sparse cross-entropy) and
 * {@code next_sentence_labels [b, 2]} one-hot. Label masks: {@code [b, P]} for the MLM output holding
 * {@code masked_lm_weights * b / sum(masked_lm_weights)}, so that DL4J's per-example averaging yields Google
 * BERT's loss (weighted mean over all real masked positions of the batch); for NSP none, or {@code [b, 1]} zeros
 * when the examples have no sentence-pair label ({@code nspLabels} false: NSP loss and gradients are 0).
 * No feature masks are set (the input_mask is an explicit input).
 */
public final class BertBatches {
    private BertBatches() {
    }

    /**
     * The batch with NSP trained on its next_sentence_labels ({@code toMultiDataSet(batch, config, true)}).
     *
     * @throws IllegalArgumentException if the batch is empty, an array has the wrong length, or an id/position is out of range
     */
    public static MultiDataSet toMultiDataSet(List<BertExample> batch, BertConfig config) {
        return toMultiDataSet(batch, config, true);
    }

    /**
     * The batch; with {@code nspLabels} false the NSP output gets an all-zero {@code [b, 1]} label mask, so that its
     * loss and gradients are 0 whatever next_sentence_labels hold.
     *
     * @throws IllegalArgumentException if the batch is empty, an array has the wrong length, or an id/position is out of range
     */
    public static MultiDataSet toMultiDataSet(List<BertExample> batch, BertConfig config, boolean nspLabels) {
        if (batch == null || batch.isEmpty()) throw new IllegalArgumentException("BertBatches: empty batch");
        int b = batch.size();
        int t = config.getMaxPositionEmbeddings();
        int p = config.getMaxPredictionsPerSeq();
        int vocab = config.getVocabSize();
        float[] ids = new float[b * t];
        float[] seg = new float[b * t];
        float[] mask = new float[b * t];
        float[] sel = new float[b * p * t];
        float[] mlmIds = new float[b * p];
        float[] mlmMask = new float[b * p];
        float[] nsp = new float[b * 2];
        double weightSum = 0;
        for (int i = 0; i < b; i++) {
            BertExample e = batch.get(i);
            check(e.inputIds().length == t && e.inputMask().length == t && e.segmentIds().length == t,
                    i, "input_ids/input_mask/segment_ids must have length max_position_embeddings=" + t);
            check(e.maskedLmPositions().length == p && e.maskedLmIds().length == p && e.maskedLmWeights().length == p,
                    i, "masked_lm_positions/ids/weights must have length max_predictions_per_seq=" + p);
            check(e.nextSentenceLabel() == 0 || e.nextSentenceLabel() == 1, i, "next_sentence_label must be 0 or 1");
            for (int j = 0; j < t; j++) {
                int id = e.inputIds()[j];
                check(id >= 0 && id < vocab, i, "input id " + id + " outside vocab of size " + vocab);
                int s = e.segmentIds()[j];
                check(s == 0 || s == 1, i, "segment id must be 0 or 1, got " + s);
                ids[i * t + j] = id;
                seg[i * t + j] = s;
                mask[i * t + j] = e.inputMask()[j] != 0 ? 1f : 0f;
            }
            for (int k = 0; k < p; k++) {
                float w = e.maskedLmWeights()[k];
                if (w <= 0) {
                    // padding prediction: gather [CLS] (position 0) so that no all-zero rows reach the MLM layer
                    // norm (degenerate rows gave NaN gradients); its loss weight stays 0
                    sel[(i * p + k) * t] = 1f;
                    continue;
                }
                int pos = e.maskedLmPositions()[k];
                int id = e.maskedLmIds()[k];
                check(pos >= 0 && pos < t, i, "masked_lm_position " + pos + " outside [0, " + t + ")");
                check(id >= 0 && id < vocab, i, "masked_lm_id " + id + " outside vocab of size " + vocab);
                sel[(i * p + k) * t + pos] = 1f;
                mlmIds[i * p + k] = id;
                mlmMask[i * p + k] = w;
                weightSum += w;
            }
            nsp[i * 2 + e.nextSentenceLabel()] = 1f;
        }
        if (weightSum > 0) {
            float scale = (float) (b / weightSum);
            for (int k = 0; k < mlmMask.length; k++) mlmMask[k] *= scale;
        }
        INDArray[] features = {
                Nd4j.create(ids, new long[]{b, t}, DataType.FLOAT),
                Nd4j.create(seg, new long[]{b, t}, DataType.FLOAT),
                Nd4j.create(mask, new long[]{b, 1, t}, DataType.FLOAT),
                Nd4j.create(sel, new long[]{b, p, t}, DataType.FLOAT)};
        INDArray[] labels = {
                Nd4j.create(mlmIds, new long[]{b, 1, p}, DataType.FLOAT),
                Nd4j.create(nsp, new long[]{b, 2}, DataType.FLOAT)};
        INDArray[] labelMasks = {Nd4j.create(mlmMask, new long[]{b, p}, DataType.FLOAT),
                nspLabels ? null : Nd4j.zeros(DataType.FLOAT, b, 1)};
        return new org.nd4j.linalg.dataset.MultiDataSet(features, labels, null, labelMasks);
    }

    private static void check(boolean ok, int index, String message) {
        if (!ok) throw new IllegalArgumentException("BertBatches: example " + index + " of the batch: " + message);
    }
}
