package dev.pretrain.model.bert;

import java.util.Iterator;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** Held-out MLM and NSP metrics computed from the graph's softmax outputs (inference mode). */
public final class BertEvaluator {
    private BertEvaluator() {
    }

    /**
     * MLM loss = sum over masked positions of {@code w * -ln p(masked_lm_id)} / sum of {@code w} (nats; Google BERT's
     * {@code masked_lm_loss}), MLM accuracy weighted the same way, NSP loss = mean {@code -ln p(label)}, NSP accuracy.
     *
     * @param batchSize examples per forward pass
     * @throws IllegalArgumentException if {@code examples} is empty or batchSize &lt; 1
     */
    public static BertMetrics evaluate(ComputationGraph model, List<BertExample> examples, BertConfig config, int batchSize) {
        return evaluate(model, examples, config, batchSize, true);
    }

    /**
     * As {@link #evaluate(ComputationGraph, List, BertConfig, int)}; with {@code nspLabels} false (examples without a
     * sentence-pair label, e.g. RoBERTa FULL-SENTENCES) the NSP loss and accuracy are NaN (not measured).
     *
     * @throws IllegalArgumentException if {@code examples} is empty or batchSize &lt; 1
     */
    public static BertMetrics evaluate(ComputationGraph model, List<BertExample> examples, BertConfig config, int batchSize,
                                       boolean nspLabels) {
        if (examples == null || examples.isEmpty()) throw new IllegalArgumentException("BertEvaluator: no examples");
        if (batchSize < 1) throw new IllegalArgumentException("BertEvaluator: batchSize must be >= 1");
        return evaluate(model, BertSequenceClassification.batches(examples.iterator(), batchSize), config, nspLabels);
    }

    /**
     * As {@link #evaluate(ComputationGraph, List, BertConfig, int, boolean)} over streamed minibatches (one forward
     * pass per batch; only the current batch is held), e.g. examples read from Spark with {@code toLocalIterator}.
     *
     * @throws IllegalArgumentException if the batches hold no example
     */
    public static BertMetrics evaluate(ComputationGraph model, Iterator<? extends List<BertExample>> batches,
                                       BertConfig config, boolean nspLabels) {
        double mlmLoss = 0, mlmCorrect = 0, mlmWeight = 0, nspLoss = 0, nspCorrect = 0;
        long n = 0;
        int p = config.getMaxPredictionsPerSeq();
        while (batches.hasNext()) {
            List<BertExample> batch = batches.next();
            if (batch.isEmpty()) continue;
            n += batch.size();
            MultiDataSet mds = BertBatches.toMultiDataSet(batch, config);
            INDArray[] out = model.output(false, mds.getFeatures());
            INDArray mlm = out[0];              // [b, vocab, P]
            INDArray nsp = out[1];              // [b, 2]
            INDArray mlmArg = mlm.argMax(1);    // [b, P]
            for (int i = 0; i < batch.size(); i++) {
                BertExample e = batch.get(i);
                for (int k = 0; k < p; k++) {
                    double w = e.maskedLmWeights()[k];
                    if (w <= 0) continue;
                    int id = e.maskedLmIds()[k];
                    double prob = mlm.getDouble(i, id, k);
                    mlmLoss -= w * Math.log(Math.max(prob, 1e-30));
                    if (mlmArg.getLong(i, k) == id) mlmCorrect += w;
                    mlmWeight += w;
                }
                int label = e.nextSentenceLabel();
                nspLoss -= Math.log(Math.max(nsp.getDouble(i, label), 1e-30));
                int pred = nsp.getDouble(i, 1) > nsp.getDouble(i, 0) ? 1 : 0;
                if (pred == label) nspCorrect += 1;
            }
        }
        if (n == 0) throw new IllegalArgumentException("BertEvaluator: no examples");
        return new BertMetrics(mlmWeight > 0 ? mlmLoss / mlmWeight : Double.NaN,
                mlmWeight > 0 ? mlmCorrect / mlmWeight : Double.NaN, nspLabels ? nspLoss / n : Double.NaN,
                nspLabels ? nspCorrect / n : Double.NaN, n);
    }
}
