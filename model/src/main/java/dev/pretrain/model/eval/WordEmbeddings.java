package dev.pretrain.model.eval;

/**
 * A vocabulary of words with one {@code float32 [dim]} vector each. Index order is frequency order (most frequent
 * first), as in word2vec output files; evaluators that restrict the vocabulary take a prefix.
 */
public interface WordEmbeddings {
    /** Vector length. */
    int dim();

    /** Number of words. */
    int size();

    /** The word at index {@code i} (frequency order). */
    String word(int i);

    /** Index of the exact (case-sensitive) word, or -1 if absent. */
    int indexOf(String word);

    /** The vector of word {@code i}, {@code float[dim]}; callers must not rely on being able to modify it. */
    float[] vector(int i);
}
