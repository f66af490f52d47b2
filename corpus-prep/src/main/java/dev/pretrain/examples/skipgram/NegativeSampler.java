package dev.pretrain.examples.skipgram;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Draws negative-sampling words from the smoothed unigram distribution {@code P(w) = c(w)^power / Z}
 * (Mikolov et al. 2013, {@code power = 0.75}).
 *
 * <p>word2vec.c fills a table of {@code 1e8} ints with word ids in proportion to {@code c^0.75} and
 * picks a random slot, which rounds every probability to a multiple of {@code 1e-8} (rare words get
 * at least one slot, i.e. are slightly over-sampled). This class uses Walker's alias method (Vose's
 * construction) instead: O(1) per draw, O(V) memory, and exact probabilities up to double precision.
 * Immutable, thread-safe, serializable.
 */
public final class NegativeSampler implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double[] prob;   // normalized P(w)
  private final double[] accept; // alias-table acceptance threshold per slot
  private final int[] alias;

  /**
   * @param counts counts indexed by word id; at least one must be positive
   * @param power  the smoothing exponent (0.75 in word2vec)
   * @throws IllegalArgumentException if the counts are empty, negative or all zero
   */
  public NegativeSampler(long[] counts, double power) {
    int n = counts.length;
    if (n == 0) {
      throw new IllegalArgumentException("empty vocabulary: no negative-sampling distribution");
    }
    prob = new double[n];
    double z = 0;
    for (int i = 0; i < n; i++) {
      if (counts[i] < 0) {
        throw new IllegalArgumentException("negative count " + counts[i] + " for id " + i);
      }
      prob[i] = counts[i] == 0 ? 0.0 : Math.pow(counts[i], power);
      z += prob[i];
    }
    if (!(z > 0)) {
      throw new IllegalArgumentException("all counts are zero");
    }
    for (int i = 0; i < n; i++) {
      prob[i] /= z;
    }
    accept = new double[n];
    alias = new int[n];
    double[] scaled = new double[n];
    int[] small = new int[n];
    int[] large = new int[n];
    int ns = 0;
    int nl = 0;
    for (int i = 0; i < n; i++) {
      scaled[i] = prob[i] * n;
      if (scaled[i] < 1.0) {
        small[ns++] = i;
      } else {
        large[nl++] = i;
      }
    }
    while (ns > 0 && nl > 0) {
      int s = small[--ns];
      int l = large[--nl];
      accept[s] = scaled[s];
      alias[s] = l;
      scaled[l] = (scaled[l] + scaled[s]) - 1.0;
      if (scaled[l] < 1.0) {
        small[ns++] = l;
      } else {
        large[nl++] = l;
      }
    }
    while (nl > 0) {
      int l = large[--nl];
      accept[l] = 1.0;
      alias[l] = l;
    }
    while (ns > 0) { // only from rounding error
      int s = small[--ns];
      accept[s] = 1.0;
      alias[s] = s;
    }
  }

  public int size() {
    return prob.length;
  }

  /** One word id drawn from {@code c^power / Z}. */
  public int sample(SplittableRandom rnd) {
    int slot = rnd.nextInt(prob.length);
    return rnd.nextDouble() < accept[slot] ? slot : alias[slot];
  }

  /** The exact probability of {@code wordId} under {@code c^power / Z}. */
  public double probability(int wordId) {
    return prob[wordId];
  }
}
