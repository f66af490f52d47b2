package dev.pretrain.examples.mlm;

/**
 * Sequence-length binning as in NVIDIA LDDL ({@code --bin-size}): instances are grouped by the bin of their real
 * (unpadded) length, so that a training batch can be drawn from one bin and padded only to the bin's upper edge
 * instead of {@code max_seq_length}.
 *
 * <p>Bin {@code b} of size {@code s} holds the lengths {@code [b*s + 1, (b+1)*s]} (length counts [CLS] and
 * [SEP]); the bins of {@code max_seq_length = L} are {@code 0 .. ceil(L/s) - 1}.
 */
public final class LengthBins {
  private LengthBins() {
  }

  /**
   * The bin of a real length.
   *
   * @param length  number of real tokens, {@code >= 1}
   * @param binSize bin width in tokens, {@code >= 1}
   * @throws IllegalArgumentException if either is below 1
   */
  public static int of(int length, int binSize) {
    if (binSize < 1) {
      throw new IllegalArgumentException("binSize must be >= 1, got " + binSize);
    }
    if (length < 1) {
      throw new IllegalArgumentException("length must be >= 1, got " + length);
    }
    return (length - 1) / binSize;
  }

  /** Number of bins for sequences of at most {@code maxSeqLength} tokens. */
  public static int count(int maxSeqLength, int binSize) {
    return of(maxSeqLength, binSize) + 1;
  }

  /** Smallest length of bin {@code bin}. */
  public static int lower(int bin, int binSize) {
    return bin * binSize + 1;
  }

  /** Largest length of bin {@code bin} (the padded length a batch of this bin needs). */
  public static int upper(int bin, int binSize) {
    return (bin + 1) * binSize;
  }
}
