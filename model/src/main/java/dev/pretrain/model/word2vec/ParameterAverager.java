package dev.pretrain.model.word2vec;

import java.io.Serializable;

/**
 * Weighted average of {@link SgnsWeights} copies (parameter averaging, e.g. weighted by words trained per Spark
 * partition), mergeable so that it can be the accumulator of Spark {@code treeAggregate}: {@code add} is the
 * seqOp, {@code merge} the combOp. Both mutate and return {@code this}.
 *
 * <p>Internally it keeps the running weighted <em>mean</em> (float32, same shape as the weights) and the total
 * weight, updated as {@code mean += (x - mean) * w / (W + w)}; this is algebraically the weighted sum divided
 * by the total, without overflow. The arrays are allocated on the first non-zero add, so an empty averager
 * (a {@code treeAggregate} zero value) serializes to a few bytes.
 *
 * <p>{@link ParameterAveragedSgns} no longer ships whole copies: its {@link RowBlockExchange} merges only the rows
 * the workers changed, with this class's float operations in the same order (bit for bit equal to averagers of the
 * full copies merged by a binary tree over partition indices); this class is the dense reference it is tested
 * against.
 */
public final class ParameterAverager implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int vocabSize;
    private final int dim;
    private long totalWeight;
    private float[] mean0;
    private float[] mean1;

    /** @throws IllegalArgumentException on a non-positive size */
    public ParameterAverager(int vocabSize, int dim) {
        SgnsWeights.checkShape(vocabSize, dim);
        this.vocabSize = vocabSize;
        this.dim = dim;
    }

    /**
     * Adds {@code w} with {@code weight} (e.g. words it was trained on). Weight 0 is ignored.
     *
     * @throws IllegalArgumentException if the shape differs or {@code weight < 0}
     */
    public ParameterAverager add(SgnsWeights w, long weight) {
        if (w.vocabSize() != vocabSize || w.dim() != dim) {
            throw new IllegalArgumentException("weights shape [" + w.vocabSize() + ", " + w.dim()
                    + "] != averager shape [" + vocabSize + ", " + dim + "]");
        }
        if (weight < 0) throw new IllegalArgumentException("weight must be >= 0, got " + weight);
        if (weight == 0) return this;
        combine(w.syn0(), w.syn1neg(), weight);
        return this;
    }

    /**
     * Adds everything {@code other} holds (as if its adds were made here).
     *
     * @throws IllegalArgumentException if the shapes differ
     */
    public ParameterAverager merge(ParameterAverager other) {
        if (other.vocabSize != vocabSize || other.dim != dim) {
            throw new IllegalArgumentException("averager shape [" + other.vocabSize + ", " + other.dim
                    + "] != [" + vocabSize + ", " + dim + "]");
        }
        if (other == this) {
            totalWeight = Math.addExact(totalWeight, totalWeight); // mean unchanged
            return this;
        }
        if (other.totalWeight == 0) return this;
        combine(other.mean0, other.mean1, other.totalWeight);
        return this;
    }

    private void combine(float[] x0, float[] x1, long weight) {
        long newTotal = Math.addExact(totalWeight, weight);
        if (mean0 == null) {
            mean0 = x0.clone();
            mean1 = x1.clone();
        } else {
            final float f = (float) ((double) weight / (double) newTotal);
            axpyToward(mean0, x0, f);
            axpyToward(mean1, x1, f);
        }
        totalWeight = newTotal;
    }

    private static void axpyToward(float[] mean, float[] x, float f) {
        for (int i = 0; i < mean.length; i++) {
            mean[i] += (x[i] - mean[i]) * f;
        }
    }

    /**
     * The weighted average as new weights (copies).
     *
     * @throws IllegalStateException if nothing with a positive weight was added
     */
    public SgnsWeights average() {
        if (totalWeight == 0) throw new IllegalStateException("cannot average: total weight is 0 (nothing was added)");
        return new SgnsWeights(vocabSize, dim, mean0.clone(), mean1.clone());
    }

    /** Sum of the weights added so far. */
    public long totalWeight() { return totalWeight; }
}
