package dev.pretrain.examples.skipgram;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Frequent-word subsampling with the formula of word2vec.c (Mikolov et al. 2013): a word with count
 * {@code f} out of {@code total} retained words is kept with probability
 * {@code min(1, (sqrt(f / (sample*total)) + 1) * (sample*total) / f)}. (The paper's
 * {@code 1 - sqrt(t/f)} is a different, older form; word2vec.c's is used here.) word2vec.c's
 * default {@code -sample} is {@code 1e-3}; {@code sample <= 0} keeps every word.
 * Immutable, thread-safe, serializable.
 */
public final class Subsampler implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double[] keep;

  /**
   * @param counts counts indexed by word id (e.g. {@link WordVocab#counts()})
   * @param sample the threshold {@code t}; {@code <= 0} disables subsampling
   */
  public Subsampler(long[] counts, double sample) {
    long total = 0;
    for (long c : counts) {
      if (c < 0) {
        throw new IllegalArgumentException("negative count " + c);
      }
      total += c;
    }
    keep = new double[counts.length];
    double st = sample * total;
    for (int i = 0; i < counts.length; i++) {
      if (sample <= 0 || counts[i] == 0) {
        keep[i] = 1.0;
      } else {
        double f = counts[i];
        keep[i] = Math.min(1.0, (Math.sqrt(f / st) + 1) * st / f);
      }
    }
  }

  /** The keep probability of {@code wordId}, in (0, 1]. */
  public double keepProbability(int wordId) {
    return keep[wordId];
  }

  /** One Bernoulli draw: true with probability {@link #keepProbability(int)}. */
  public boolean keep(int wordId, SplittableRandom rnd) {
    double p = keep[wordId];
    return p >= 1.0 || rnd.nextDouble() < p;
  }
}
