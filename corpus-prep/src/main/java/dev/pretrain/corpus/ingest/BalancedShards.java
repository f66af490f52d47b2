package dev.pretrain.corpus.ingest;

import java.math.BigInteger;
import java.util.List;

/**
 * Deterministic assignment of documents to {@code N} shards of (almost) equal bytes.
 *
 * <p>Documents are taken in a fixed order (the ingest stage sorts by {@code doc_id}); with {@code T} the
 * total bytes and {@code N = max(1, ceil(T / targetShardBytes))}, a document whose bytes span
 * {@code [before, before + size)} of the cumulative total goes to shard {@code floor(mid * N / T)} with
 * {@code mid = before + size / 2} (its midpoint). Every shard is therefore a contiguous run of the order and
 * its byte count differs from the mean {@code T / N} by at most the size of one (the largest) document.
 * A shard can be empty only if a single document is larger than the mean.
 */
public final class BalancedShards {
  private BalancedShards() {
  }

  /** Bytes a document counts for: UTF-8 bytes of its sentences, plus one {@code '\n'} after each. */
  public static long documentBytes(List<String> sentences) {
    long n = 0;
    for (String s : sentences) {
      n += utf8Length(s) + 1;
    }
    return n;
  }

  /** UTF-8 length of a string without encoding it. */
  public static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /**
   * {@code ceil(totalBytes / targetShardBytes)}, at least 1.
   *
   * @throws IllegalArgumentException if {@code targetShardBytes <= 0} or {@code totalBytes < 0}
   */
  public static int count(long totalBytes, long targetShardBytes) {
    if (targetShardBytes <= 0 || totalBytes < 0) {
      throw new IllegalArgumentException("need targetShardBytes > 0 and totalBytes >= 0, got " + targetShardBytes
          + ", " + totalBytes);
    }
    long n = (totalBytes + targetShardBytes - 1) / targetShardBytes;
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("too many shards: " + n);
    }
    return (int) Math.max(1, n);
  }

  /**
   * The shard (0-based) of a document occupying {@code [bytesBefore, bytesBefore + docBytes)} of
   * {@code totalBytes}, out of {@code shards}.
   */
  public static int shardOf(long bytesBefore, long docBytes, long totalBytes, int shards) {
    if (totalBytes <= 0 || shards <= 1) {
      return 0;
    }
    BigInteger mid2 = BigInteger.valueOf(bytesBefore).shiftLeft(1).add(BigInteger.valueOf(docBytes));
    long s = mid2.multiply(BigInteger.valueOf(shards)).divide(BigInteger.valueOf(totalBytes).shiftLeft(1)).longValue();
    return (int) Math.max(0, Math.min(shards - 1, s));
  }
}
