package dev.pretrain.examples.skipgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SubsamplerTest {
  private static final double SAMPLE = 1e-3; // word2vec.c default -sample

  @Test
  void keepProbabilityIsWord2vecFormula() {
    WordVocab v = WordVocab.build(MobyWords.COUNTS, 5);
    Subsampler s = new Subsampler(v.counts(), SAMPLE);
    double threshold = SAMPLE * v.totalCount();
    for (int id = 0; id < v.size(); id++) {
      double f = v.count(id);
      double expected = Math.min(1.0, (Math.sqrt(f / threshold) + 1) * threshold / f);
      assertEquals(expected, s.keepProbability(id), 1e-12);
    }
    // "the" is ~6-7% of Moby-Dick: kept ~14% of the time; rare words always kept
    assertTrue(s.keepProbability(0) > 0.10 && s.keepProbability(0) < 0.18, "p(the)=" + s.keepProbability(0));
    assertEquals(1.0, s.keepProbability(v.size() - 1));
    Subsampler off = new Subsampler(v.counts(), 0);
    assertEquals(1.0, off.keepProbability(0));
  }

  @Test
  void empiricalKeepRateOnMobyDickMatchesFormula() {
    WordVocab v = WordVocab.build(MobyWords.COUNTS, 5);
    Subsampler s = new Subsampler(v.counts(), SAMPLE);
    long[] seen = new long[v.size()];
    long[] kept = new long[v.size()];
    SplittableRandom rnd = new SplittableRandom(42);
    for (List<String> sentence : MobyWords.SENTENCES) {
      for (int id : v.encode(sentence)) {
        seen[id]++;
        if (s.keep(id, rnd)) {
          kept[id]++;
        }
      }
    }
    double expectedTotal = 0;
    double varTotal = 0;
    long keptTotal = 0;
    for (int id = 0; id < v.size(); id++) {
      assertEquals(v.count(id), seen[id]);
      double p = s.keepProbability(id);
      expectedTotal += seen[id] * p;
      varTotal += seen[id] * p * (1 - p);
      keptTotal += kept[id];
      if (id < 30) { // the 30 most frequent words, each seen >= ~1000 times
        double mean = seen[id] * p;
        double sd = Math.sqrt(seen[id] * p * (1 - p));
        assertTrue(Math.abs(kept[id] - mean) < 5 * sd + 1,
            v.word(id) + ": kept " + kept[id] + " of " + seen[id] + ", expected " + mean);
      }
    }
    assertTrue(Math.abs(keptTotal - expectedTotal) < 5 * Math.sqrt(varTotal),
        "kept " + keptTotal + " expected " + expectedTotal);
    // subsampling removes a large share of the corpus
    assertTrue(keptTotal < 0.75 * v.totalCount(), keptTotal + " of " + v.totalCount());
  }
}
