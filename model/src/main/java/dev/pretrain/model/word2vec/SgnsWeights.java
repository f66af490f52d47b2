package dev.pretrain.model.word2vec;

import dev.pretrain.model.eval.InMemoryWordEmbeddings;

import java.io.Serializable;
import java.util.List;

/**
 * The two SGNS parameter matrices, each {@code float32 [vocabSize, dim]} stored row-major in one contiguous
 * {@code float[]} (row of word id {@code w} starts at {@code w * dim}):
 * <ul>
 *   <li>{@code syn0}: input ("word") vectors, the embeddings that are exported;</li>
 *   <li>{@code syn1neg}: output ("context") vectors of negative sampling.</li>
 * </ul>
 * The arrays are exposed, not copied: the trainer updates them in place.
 */
public final class SgnsWeights implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int vocabSize;
    private final int dim;
    private final float[] syn0;
    private final float[] syn1neg;

    /**
     * Wraps existing arrays (no copy).
     *
     * @throws IllegalArgumentException if a size is not positive or an array length is not {@code vocabSize * dim}
     */
    public SgnsWeights(int vocabSize, int dim, float[] syn0, float[] syn1neg) {
        checkShape(vocabSize, dim);
        int n = vocabSize * dim;
        if (syn0 == null || syn0.length != n) {
            throw new IllegalArgumentException("syn0 length " + (syn0 == null ? "null" : syn0.length) + " != vocabSize*dim = " + n);
        }
        if (syn1neg == null || syn1neg.length != n) {
            throw new IllegalArgumentException("syn1neg length " + (syn1neg == null ? "null" : syn1neg.length) + " != vocabSize*dim = " + n);
        }
        this.vocabSize = vocabSize;
        this.dim = dim;
        this.syn0 = syn0;
        this.syn1neg = syn1neg;
    }

    static void checkShape(int vocabSize, int dim) {
        if (vocabSize <= 0) throw new IllegalArgumentException("vocabSize must be > 0, got " + vocabSize);
        if (dim <= 0) throw new IllegalArgumentException("dim must be > 0, got " + dim);
        if ((long) vocabSize * dim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("vocabSize*dim = " + (long) vocabSize * dim + " exceeds a Java array");
        }
    }

    /**
     * word2vec C initialisation: every syn0 entry uniform in {@code [-0.5/dim, 0.5/dim)}, syn1neg all zeros.
     * Deterministic for a given seed (word2vec's 48-bit LCG {@code x = x * 25214903917 + 11}, bits 16..39 used).
     */
    public static SgnsWeights initialize(int vocabSize, int dim, long seed) {
        checkShape(vocabSize, dim);
        float[] syn0 = new float[vocabSize * dim];
        long next = SgnsTrainer.mixSeed(seed);
        final float inv = 1f / dim;
        for (int i = 0; i < syn0.length; i++) {
            next = next * SgnsTrainer.LCG_MUL + SgnsTrainer.LCG_ADD;
            float u = (int) ((next >>> 16) & 0xFFFFFF) * (1f / (1 << 24)); // [0, 1)
            syn0[i] = (u - 0.5f) * inv;
        }
        return new SgnsWeights(vocabSize, dim, syn0, new float[vocabSize * dim]);
    }

    public int vocabSize() { return vocabSize; }

    public int dim() { return dim; }

    /** Input vectors {@code [vocabSize, dim]} row-major, live (not a copy). */
    public float[] syn0() { return syn0; }

    /** Output (negative-sampling) vectors {@code [vocabSize, dim]} row-major, live (not a copy). */
    public float[] syn1neg() { return syn1neg; }

    /** Deep copy. */
    public SgnsWeights copy() {
        return new SgnsWeights(vocabSize, dim, syn0.clone(), syn1neg.clone());
    }

    /**
     * The input vectors (syn0, copied) as embeddings named by {@code words} (index = word id, frequency order).
     *
     * @throws IllegalArgumentException if {@code words.size() != vocabSize}
     */
    public InMemoryWordEmbeddings toEmbeddings(List<String> words) {
        if (words.size() != vocabSize) {
            throw new IllegalArgumentException("words.size() " + words.size() + " != vocabSize " + vocabSize);
        }
        return new InMemoryWordEmbeddings(words, syn0.clone(), dim);
    }
}
