package dev.pretrain.model.word2vec;

import java.io.Serializable;

/**
 * Hyper-parameters of skip-gram with negative sampling (SGNS), named as in word2vec C / gensim.
 *
 * @param dim      vector size ({@code -size}); the length of every syn0 / syn1neg row
 * @param window   maximum context window ({@code -window}); the effective window of each centre word is drawn
 *                 uniformly from {@code [1, window]} (word2vec C's dynamic window)
 * @param negative number of negative samples per (context, centre) pair ({@code -negative}), &gt; 0
 * @param sample   subsampling threshold for frequent words ({@code -sample}); 0 disables subsampling
 * @param alpha    starting learning rate ({@code -alpha})
 * @param minAlpha final learning rate that the linear decay reaches after all epochs
 * @param epochs   passes over the corpus ({@code -iter})
 * @param threads  Hogwild threads inside one JVM ({@code -threads})
 * @param seed     seed of every random choice (initialisation, windows, subsampling, negatives)
 */
public record SgnsConfig(int dim, int window, int negative, double sample, double alpha, double minAlpha,
                         int epochs, int threads, long seed) implements Serializable {

    /** @throws IllegalArgumentException naming the first invalid field */
    public SgnsConfig {
        if (dim <= 0) throw new IllegalArgumentException("dim must be > 0, got " + dim);
        if (window <= 0) throw new IllegalArgumentException("window must be > 0, got " + window);
        if (negative <= 0) throw new IllegalArgumentException("negative must be > 0 (SGNS), got " + negative);
        if (!(sample >= 0) || Double.isInfinite(sample)) throw new IllegalArgumentException("sample must be >= 0, got " + sample);
        if (!(alpha > 0) || Double.isInfinite(alpha)) throw new IllegalArgumentException("alpha must be > 0, got " + alpha);
        if (!(minAlpha >= 0) || minAlpha > alpha) throw new IllegalArgumentException("minAlpha must be in [0, alpha], got " + minAlpha);
        if (epochs <= 0) throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
        if (threads <= 0) throw new IllegalArgumentException("threads must be > 0, got " + threads);
    }

    /**
     * word2vec C / gensim skip-gram defaults: dim 100, window 5, negative 5, sample 1e-4 (gensim: 1e-3),
     * alpha 0.025, minAlpha 0.0001, 5 epochs, 1 thread, seed 1.
     */
    public static SgnsConfig defaults() {
        return new SgnsConfig(100, 5, 5, 1e-4, 0.025, 0.0001, 5, 1, 1L);
    }

    public SgnsConfig withDim(int d) { return new SgnsConfig(d, window, negative, sample, alpha, minAlpha, epochs, threads, seed); }
    public SgnsConfig withEpochs(int e) { return new SgnsConfig(dim, window, negative, sample, alpha, minAlpha, e, threads, seed); }
    public SgnsConfig withThreads(int t) { return new SgnsConfig(dim, window, negative, sample, alpha, minAlpha, epochs, t, seed); }
    public SgnsConfig withSeed(long s) { return new SgnsConfig(dim, window, negative, sample, alpha, minAlpha, epochs, threads, s); }
    public SgnsConfig withSample(double s) { return new SgnsConfig(dim, window, negative, s, alpha, minAlpha, epochs, threads, seed); }
}
