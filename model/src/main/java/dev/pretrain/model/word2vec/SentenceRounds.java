package dev.pretrain.model.word2vec;

import dev.pretrain.model.rounds.ModuloPartitioner;
import dev.pretrain.model.rounds.PrunedPartitions;
import java.util.Iterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The sentences of SGNS parameter averaging laid out by averaging round, once per training run, so that a round reads
 * only its own sentences.
 *
 * <p>Sentence {@code i} of input partition {@code p} (of {@code P}) belongs to round {@code i mod R} (of {@code R}
 * rounds per epoch), trained by worker {@code p}: the assignment {@link ParameterAveragedSgns} has always used. One
 * shuffle puts it in partition {@code p R + i mod R}, sorted by {@code i} (key {@code i P R + p R + i mod R} under a
 * {@link ModuloPartitioner}), and the result is persisted on the executors' local disks ({@code DISK_ONLY}). Round
 * {@code r} then reads partitions {@code r, R + r, ..., (P - 1) R + r} only ({@link PrunedPartitions}; worker
 * {@code p} is partition {@code p} of the pruned RDD), in the input's order: a round's cost and heap are its own
 * sentences, {@code 1 / (P R)} of the corpus per task, whatever the corpus size. Before this layout every round
 * scanned every sentence of its partition (O(corpus) per round, O(R x corpus) per epoch) from a {@code
 * MEMORY_AND_DISK} cache that filled the executor heap as the corpus grew ({@code bench/scale.sh}).
 */
final class SentenceRounds implements AutoCloseable {
    private final JavaRDD<int[]> laidOut;
    private final int workers;
    private final int rounds;

    private SentenceRounds(JavaRDD<int[]> laidOut, int workers, int rounds) {
        this.laidOut = laidOut;
        this.workers = workers;
        this.rounds = rounds;
    }

    /**
     * Lays out {@code sentences} (read once, by the layout's shuffle) by round.
     *
     * @param sentences word-id sentences in {@code P} partitions (partition {@code p} is worker {@code p})
     * @param rounds    averaging rounds per epoch, &gt;= 1
     * @throws IllegalArgumentException if {@code rounds < 1} or {@code P * rounds} exceeds {@code Integer.MAX_VALUE}
     */
    static SentenceRounds of(JavaRDD<int[]> sentences, int rounds) {
        int workers = sentences.getNumPartitions();
        long n = (long) workers * rounds;
        if (rounds < 1 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("SentenceRounds: rounds must be >= 1 and partitions x rounds <= 2^31 - 1, "
                    + "got " + workers + " x " + rounds);
        }
        JavaRDD<int[]> laid = sentences.mapPartitionsWithIndex((p, it) -> new Iterator<Tuple2<Long, int[]>>() {
                    long i;

                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Tuple2<Long, int[]> next() {
                        long key = i * n + (long) p * rounds + i % rounds;
                        i++;
                        return new Tuple2<>(key, it.next());
                    }
                }, true)
                .mapToPair(t -> t)
                .repartitionAndSortWithinPartitions(new ModuloPartitioner((int) n))
                .values()
                .persist(StorageLevel.DISK_ONLY());
        return new SentenceRounds(laid, workers, rounds);
    }

    /** Workers ({@code P}, the input's partitions). */
    int workers() {
        return workers;
    }

    /**
     * The sentences of round {@code round}: partition {@code p} holds worker {@code p}'s, in input order.
     *
     * @throws IllegalArgumentException if {@code round} is outside {@code [0, rounds)}
     */
    JavaRDD<int[]> round(int round) {
        if (round < 0 || round >= rounds) {
            throw new IllegalArgumentException("SentenceRounds: round " + round + " outside [0, " + rounds + ")");
        }
        int[] keep = new int[workers];
        for (int p = 0; p < workers; p++) keep[p] = p * rounds + round;
        return PrunedPartitions.keep(laidOut, keep, int[].class);
    }

    @Override
    public void close() {
        laidOut.unpersist(false);
    }
}
