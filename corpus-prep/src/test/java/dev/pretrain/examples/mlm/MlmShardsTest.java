package dev.pretrain.examples.mlm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MlmShardsTest {
  @Test
  void theMinimumHoldsForSmallInputs() {
    assertEquals(16, MlmShards.count(0, 16, 1000));
    assertEquals(16, MlmShards.count(16_000, 16, 1000));
    assertEquals(1, MlmShards.count(999, 1, 1000));
  }

  @Test
  void largeInputsGetCeilOfTokensOverTarget() {
    assertEquals(17, MlmShards.count(16_001, 16, 1000));
    assertEquals(2, MlmShards.count(1001, 1, 1000));
    assertEquals(2, MlmShards.count(2000, 1, 1000));
    // 100 G tokens at the default target
    long tokens = 100_000_000_000L;
    int n = MlmShards.count(tokens, 16, MlmShards.DEFAULT_TARGET_SHARD_TOKENS);
    assertEquals(25_000, n);
    assertTrue(tokens / n <= MlmShards.DEFAULT_TARGET_SHARD_TOKENS);
  }

  @Test
  void everyShardHoldsAtMostTheTargetOnAverage() {
    for (long tokens : new long[] {1, 999, 1000, 1001, 123_456_789L, 8_000_000_000L}) {
      for (long target : new long[] {1000, 8_000_000}) {
        int n = MlmShards.count(tokens, 1, target);
        assertTrue((double) tokens / n <= target, tokens + " / " + n);
        // and the count is the least that does so
        assertTrue(n == 1 || (double) tokens / (n - 1) > target, tokens + " / " + (n - 1));
      }
    }
  }

  @Test
  void aZeroTargetMeansExactlyTheMinimum() {
    assertEquals(16, MlmShards.count(Long.MAX_VALUE, 16, 0));
  }

  @Test
  void badArgumentsAreRejectedByName() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MlmShards.count(10, 0, 1000)).getMessage()
        .contains("shards must be >= 1"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MlmShards.count(10, 1, -1)).getMessage()
        .contains("target_shard_tokens"));
    assertThrows(IllegalArgumentException.class, () -> MlmShards.count(-1, 1, 1000));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MlmShards.count(Long.MAX_VALUE, 1, 1))
        .getMessage().contains("raise target_shard_tokens"));
  }
}
