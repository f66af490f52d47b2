package dev.pretrain.examples.skipgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pretrain.examples.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SkipGramGeneratorTest {
  private static final int WINDOW = 5;

  @Test
  void reducedWindowIsUniformOnMobyDick() {
    // Ids are replaced by sentence positions so the distance of every emitted pair is observable.
    WordVocab v = WordVocab.build(MobyWords.COUNTS, 1);
    SkipGramGenerator gen = new SkipGramGenerator(WINDOW, 0, null, null);
    long[] observed = new long[WINDOW + 1];
    double[] expected = new double[WINDOW + 1];
    double[] variance = new double[WINDOW + 1];
    SplittableRandom rnd = new SplittableRandom(11);
    for (List<String> s : MobyWords.SENTENCES) {
      int n = v.encode(s).length;
      int[] positions = new int[n];
      for (int i = 0; i < n; i++) {
        positions[i] = i;
      }
      gen.generate(positions, rnd, p -> {
        int d = Math.abs(p.center() - p.context());
        assertTrue(d >= 1 && d <= WINDOW);
        observed[d]++;
      });
      for (int i = 0; i < n; i++) {
        for (int d = 1; d <= WINDOW; d++) {
          int sides = (i - d >= 0 ? 1 : 0) + (i + d < n ? 1 : 0);
          double q = (WINDOW - d + 1) / (double) WINDOW; // P(b >= d), b uniform in [1, WINDOW]
          expected[d] += sides * q;
          variance[d] += sides * sides * q * (1 - q);
        }
      }
    }
    for (int d = 1; d <= WINDOW; d++) {
      double sd = Math.sqrt(variance[d]);
      assertTrue(Math.abs(observed[d] - expected[d]) <= 5 * sd + 1e-6, // distance 1 is deterministic (sd 0)
          "distance " + d + ": observed " + observed[d] + " expected " + expected[d] + " sd " + sd);
    }
  }

  @Test
  void negativesHaveFixedCountAndNeverEqualTheContext() {
    WordVocab v = WordVocab.build(MobyWords.COUNTS, 5);
    NegativeSampler ns = new NegativeSampler(v.counts(), 0.75);
    SkipGramGenerator gen = new SkipGramGenerator(WINDOW, 5, new Subsampler(v.counts(), 1e-3), ns);
    long[] pairs = {0, 0};
    for (int k = 0; k < 2000; k++) {
      int[] sentence = v.encode(MobyWords.SENTENCES.get(k));
      gen.generate(sentence, new SplittableRandom(Seeds.of(1, "s" + k, 0)), p -> {
        assertEquals(5, p.negatives().length);
        for (int neg : p.negatives()) {
          assertTrue(neg != p.context() && neg >= 0 && neg < v.size());
        }
        pairs[0]++;
        if (p.center() == 0 || p.context() == 0) {
          pairs[1]++;
        }
      });
    }
    assertTrue(pairs[0] > 10_000, "pairs " + pairs[0]);
    // "the" (~7% of tokens) survives subsampling ~14% of the time, so it is in far fewer than 14% of pairs
    assertTrue(pairs[1] < 0.05 * pairs[0], pairs[1] + " of " + pairs[0]);
  }

  @Test
  void sameSeedSameExamples() {
    WordVocab v = WordVocab.build(MobyWords.COUNTS, 5);
    SkipGramGenerator gen = new SkipGramGenerator(WINDOW, 3, new Subsampler(v.counts(), 1e-3),
        new NegativeSampler(v.counts(), 0.75));
    int[] sentence = v.encode(MobyWords.SENTENCES.get(5));
    List<SkipGramPair> a = new ArrayList<>();
    List<SkipGramPair> b = new ArrayList<>();
    gen.generate(sentence, new SplittableRandom(Seeds.of(3, "doc", 0)), a::add);
    gen.generate(sentence, new SplittableRandom(Seeds.of(3, "doc", 0)), b::add);
    assertEquals(a, b);
    assertTrue(!a.isEmpty());
    assertThrows(IllegalArgumentException.class, () -> new SkipGramGenerator(0, 1, null, null));
    assertThrows(NullPointerException.class, () -> new SkipGramGenerator(5, 1, null, null));
  }
}
