package dev.pretrain.corpus.ingest;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Word n-gram shingles of a document hashed into a fixed feature space (the "hashing trick" of Spark's
 * {@code HashingTF}, here on shingles), the input of MinHash near-duplicate detection (Broder 1997: the
 * Jaccard similarity of two shingle sets is estimated by MinHash; Spark's {@code MinHashLSH}).
 *
 * <p>Words are the white-space separated tokens of the sentences, lowercased ({@link Locale#ROOT}); a shingle
 * is {@code n} consecutive words; a document of fewer than {@code n} words has one shingle, all its words.
 * A shingle's index is a 64-bit FNV-1a hash of its characters (words joined by one space), mixed with the
 * MurmurHash3 finalizer, modulo {@code numFeatures}; collisions merge shingles (negligible for
 * {@code numFeatures = 2^20} and documents of a few thousand words).
 */
public final class Shingles {
  /** Word 5-grams. */
  public static final int DEFAULT_N = 5;
  /** 2^20 features. */
  public static final int DEFAULT_NUM_FEATURES = 1 << 20;

  private Shingles() {
  }

  /**
   * @return the distinct feature indices of the document's shingles, ascending; empty only for a document
   *     without words
   */
  public static int[] hashed(List<String> sentences, int n, int numFeatures) {
    if (n < 1 || numFeatures < 1) {
      throw new IllegalArgumentException("n and numFeatures must be >= 1, got " + n + ", " + numFeatures);
    }
    String[] words = String.join(" ", sentences).toLowerCase(Locale.ROOT).trim().split("\\s+");
    if (words.length == 1 && words[0].isEmpty()) {
      return new int[0];
    }
    int count = Math.max(1, words.length - n + 1);
    int[] idx = new int[count];
    for (int i = 0; i < count; i++) {
      long h = 0xcbf29ce484222325L;
      int end = Math.min(words.length, i + n);
      for (int w = i; w < end; w++) {
        if (w > i) {
          h = (h ^ ' ') * 0x100000001b3L;
        }
        String word = words[w];
        for (int c = 0; c < word.length(); c++) {
          h = (h ^ word.charAt(c)) * 0x100000001b3L;
        }
      }
      idx[i] = (int) Math.floorMod(mix(h), (long) numFeatures);
    }
    Arrays.sort(idx);
    int k = 0;
    for (int i = 0; i < idx.length; i++) {
      if (i == 0 || idx[i] != idx[i - 1]) {
        idx[k++] = idx[i];
      }
    }
    return Arrays.copyOf(idx, k);
  }

  /** Exact Jaccard similarity of two sorted distinct index arrays (1 for two empty sets). */
  public static double jaccard(int[] a, int[] b) {
    if (a.length == 0 && b.length == 0) {
      return 1;
    }
    int i = 0;
    int j = 0;
    int both = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        both++;
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    return (double) both / (a.length + b.length - both);
  }

  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
