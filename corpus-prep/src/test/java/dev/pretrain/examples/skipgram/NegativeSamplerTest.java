package dev.pretrain.examples.skipgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NegativeSamplerTest {

  @Test
  void probabilitiesAreSmoothedUnigram() {
    WordVocab v = WordVocab.build(MobyWords.COUNTS, 5);
    NegativeSampler ns = new NegativeSampler(v.counts(), 0.75);
    double z = 0;
    for (long c : v.counts()) {
      z += Math.pow(c, 0.75);
    }
    double sum = 0;
    for (int id = 0; id < v.size(); id++) {
      assertEquals(Math.pow(v.count(id), 0.75) / z, ns.probability(id), 1e-15);
      sum += ns.probability(id);
    }
    assertEquals(1.0, sum, 1e-9);
    // smoothing: the most frequent word is sampled less often than its unigram share
    assertTrue(ns.probability(0) < (double) v.count(0) / v.totalCount());
  }

  @Test
  void sampleFrequenciesMatchUnigramToThePower075() {
    WordVocab v = WordVocab.build(MobyWords.COUNTS, 5);
    NegativeSampler ns = new NegativeSampler(v.counts(), 0.75);
    int draws = 2_000_000;
    long[] hits = new long[v.size()];
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < draws; i++) {
      hits[ns.sample(rnd)]++;
    }
    for (int id = 0; id < 50; id++) {
      double p = ns.probability(id);
      double sd = Math.sqrt(draws * p * (1 - p));
      assertTrue(Math.abs(hits[id] - draws * p) < 5 * sd, v.word(id) + ": " + hits[id] + " vs " + draws * p);
    }
    // Pearson chi-square over all words (expected counts >= ~60 for the rarest, count-5 words)
    double chi2 = 0;
    for (int id = 0; id < v.size(); id++) {
      double e = draws * ns.probability(id);
      chi2 += (hits[id] - e) * (hits[id] - e) / e;
    }
    int df = v.size() - 1;
    assertTrue(Math.abs(chi2 - df) < 6 * Math.sqrt(2.0 * df), "chi2 " + chi2 + " df " + df);
  }

  @Test
  void zeroCountsAreNeverDrawnAndBadInputIsRejected() {
    NegativeSampler ns = new NegativeSampler(new long[] {0, 5, 0, 1}, 0.75);
    SplittableRandom rnd = new SplittableRandom(1);
    for (int i = 0; i < 10_000; i++) {
      int w = ns.sample(rnd);
      assertTrue(w == 1 || w == 3);
    }
    assertThrows(IllegalArgumentException.class, () -> new NegativeSampler(new long[0], 0.75));
    assertThrows(IllegalArgumentException.class, () -> new NegativeSampler(new long[] {0, 0}, 0.75));
  }
}
