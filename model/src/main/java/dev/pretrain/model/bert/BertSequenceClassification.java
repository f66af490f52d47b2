package dev.pretrain.model.bert;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
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

    /** A source of training minibatches, one pass per call. */
    @FunctionalInterface
    public interface EpochBatches {
        /**
         * The minibatches of epoch {@code epoch} (0-based), in training order; each list is one step's examples.
         * Called once per epoch, in order; the iterator may stream (it need not hold the epoch in memory).
         */
        Iterator<List<BertExample>> batches(int epoch);
    }

    /**
     * Fine-tunes {@code net} on the minibatches {@code source} gives for epochs {@code 0 .. epochs-1}, one
     * {@code net.fit} step per batch; the only training loop of this class. At most one batch (and whatever the
     * source buffers) is in memory at a time.
     *
     * @return the number of steps taken
     * @throws IllegalArgumentException if {@code epochs < 1}, an epoch gives no batch, or a batch is empty
     */
    public static long fit(ComputationGraph net, EpochBatches source, BertConfig config, int epochs) {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        long steps = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            Iterator<List<BertExample>> it = source.batches(epoch);
            if (!it.hasNext()) throw new IllegalArgumentException("no training examples in epoch " + epoch);
            while (it.hasNext()) {
                List<BertExample> batch = it.next();
                if (batch.isEmpty()) throw new IllegalArgumentException("empty minibatch in epoch " + epoch);
                net.fit(BertBatches.toMultiDataSet(batch, config));
                steps++;
            }
        }
        return steps;
    }

    /**
     * Fine-tunes {@code net} for {@code epochs} passes over {@code train}, each epoch in {@link #epochOrder} (the list
     * itself is not modified), minibatches of {@code batchSize}; {@link #fit(ComputationGraph, EpochBatches,
     * BertConfig, int)} over the list.
     *
     * @throws IllegalArgumentException if {@code train} is empty or {@code batchSize < 1}
     */
    public static void fit(ComputationGraph net, List<BertExample> train, BertConfig config, int batchSize, int epochs,
                           long seed) {
        if (train.isEmpty()) throw new IllegalArgumentException("no training examples");
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        fit(net, epoch -> batches(epochOrder(train, seed, epoch).iterator(), batchSize), config, epochs);
    }

    /**
     * The training order of epoch {@code epoch}: {@code train.get(i)} at place
     * {@code new EpochPermutation(train.size(), seed, epoch).apply(i)}. The finetune stage streams the same order from
     * Spark, computing each example's place on the executors.
     *
     * @throws IllegalArgumentException if {@code train} is empty
     */
    public static <T> List<T> epochOrder(List<T> train, long seed, int epoch) {
        EpochPermutation perm = new EpochPermutation(train.size(), seed, epoch);
        Object[] out = new Object[train.size()];
        for (int i = 0; i < out.length; i++) out[(int) perm.apply(i)] = train.get(i);
        @SuppressWarnings("unchecked")
        List<T> list = (List<T>) Arrays.asList(out);
        return list;
    }

    /**
     * Groups a stream into consecutive lists of {@code batchSize} (the last may be shorter), lazily: it holds one
     * batch at a time.
     *
     * @throws IllegalArgumentException if {@code batchSize < 1}
     */
    public static <T> Iterator<List<T>> batches(Iterator<T> items, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return items.hasNext();
            }

            @Override
            public List<T> next() {
                if (!items.hasNext()) throw new NoSuchElementException();
                List<T> batch = new ArrayList<>(batchSize);
                while (batch.size() < batchSize && items.hasNext()) batch.add(items.next());
                return batch;
            }
        };
    }

    /**
     * Accuracy (fraction of examples whose arg-max class is the label) in inference mode.
     *
     * @throws IllegalArgumentException if {@code examples} is empty or {@code batchSize < 1}
     */
    public static double accuracy(ComputationGraph net, List<BertExample> examples, BertConfig config, int batchSize) {
        return BertEvaluator.evaluate(net, examples, config, batchSize).nspAccuracy();
    }

    /**
     * Accuracy over streamed minibatches (e.g. from {@link #batches}), one forward pass per batch, in inference mode.
     *
     * @throws IllegalArgumentException if there is no example
     */
    public static double accuracy(ComputationGraph net, Iterator<? extends List<BertExample>> batches, BertConfig config) {
        return BertEvaluator.evaluate(net, batches, config, true).nspAccuracy();
    }
}
