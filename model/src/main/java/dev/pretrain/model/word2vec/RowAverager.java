package dev.pretrain.model.word2vec;

import java.io.Serializable;

/**
 * Per-row average of the workers' SGNS weights over the workers that changed the row, as Spark MLlib's Word2Vec
 * aggregates its partitions (each word's vector is divided by the number of partitions that modified it):
 * a row that one worker updated gets exactly that worker's row; a row that {@code j} workers updated gets the
 * mean of their rows; a row nobody touched keeps its value. Mergeable, so it can be the value of Spark
 * {@code treeReduce}: {@link #add} is the per-worker step, {@link #merge} the combination; both mutate and
 * return {@code this}.
 *
 * <p>Not used by {@link ParameterAveragedSgns#train} (measured on IMDB, 1 epoch, 16 rounds: analogy 5.3% at 2
 * partitions, 1.4% at 4, against 11.3% at 1: frequent words train k times slower); kept as the MLlib-compatible
 * alternative and for experiments.
 */
public final class RowAverager implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int vocabSize;
    private final int dim;
    private float[] sum0;
    private float[] sum1;
    private int[] n0;
    private int[] n1;
    private long words;

    /** @throws IllegalArgumentException on a non-positive size */
    public RowAverager(int vocabSize, int dim) {
        SgnsWeights.checkShape(vocabSize, dim);
        this.vocabSize = vocabSize;
        this.dim = dim;
    }

    private void allocate() {
        if (sum0 == null) {
            sum0 = new float[vocabSize * dim];
            sum1 = new float[vocabSize * dim];
            n0 = new int[vocabSize];
            n1 = new int[vocabSize];
        }
    }

    private void check(SgnsWeights w) {
        if (w.vocabSize() != vocabSize || w.dim() != dim) {
            throw new IllegalArgumentException("weights shape [" + w.vocabSize() + ", " + w.dim()
                    + "] != averager shape [" + vocabSize + ", " + dim + "]");
        }
    }

    /**
     * Adds one worker's result {@code after}, trained from {@code before}, that trained {@code words} words.
     *
     * @throws IllegalArgumentException if a shape differs or {@code words < 0}
     */
    public RowAverager add(SgnsWeights before, SgnsWeights after, long words) {
        check(before);
        check(after);
        if (words < 0) throw new IllegalArgumentException("words must be >= 0, got " + words);
        this.words = Math.addExact(this.words, words);
        allocate();
        addRows(before.syn0(), after.syn0(), sum0, n0);
        addRows(before.syn1neg(), after.syn1neg(), sum1, n1);
        return this;
    }

    private void addRows(float[] before, float[] after, float[] sum, int[] n) {
        for (int r = 0, o = 0; r < vocabSize; r++, o += dim) {
            boolean changed = false;
            for (int k = 0; k < dim; k++) {
                if (before[o + k] != after[o + k]) {
                    changed = true;
                    break;
                }
            }
            if (!changed) continue;
            n[r]++;
            for (int k = 0; k < dim; k++) sum[o + k] += after[o + k];
        }
    }

    /**
     * Adds everything {@code other} holds.
     *
     * @throws IllegalArgumentException if the shapes differ or {@code other == this}
     */
    public RowAverager merge(RowAverager other) {
        if (other.vocabSize != vocabSize || other.dim != dim) {
            throw new IllegalArgumentException("averager shape [" + other.vocabSize + ", " + other.dim
                    + "] != [" + vocabSize + ", " + dim + "]");
        }
        if (other == this) throw new IllegalArgumentException("cannot merge an averager with itself");
        words = Math.addExact(words, other.words);
        if (other.sum0 == null) return this;
        allocate();
        for (int i = 0; i < sum0.length; i++) {
            sum0[i] += other.sum0[i];
            sum1[i] += other.sum1[i];
        }
        for (int r = 0; r < vocabSize; r++) {
            n0[r] += other.n0[r];
            n1[r] += other.n1[r];
        }
        return this;
    }

    /** Words trained by the added workers. */
    public long words() { return words; }

    /**
     * New weights: each row the mean of the workers' rows that changed it, else {@code before}'s row
     * (a row changed by one worker is copied bit for bit).
     *
     * @throws IllegalArgumentException if the shape differs
     */
    public SgnsWeights apply(SgnsWeights before) {
        check(before);
        float[] w0 = before.syn0().clone();
        float[] w1 = before.syn1neg().clone();
        if (sum0 != null) {
            applyRows(w0, sum0, n0);
            applyRows(w1, sum1, n1);
        }
        return new SgnsWeights(vocabSize, dim, w0, w1);
    }

    private void applyRows(float[] w, float[] sum, int[] n) {
        for (int r = 0, o = 0; r < vocabSize; r++, o += dim) {
            if (n[r] == 0) continue;
            if (n[r] == 1) {
                System.arraycopy(sum, o, w, o, dim);
            } else {
                float inv = 1f / n[r];
                for (int k = 0; k < dim; k++) w[o + k] = sum[o + k] * inv;
            }
        }
    }
}
