package dev.pretrain.model.rounds;

import org.apache.spark.Partitioner;

/**
 * Spark partitioner of integral keys ({@code Long} or {@code Integer}): key {@code k} goes to partition
 * {@code floorMod(k, n)}. Used to lay data out by averaging round (a key {@code i * n + target} sorts by {@code i}
 * inside partition {@code target}), to deal a round's examples to its workers, and to put shard {@code s} (a key in
 * {@code [0, n)}) in partition {@code s} whatever the cluster.
 */
public final class ModuloPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int n;

    /**
     * @param n partitions, &gt;= 1
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public ModuloPartitioner(int n) {
        if (n < 1) throw new IllegalArgumentException("ModuloPartitioner: partitions must be >= 1, got " + n);
        this.n = n;
    }

    @Override
    public int numPartitions() {
        return n;
    }

    /** @throws ClassCastException if the key is not a {@code Long} or an {@code Integer} */
    @Override
    public int getPartition(Object key) {
        long k = key instanceof Integer i ? i : (Long) key;
        return (int) Math.floorMod(k, (long) n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModuloPartitioner m && m.n == n;
    }

    @Override
    public int hashCode() {
        return n;
    }
}
