package dev.pretrain.corpus.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShinglesAndShardsTest {
  @Test
  void shinglesAreWordFiveGramsCaseInsensitive() {
    int[] a = Shingles.hashed(List.of("The quick brown fox jumps over", "the lazy dog."), 5, 1 << 20);
    // 9 words -> 5 five-grams
    assertEquals(5, a.length);
    assertArrayEquals(a, Shingles.hashed(List.of("the QUICK brown fox jumps over the lazy dog."), 5, 1 << 20));
    assertEquals(1, Shingles.hashed(List.of("two words"), 5, 1 << 20).length);
    assertEquals(0, Shingles.hashed(List.of(" "), 5, 1 << 20).length);
    int[] b = Shingles.hashed(List.of("The quick brown fox jumps over the lazy cat."), 5, 1 << 20);
    assertEquals(4.0 / 6.0, Shingles.jaccard(a, b), 1e-12); // 4 shared of 6 distinct
  }

  @Test
  void balancedShardsDifferFromTheMeanByAtMostOneDocument() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 50; trial++) {
      int docs = 1 + rnd.nextInt(500);
      long[] size = new long[docs];
      long total = 0;
      long largest = 0;
      for (int i = 0; i < docs; i++) {
        size[i] = 1 + rnd.nextInt(trial % 2 == 0 ? 100 : 5000);
        total += size[i];
        largest = Math.max(largest, size[i]);
      }
      long target = 1 + rnd.nextInt(20_000);
      int n = BalancedShards.count(total, target);
      assertEquals(Math.max(1, (total + target - 1) / target), n);
      long[] bytes = new long[n];
      long before = 0;
      int last = 0;
      for (int i = 0; i < docs; i++) {
        int s = BalancedShards.shardOf(before, size[i], total, n);
        assertTrue(s >= last, "shards are contiguous runs of the order");
        last = s;
        bytes[s] += size[i];
        before += size[i];
      }
      double mean = (double) total / n;
      for (long b : bytes) {
        assertTrue(Math.abs(b - mean) <= largest, "shard " + b + " vs mean " + mean + " largest doc " + largest);
      }
    }
    assertEquals(13, BalancedShards.documentBytes(List.of("h\u00e9llo", "w\uD83D\uDE00"))); // 6+1 + 5+1
  }
}
