package dev.pretrain.model.bert;

import java.io.Serializable;

/**
 * A seeded pseudo-random permutation of {@code [0, size)}, one per (seed, epoch): the training order of fine-tuning
 * ({@link BertSequenceClassification#epochOrder}). The example at index {@code i} goes to place {@link #apply}{@code (i)}
 * of the epoch's order.
 *
 * <p>Each index maps on its own in O(1) time and memory (a 6-round Feistel network over the smallest even number of
 * bits that covers {@code size}, with SplitMix64 round functions, and cycle-walking back into {@code [0, size)}), so
 * Spark executors can compute an example's place from its index alone: the order depends only on
 * ({@code size, seed, epoch}), never on partitioning, and nobody needs to hold the whole set.
 */
public final class EpochPermutation implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final int ROUNDS = 6;

    private final long size;
    private final int halfBits;
    private final long mask;
    private final long[] roundKeys = new long[ROUNDS];

    /**
     * @param size  number of indices, at least 1 and at most 2<sup>62</sup>
     * @param seed  any seed
     * @param epoch epoch number (0-based); each epoch gets a different permutation
     * @throws IllegalArgumentException if size is out of range
     */
    public EpochPermutation(long size, long seed, int epoch) {
        if (size < 1 || size > (1L << 62)) {
            throw new IllegalArgumentException("permutation size must be in [1, 2^62], got " + size);
        }
        this.size = size;
        int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(size - 1));
        if ((bits & 1) == 1) bits++;
        this.halfBits = bits / 2;
        this.mask = (1L << halfBits) - 1;
        long k = mix(seed ^ mix(epoch * GOLDEN + 0x632BE59BD9B4E019L));
        for (int r = 0; r < ROUNDS; r++) roundKeys[r] = mix(k + (r + 1) * GOLDEN);
    }

    /** Number of indices permuted. */
    public long size() {
        return size;
    }

    /**
     * The place of {@code index} in this epoch's order, in {@code [0, size)}; distinct indices get distinct places.
     *
     * @throws IndexOutOfBoundsException if index is not in {@code [0, size)}
     */
    public long apply(long index) {
        if (index < 0 || index >= size) throw new IndexOutOfBoundsException("index " + index + " of " + size);
        long x = index;
        do {
            x = encrypt(x); // a bijection of [0, 2^bits); walking its cycle from index reaches [0, size) again
        } while (x >= size);
        return x;
    }

    private long encrypt(long x) {
        long l = x >>> halfBits;
        long r = x & mask;
        for (long k : roundKeys) {
            long t = l ^ (mix(r ^ k) & mask);
            l = r;
            r = t;
        }
        return (l << halfBits) | r;
    }

    /** SplitMix64's finaliser (Steele, Lea, Flood 2014). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
