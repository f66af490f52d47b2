package dev.pretrain.model.bert;

import dev.pretrain.model.rounds.ModuloPartitioner;
import dev.pretrain.model.rounds.PrunedPartitions;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * One training epoch laid out once, so that an averaging round reads only its own examples.
 *
 * <p><b>Order.</b> Example {@code i} of the training RDD (its global index: {@code zipWithIndex}, the RDD's
 * order, not its partitioning) gets the sort key {@code mix(i ^ (31 seed + epoch))} (SplitMix64's finaliser, a
 * bijection of longs, so keys are distinct). One shuffle ({@code repartitionAndSortWithinPartitions}) puts it in
 * bucket {@code floorMod(key, P)} of {@code P = ceil(N / examplesPerPartition)} buckets, sorted by key inside the
 * bucket; the epoch's order is bucket 0 in key order, then bucket 1, ... — a seeded random permutation that depends
 * only on the seed, the epoch, {@code N} and {@code examplesPerPartition}, not on how the input was partitioned.
 * The laid-out epoch is persisted on the executors' local disks ({@code DISK_ONLY}: the heap holds only the buckets a
 * round is reading, whatever the epoch's size; with {@code MEMORY_AND_DISK} the cache filled a 3 GiB executor heap at
 * 750k instances and the next round's results ran out of memory) and its bucket sizes are counted once, giving every
 * bucket's first position.
 *
 * <p><b>A round.</b> {@link #round(long, long, int)} prunes the epoch to the buckets that overlap the round's
 * positions {@code [lo, hi)} ({@link PartitionPruningRDD}: the other partitions are not read), keeps those
 * positions, and deals them to the workers: position {@code lo + j} goes to worker {@code j mod workers}, in
 * position order (a second, round-sized shuffle sorted by {@code j}). A round therefore reads at most
 * {@code ceil(chunk / bucket) + 1} buckets of about {@code examplesPerPartition} examples, whatever the size of the
 * training set: its cost does not grow with {@code N} (the previous design filtered the whole cached epoch every
 * round: O(N) per round, O(N^2 / chunk) per epoch). The epoch's layout costs one shuffle of the training set.
 */
final class EpochLayout implements AutoCloseable {
    /**
     * Default bucket size in averaging rounds: 8, so that a round reads at most two buckets, 2 x 8 rounds' examples,
     * and an epoch of N examples has N / (8 x round) buckets (10 M instances at 320 a round: 3,900 partitions).
     */
    static final int DEFAULT_ROUNDS_PER_BUCKET = 8;

    private final JavaRDD<BertExample> laidOut;
    private final long[] starts;   // starts[p] = first epoch position of bucket p; starts[P] = N

    private EpochLayout(JavaRDD<BertExample> laidOut, long[] starts) {
        this.laidOut = laidOut;
        this.starts = starts;
    }

    /**
     * Lays out one epoch.
     *
     * @param train               the training examples (read twice: the layout's shuffle and nothing else)
     * @param total               {@code train.count()}, &gt; 0
     * @param shuffleSeed         the epoch's seed ({@code 31 seed + epoch} in {@link BertSparkTrainer})
     * @param examplesPerPartition bucket size target, &gt;= 1 (round it to a multiple of the round size to read one
     *                            bucket per round)
     * @throws IllegalArgumentException if {@code total < 1} or {@code examplesPerPartition < 1}
     */
    static EpochLayout of(JavaRDD<BertExample> train, long total, long shuffleSeed, long examplesPerPartition) {
        if (total < 1 || examplesPerPartition < 1) {
            throw new IllegalArgumentException("EpochLayout: total and examplesPerPartition must be >= 1, got "
                    + total + ", " + examplesPerPartition);
        }
        int buckets = (int) Math.min(Integer.MAX_VALUE, (total + examplesPerPartition - 1) / examplesPerPartition);
        JavaRDD<BertExample> laid = train.zipWithIndex()
                .mapToPair(t -> new Tuple2<>(BertSparkTrainer.mix(t._2() ^ shuffleSeed), t._1()))
                .repartitionAndSortWithinPartitions(new ModuloPartitioner(buckets))
                .values()
                .persist(StorageLevel.DISK_ONLY());
        List<Tuple2<Integer, Long>> sizes = laid.mapPartitionsWithIndex((p, it) -> {
            long n = 0;
            for (; it.hasNext(); it.next()) n++;
            return List.of(new Tuple2<>(p, n)).iterator();
        }, true).collect();
        long[] starts = new long[buckets + 1];
        for (Tuple2<Integer, Long> s : sizes) starts[s._1() + 1] = s._2();
        for (int p = 0; p < buckets; p++) starts[p + 1] += starts[p];
        if (starts[buckets] != total) {
            throw new IllegalStateException("EpochLayout: laid out " + starts[buckets] + " examples, expected " + total
                    + " (the training RDD is not deterministic)");
        }
        return new EpochLayout(laid, starts);
    }

    /** Buckets of the epoch. */
    int buckets() {
        return starts.length - 1;
    }

    /** First epoch position of every bucket and, last, the epoch's size. */
    long[] starts() {
        return starts.clone();
    }

    /** The buckets holding epoch positions {@code [lo, hi)}, ascending. */
    int[] bucketsOf(long lo, long hi) {
        List<Integer> sel = new ArrayList<>();
        for (int p = 0; p < buckets(); p++) {
            if (starts[p] < hi && starts[p + 1] > lo) sel.add(p);
        }
        return sel.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The examples at epoch positions {@code [lo, hi)} in {@code workers} partitions: partition {@code w} holds
     * positions {@code lo + j} with {@code j mod workers = w}, ascending.
     *
     * @throws IllegalArgumentException if the range is empty or outside the epoch, or {@code workers < 1}
     */
    JavaRDD<BertExample> round(long lo, long hi, int workers) {
        if (lo < 0 || hi <= lo || hi > starts[buckets()] || workers < 1) {
            throw new IllegalArgumentException("EpochLayout: bad round [" + lo + ", " + hi + ") of "
                    + starts[buckets()] + " examples, workers " + workers);
        }
        int[] sel = bucketsOf(lo, hi);
        long[] first = new long[sel.length];
        for (int i = 0; i < sel.length; i++) first[i] = starts[sel[i]];
        JavaPairRDD<Long, BertExample> dealt = pruned(sel).mapPartitionsWithIndex((i, it) -> {
            List<Tuple2<Long, BertExample>> out = new ArrayList<>();
            long pos = first[i];
            while (it.hasNext()) {
                BertExample e = it.next();
                if (pos >= lo && pos < hi) out.add(new Tuple2<>(pos - lo, e));
                pos++;
            }
            return out.iterator();
        }, true).mapToPair(t -> t);
        return dealt.repartitionAndSortWithinPartitions(new ModuloPartitioner(workers)).values();
    }

    /** The laid-out epoch reduced to buckets {@code sel} (ascending): partition {@code i} is bucket {@code sel[i]}. */
    JavaRDD<BertExample> pruned(int[] sel) {
        return PrunedPartitions.keep(laidOut, sel, BertExample.class);
    }

    @Override
    public void close() {
        laidOut.unpersist(false);
    }
}
