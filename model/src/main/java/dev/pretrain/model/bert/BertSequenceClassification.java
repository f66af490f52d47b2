package dev.pretrain.model.bert;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Sequence classification fine-tuning of a pretrained BERT encoder (Devlin et al. 2019, section 4.1; Google BERT's
 * {@code run_classifier.py}): the input is {@code [CLS] tokens [SEP]} (segment 0), the prediction is a softmax layer
 * on the pooled {@code [CLS]} (tanh dense "pooler"), and every parameter is trained with Adam, linear warm-up and
 * linear decay. Binary tasks (SST-2, IMDB sentiment) only.
 *
 * <p>It reuses {@link BertModel}'s graph: the NSP head <em>is</em> the 2-way classification head (pooler, then a
 * {@code [hidden, 2]} softmax layer, as HuggingFace's {@code BertForSequenceClassification}), re-initialised before
 * fine-tuning, and the MLM head gets no masked positions, so its loss weight is 0 and it does not train. The
 * classification graph uses one MLM prediction slot ({@code max_predictions_per_seq = 1}) to keep that head's
 * unused forward pass cheap. Dropout is not applied (as in {@link BertModel}).
 *
 * <p>Examples are {@link BertExample}s whose {@code next_sentence_label} is the class label (0 or 1) and whose
 * masked-LM weights are all 0 ({@link #example}).
 */
public final class BertSequenceClassification {
    /** Layer of {@link BertModel}'s graph that serves as the classification head. */
    public static final String HEAD = "nsp";

    private BertSequenceClassification() {
    }

    /**
     * The classification config of a pretraining config: same encoder, {@code maxSeqLength} positions (at most the
     * pretrained ones), one MLM prediction slot.
     *
     * @throws IllegalArgumentException if {@code maxSeqLength} is &lt; 3 or above the pretrained positions
     */
    public static BertConfig classificationConfig(BertConfig pretraining, int maxSeqLength) {
        if (maxSeqLength < 3 || maxSeqLength > pretraining.getMaxPositionEmbeddings()) {
            throw new IllegalArgumentException("maxSeqLength must be in [3, " + pretraining.getMaxPositionEmbeddings()
                    + "] (the pretrained positions), got " + maxSeqLength);
        }
        return pretraining.withSequence(maxSeqLength, 1);
    }

    /**
     * One classification example: {@code [CLS] tokens [SEP]}, tokens truncated to {@code maxSeqLength - 2}, padded
     * with 0 ({@code [PAD]}); segment ids 0; no masked-LM predictions.
     *
     * @param tokenIds WordPiece ids of the text, without special tokens
     * @param label    class, 0 or 1
     * @param config   classification config (its {@code maxPositionEmbeddings} is the sequence length)
     * @throws IllegalArgumentException if the label is not 0 or 1
     */
    public static BertExample example(int[] tokenIds, int label, BertConfig config, int clsId, int sepId) {
        if (label != 0 && label != 1) throw new IllegalArgumentException("label must be 0 or 1, got " + label);
        int t = config.getMaxPositionEmbeddings();
        int n = Math.min(tokenIds.length, t - 2);
        int[] ids = new int[t];
        int[] mask = new int[t];
        ids[0] = clsId;
        System.arraycopy(tokenIds, 0, ids, 1, n);
        ids[n + 1] = sepId;
        for (int i = 0; i < n + 2; i++) mask[i] = 1;
        int p = config.getMaxPredictionsPerSeq();
        return new BertExample(ids, mask, new int[t], new int[p], new int[p], new float[p], label);
    }

    /**
     * A classification graph for {@code config}, Adam with warm-up and linear decay to 0 at {@code totalSteps}.
     * With {@code pretrained} non-null every parameter except the {@link #HEAD}'s is copied from it (position
     * embeddings: the first {@code maxPositionEmbeddings} positions); otherwise all parameters keep their random
     * initialisation (seeded by {@code config.getSeed()}), the baseline of the same budget.
     *
     * @param pretrained a {@link BertModel} graph of the same encoder (hidden size, layers, heads, vocab), or null
     * @throws IllegalArgumentException if a pretrained parameter's shape does not fit
     */
    public static ComputationGraph initialize(ComputationGraph pretrained, BertConfig config, BertTrainingConfig training,
                                              int totalSteps) {
        ComputationGraph net = BertModel.build(config, training, totalSteps);
        if (pretrained == null) return net;
        Map<String, INDArray> from = pretrained.paramTable();
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            String key = e.getKey();
            if (key.startsWith(HEAD + "_")) continue;
            INDArray src = from.get(key);
            if (src == null) throw new IllegalArgumentException("pretrained model has no parameter " + key);
            INDArray dst = e.getValue();
            if (java.util.Arrays.equals(src.shape(), dst.shape())) {
                dst.assign(src);
            } else if (key.equals("embeddings_pos") && src.rank() == 3 && src.size(0) == dst.size(0)
                    && src.size(1) == dst.size(1) && src.size(2) >= dst.size(2)) {
                dst.assign(src.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, dst.size(2))));
            } else {
                throw new IllegalArgumentException("pretrained parameter " + key + " has shape "
                        + java.util.Arrays.toString(src.shape()) + ", the classifier needs "
                        + java.util.Arrays.toString(dst.shape()));
            }
        }
        return net;
    }

    /** Minibatch steps of {@link #fit} for {@code examples} examples. */
    public static int steps(int examples, int batchSize, int epochs) {
        return ((examples + batchSize - 1) / batchSize) * epochs;
    }

    /**
     * Fine-tunes {@code net} for {@code epochs} passes over {@code train}, shuffled each epoch with a {@link Random}
     * seeded by {@code seed} (the list itself is not modified), minibatches of {@code batchSize}.
     *
     * @throws IllegalArgumentException if {@code train} is empty or {@code batchSize < 1}
     */
    public static void fit(ComputationGraph net, List<BertExample> train, BertConfig config, int batchSize, int epochs,
                           long seed) {
        if (train.isEmpty()) throw new IllegalArgumentException("no training examples");
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        Random random = new Random(seed);
        List<BertExample> order = new ArrayList<>(train);
        for (int epoch = 0; epoch < epochs; epoch++) {
            Collections.shuffle(order, random);
            for (int start = 0; start < order.size(); start += batchSize) {
                net.fit(BertBatches.toMultiDataSet(order.subList(start, Math.min(order.size(), start + batchSize)), config));
            }
        }
    }

    /**
     * Accuracy (fraction of examples whose arg-max class is the label) in inference mode.
     *
     * @throws IllegalArgumentException if {@code examples} is empty or {@code batchSize < 1}
     */
    public static double accuracy(ComputationGraph net, List<BertExample> examples, BertConfig config, int batchSize) {
        return BertEvaluator.evaluate(net, examples, config, batchSize).nspAccuracy();
    }
}
