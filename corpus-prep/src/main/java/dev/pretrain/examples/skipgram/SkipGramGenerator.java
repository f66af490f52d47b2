package dev.pretrain.examples.skipgram;

import java.io.Serializable;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Generates skip-gram (centre, context, negatives) examples with the sampling of word2vec.c
 * (Mikolov et al. 2013):
 * <ol>
 *   <li>the sentence is subsampled first ({@link Subsampler}); dropped words vanish, so the window
 *       reaches over them, as in word2vec.c;</li>
 *   <li>for every centre position a reduced window {@code b} is drawn uniformly from
 *       {@code [1, window]} (word2vec.c: {@code b = rand % window}, span {@code window - b}), so a
 *       context at distance {@code d} is used with probability {@code (window - d + 1) / window};</li>
 *   <li>every context within distance {@code b} (not the centre position itself) gives one example
 *       with {@code negatives} words from {@link NegativeSampler}.</li>
 * </ol>
 * A negative equal to the positive context word is redrawn, so every example has exactly
 * {@code negatives} negatives. (word2vec.c instead skips that update, using one fewer negative; its
 * skip-gram loop also feeds the context word's input vector and predicts the centre word, the mirror
 * image of the pairs emitted here, which the symmetric window makes equivalent in distribution.)
 * Immutable, thread-safe (the caller owns the random generator), serializable.
 */
public final class SkipGramGenerator implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int MAX_REDRAWS = 1000;

  private final int window;
  private final int negatives;
  private final Subsampler subsampler;
  private final NegativeSampler sampler;

  /**
   * @param window     maximal window radius (word2vec {@code -window}, default 5), {@code >= 1}
   * @param negatives  negatives per example (word2vec {@code -negative}, default 5), {@code >= 0}
   * @param subsampler frequent-word subsampling; null disables it
   * @param sampler    negative distribution; may be null only when {@code negatives == 0}
   */
  public SkipGramGenerator(int window, int negatives, Subsampler subsampler, NegativeSampler sampler) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be >= 1, got " + window);
    }
    if (negatives < 0) {
      throw new IllegalArgumentException("negatives must be >= 0, got " + negatives);
    }
    if (negatives > 0) {
      Objects.requireNonNull(sampler, "sampler (needed for negatives > 0)");
      if (sampler.size() < 2) {
        throw new IllegalArgumentException("negative sampling needs a vocabulary of >= 2 words, got "
            + sampler.size());
      }
    }
    this.window = window;
    this.negatives = negatives;
    this.subsampler = subsampler;
    this.sampler = sampler;
  }

  /**
   * @param sentence word ids of one sentence (not modified)
   * @param rnd      the caller's seeded generator (e.g. {@code new SplittableRandom(Seeds.of(seed, docId, epoch))})
   * @param out      receives the examples in order (centre position, then context position)
   */
  public void generate(int[] sentence, SplittableRandom rnd, Consumer<SkipGramPair> out) {
    int[] sen = new int[sentence.length];
    int n = 0;
    for (int w : sentence) {
      if (subsampler == null || subsampler.keep(w, rnd)) {
        sen[n++] = w;
      }
    }
    for (int i = 0; i < n; i++) {
      int b = 1 + rnd.nextInt(window);
      int from = Math.max(0, i - b);
      int to = Math.min(n - 1, i + b);
      for (int j = from; j <= to; j++) {
        if (j == i) {
          continue;
        }
        int context = sen[j];
        out.accept(new SkipGramPair(sen[i], context, drawNegatives(context, rnd)));
      }
    }
  }

  private int[] drawNegatives(int context, SplittableRandom rnd) {
    int[] neg = new int[negatives];
    for (int k = 0; k < negatives; k++) {
      int w = sampler.sample(rnd);
      for (int t = 0; w == context; t++) {
        if (t == MAX_REDRAWS) {
          throw new IllegalStateException("cannot draw a negative different from word " + context
              + " (P=" + sampler.probability(context) + ")");
        }
        w = sampler.sample(rnd);
      }
      neg[k] = w;
    }
    return neg;
  }
}
