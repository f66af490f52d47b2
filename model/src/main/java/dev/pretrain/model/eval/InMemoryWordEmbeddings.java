package dev.pretrain.model.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Embeddings held in one row-major {@code float32 [size, dim]} array. If a word occurs twice, {@link #indexOf}
 * returns its first (most frequent) index.
 */
public final class InMemoryWordEmbeddings implements WordEmbeddings, Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> words;
    private final float[] vectors;
    private final int dim;
    private transient Map<String, Integer> index;

    /**
     * @param words          words in frequency order
     * @param rowMajorVectors {@code [words.size(), dim]} row-major (not copied)
     * @param dim            vector length, &gt; 0
     * @throws IllegalArgumentException if a word is null or the array length is not {@code words.size() * dim}
     */
    public InMemoryWordEmbeddings(List<String> words, float[] rowMajorVectors, int dim) {
        if (dim <= 0) throw new IllegalArgumentException("dim must be > 0, got " + dim);
        if (words == null || rowMajorVectors == null) throw new IllegalArgumentException("words and vectors must not be null");
        if ((long) words.size() * dim != rowMajorVectors.length) {
            throw new IllegalArgumentException("vectors length " + rowMajorVectors.length + " != words.size()*dim = "
                    + (long) words.size() * dim);
        }
        List<String> copy = new ArrayList<>(words);
        for (int i = 0; i < copy.size(); i++) {
            if (copy.get(i) == null) throw new IllegalArgumentException("word " + i + " is null");
        }
        this.words = Collections.unmodifiableList(copy);
        this.vectors = rowMajorVectors;
        this.dim = dim;
    }

    private Map<String, Integer> index() {
        Map<String, Integer> m = index;
        if (m == null) {
            m = new HashMap<>(words.size() * 2);
            for (int i = 0; i < words.size(); i++) m.putIfAbsent(words.get(i), i);
            index = m;
        }
        return m;
    }

    @Override public int dim() { return dim; }

    @Override public int size() { return words.size(); }

    @Override public String word(int i) { return words.get(i); }

    @Override public int indexOf(String word) {
        Integer i = index().get(word);
        return i == null ? -1 : i;
    }

    /** A copy of row {@code i}. */
    @Override public float[] vector(int i) {
        if (i < 0 || i >= words.size()) throw new IndexOutOfBoundsException("index " + i + " not in [0, " + words.size() + ")");
        return Arrays.copyOfRange(vectors, i * dim, (i + 1) * dim);
    }

    /** The words in index order (unmodifiable). */
    public List<String> words() { return words; }

    /** The backing {@code [size, dim]} row-major array (live, not a copy). */
    public float[] matrix() { return vectors; }

    /** Copies any embeddings into memory. */
    public static InMemoryWordEmbeddings copyOf(WordEmbeddings emb) {
        if (emb instanceof InMemoryWordEmbeddings m) return m;
        List<String> w = new ArrayList<>(emb.size());
        float[] v = new float[emb.size() * emb.dim()];
        for (int i = 0; i < emb.size(); i++) {
            w.add(emb.word(i));
            System.arraycopy(emb.vector(i), 0, v, i * emb.dim(), emb.dim());
        }
        return new InMemoryWordEmbeddings(w, v, emb.dim());
    }
}
