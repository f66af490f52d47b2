package dev.pretrain.model.word2vec;

import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;

/**
 * SGNS trained on Spark by synchronous parameter averaging: each epoch is cut into {@code rounds}; in a round every
 * partition starts from the broadcast weights, trains its share of the round's sentences (sentence {@code i} of a
 * partition belongs to round {@code i % rounds}) with the plain-Java {@link SgnsTrainer}, and the driver averages
 * the copies, weighted by words trained ({@link ParameterAverager}s merged in partition order by
 * {@link #mergeInPartitionOrder}, so that the result does not depend on which task finished first), then combines that mean
 * with the previous weights by the {@link Rule}. The learning rate decays linearly from {@code alpha} to
 * {@code min_alpha} over all epochs (word2vec C), each worker decaying it over its share of the round.
 *
 * <p><b>Default rule: blockwise model-update filtering</b> (BMUF, block momentum; Chen &amp; Huo, "Scalable training
 * of deep learning machines by incremental block training with intra-block parallel optimization and blockwise
 * model-update filtering", ICASSP 2016; {@link BlockMomentum}) with block learning rate {@code zeta = min(2, k)} and
 * momentum {@code eta = 1 - zeta / k} for {@code k} partitions: {@code Delta = eta Delta + zeta (mean - w)},
 * {@code w += Delta}. Its steady-state gain {@code zeta / (1 - eta) = k} makes a steady update the sum of the
 * workers' updates (one worker on all the data), while a row that every worker drives to its local fixed point
 * (frequent words, contraction {@code c} near 1 per round) follows the heavy-ball recursion, stable for
 * {@code zeta c < 2 (1 + eta)}. With k = 1 it is plain training, with k = 2 it is {@code w0 + 2 (mean - w0)}.
 * The paper's own setting ({@code zeta = 1}, {@code eta = 1 - 1/k}) and its Nesterov variant were measured worse
 * here (table below): with few rounds per epoch the momentum's lag of {@code 1 / (1 - eta)} rounds is a large part
 * of a 1-epoch budget, so the largest stable {@code zeta} with the smallest {@code eta} wins.
 *
 * <p>Why not the simpler rules. The k-scaled sum {@code w0 + k (mean - w0)} ({@link Rule#SCALED_SUM}) gives the
 * converged rows the error recursion {@code e' = (1 - k c) e}: it diverges once {@code k c > 2} (measured: fine at
 * k = 2, analogy 0% at k = 4 with 16 and 32 rounds). The plain mean ({@link Rule#MEAN}) and MLlib's per-row mean
 * ({@link RowAverager}) are stable but divide progress by k.
 *
 * <p><b>Rounds.</b> Averaging loses what one worker's updates do to another's within a round (SGNS is bilinear in
 * syn0 and syn1neg), so the quality depends on the words per worker per round: at k = 4 the analogy accuracy was
 * 7.6% with 16 rounds per epoch, 9.2% with 32 and 10.3% with 64 (one partition: 11.3%). Use about {@code 16 k}
 * rounds per epoch for k &gt; 2 ({@code bench/sgns-averaging.sh} runs {@code max(16, 16 k)}); every round
 * broadcasts the weights and collects k copies ({@code 2 * vocabSize * dim} float32 each).
 *
 * <p>Measured (IMDB text8, 23.5M words, vocab 53,165, 1 epoch, dim 100, window 5, negative 5, sample 1e-4, one
 * seed; analogy = 3CosAdd over the top 30,000 words, WS = WordSim-353 Spearman; {@code SparkAveragingBench} in
 * {@code local[2]}; the partition sweep of the default rule is in docs/BENCHMARKS.md, section sgns-averaging):
 * <pre>
 *   rule                                   k  rounds  analogy %  WS-353
 *   one partition (plain training)         1    16      11.3     0.26
 *   BMUF default = SCALED_SUM at k = 2     2    32      11.3     0.28
 *   SCALED_SUM                             4  16, 32    0.0 (diverged)
 *   per-row mean over changers (MLlib)     4    16       1.4
 *   BMUF, paper: zeta 1, eta 0.75          4    16       2.9     0.13
 *   BMUF_NESTEROV, zeta 2, eta 0.5         4    16       0.3    -0.04
 *   BMUF, zeta 2, eta 0.5 (default)        4    16       7.6     0.20
 *   BMUF, zeta 2, eta 0.5 (default)        4    32       9.2     0.21
 *   BMUF, zeta 2, eta 0.5 (default)        4    64      10.3     0.25
 *   same, seed 2 (one partition, seed 2:   4    64      10.6     0.25
 *     11.6%, WS 0.25)
 *   BMUF, zeta 2, eta 0.75 (default)       8   128      10.2     0.26
 *   default + rows changed by &lt;= 2 workers
 *     take the summed update at once       4    32       9.0     0.21
 * </pre>
 * One epoch is noisy at the level of the 1-point target: one partition gave 11.3% (seed 1, 16 rounds), 12.0%
 * (seed 1, 32 rounds: another sentence order) and 11.6% (seed 2); 4 partitions stay 1.0 point below one
 * partition with both seeds. Also tried on the first 40% of the corpus (1 partition: analogy 2.8%): a per-row extrapolation from each
 * worker's two half-round updates ({@code d2 = rho d1}, scale {@code 1 + rho^2 + ... + rho^(2k-2)}) ended at
 * the plain mean's 0.3% at k = 4 (gradient noise makes {@code rho} look like convergence), BMUF (paper) 0.6%.
 */
public final class ParameterAveragedSgns {
    private ParameterAveragedSgns() {}

    /** Log record of one averaging round. */
    public record Round(int epoch, int round, long words, double alphaStart, double seconds) {}

    /** Sizes of a sentence RDD: {sentences, words, non-empty partitions} (one pass). */
    public static long[] sizes(JavaRDD<int[]> sentences) {
        return sentences.mapPartitions(it -> {
            long[] c = new long[3];
            while (it.hasNext()) {
                c[0]++;
                c[1] += it.next().length;
            }
            c[2] = c[0] > 0 ? 1 : 0;
            return Collections.singletonList(c).iterator();
        }).reduce((a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
    }

    /**
     * How the driver combines a round's worker copies ({@code mean} = their words-weighted average, {@code w0} =
     * the weights they started from, {@code k} = workers).
     */
    public enum Rule {
        /**
         * Block momentum (BMUF, {@link BlockMomentum}), classical; {@code eta} and {@code zeta} from {@link Averaging}
         * (default {@code zeta = min(2, k)}, {@code eta = 1 - zeta / k}). The default rule.
         */
        BMUF,
        /** Block momentum with Nesterov's look-ahead start ({@link BlockMomentum}, NBM). */
        BMUF_NESTEROV,
        /** {@code w0 + k * (mean - w0)} (the sum of the workers' updates): diverges for k &gt;= 4 on IMDB. */
        SCALED_SUM,
        /** {@code mean} (DL4J's plain parameter averaging): under-trains by about k. */
        MEAN
    }

    /**
     * Averaging settings.
     *
     * @param rule     the combination rule
     * @param momentum block momentum {@code eta} of the BMUF rules, in {@code [0, 1)}; NaN = {@code 1 - zeta / k}
     * @param blockLr  block learning rate {@code zeta} of the BMUF rules, &gt; 0; NaN = {@code min(2, k)}
     */
    public record Averaging(Rule rule, double momentum, double blockLr) implements java.io.Serializable {
        /** @throws IllegalArgumentException on a null rule, momentum outside [0, 1) or blockLr &lt;= 0 */
        public Averaging {
            if (rule == null) throw new IllegalArgumentException("rule is null");
            if (!Double.isNaN(momentum) && !(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1) (or NaN for 1 - zeta/k), got " + momentum);
            }
            if (!Double.isNaN(blockLr) && (!(blockLr > 0) || Double.isInfinite(blockLr))) {
                throw new IllegalArgumentException("blockLr must be > 0 (or NaN for min(2, k)), got " + blockLr);
            }
        }

        /** The default: BMUF with {@code zeta = min(2, k)}, {@code eta = 1 - zeta / k} (see the class comment). */
        public static Averaging defaults() { return of(Rule.BMUF); }

        /** {@code rule} with the default momentum and block learning rate. */
        public static Averaging of(Rule rule) { return new Averaging(rule, Double.NaN, Double.NaN); }

        /** {@code zeta} for {@code k} workers. */
        public double blockLrFor(int workers) {
            return Double.isNaN(blockLr) ? Math.max(1, Math.min(2, workers)) : blockLr;
        }

        /** {@code eta} for {@code k} workers. */
        public double momentumFor(int workers) {
            if (!Double.isNaN(momentum)) return momentum;
            return workers <= 1 ? 0 : Math.max(0, 1 - blockLrFor(workers) / workers);
        }
    }

    /** {@link #train(JavaSparkContext, JavaRDD, long[], SgnsConfig, int, long, int, SgnsWeights, LongUnaryOperator,
     *  Consumer, Averaging)} with {@link Averaging#defaults()} (BMUF). */
    public static SgnsWeights train(JavaSparkContext jsc, JavaRDD<int[]> sentences, long[] counts, SgnsConfig cfg,
                                    int rounds, long corpusWords, int workers, SgnsWeights init,
                                    LongUnaryOperator roundSeed, Consumer<Round> log) {
        return train(jsc, sentences, counts, cfg, rounds, corpusWords, workers, init, roundSeed, log, Averaging.defaults());
    }

    /**
     * Trains {@code cfg.epochs()} epochs.
     *
     * @param sentences   word-id sentences (ids in {@code [0, counts.length)}), ideally persisted
     * @param counts      corpus count per word id (subsampling and negative distribution)
     * @param cfg         hyper-parameters ({@code threads} = Hogwild threads inside each partition)
     * @param rounds      averaging rounds per epoch, &gt;= 1
     * @param corpusWords words in {@code sentences} (from {@link #sizes})
     * @param workers     partitions that hold sentences (from {@link #sizes}): {@code k} of the rule
     * @param init        initial weights (not modified)
     * @param roundSeed   seed of global round {@code epoch * rounds + r}; partition {@code p} adds {@code 31 * p}
     * @param log         called after every round (may be null)
     * @param averaging   the combination rule
     * @return the trained weights {@code float32 [vocabSize, dim]} (syn0 and syn1neg)
     * @throws IllegalArgumentException if {@code rounds < 1}
     */
    public static SgnsWeights train(JavaSparkContext jsc, JavaRDD<int[]> sentences, long[] counts, SgnsConfig cfg,
                                    int rounds, long corpusWords, int workers, SgnsWeights init,
                                    LongUnaryOperator roundSeed, Consumer<Round> log, Averaging averaging) {
        return train(jsc, sentences, counts, cfg, rounds, corpusWords, workers, init, roundSeed, log, averaging, "java");
    }

    /**
     * As {@link #train(JavaSparkContext, JavaRDD, long[], SgnsConfig, int, long, int, SgnsWeights, LongUnaryOperator,
     * Consumer, Averaging)}, each partition's share trained by the {@link SgnsEngine} called {@code engine}
     * ({@code java}: the plain-Java kernel; {@code nd4j} / {@code nd4j:B}: batched ND4J ops, nd4j-cuda on GPU
     * executors built with {@code -Pcuda}).
     *
     * @throws IllegalArgumentException if {@code rounds < 1} or the engine name is unknown
     */
    public static SgnsWeights train(JavaSparkContext jsc, JavaRDD<int[]> sentences, long[] counts, SgnsConfig cfg,
                                    int rounds, long corpusWords, int workers, SgnsWeights init,
                                    LongUnaryOperator roundSeed, Consumer<Round> log, Averaging averaging,
                                    String engine) {
        if (rounds < 1) throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
        SgnsEngine.of(engine, cfg, counts); // fails on the driver for an unknown name
        long totalWords = corpusWords * cfg.epochs();
        boolean bmuf = averaging.rule() == Rule.BMUF || averaging.rule() == Rule.BMUF_NESTEROV;
        BlockMomentum momentum = bmuf ? new BlockMomentum(init, averaging.momentumFor(workers),
                averaging.blockLrFor(workers), averaging.rule() == Rule.BMUF_NESTEROV) : null;
        SgnsWeights weights = bmuf ? momentum.start() : init;
        long done = 0;
        for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
            for (int r = 0; r < rounds; r++) {
                long roundStart = System.nanoTime();
                Broadcast<SgnsWeights> bw = jsc.broadcast(weights);
                double alphaStart = alphaAt(cfg, done, totalWords);
                double alphaEnd = alphaAt(cfg, done + corpusWords / rounds, totalWords);
                final int round = r;
                final long seed = roundSeed.applyAsLong((long) epoch * rounds + r);
                JavaRDD<ParameterAverager> perPartition = sentences.mapPartitionsWithIndex((part, it) -> {
                    List<int[]> slice = slice(it, rounds, round);
                    long words = 0;
                    for (int[] s : slice) words += s.length;
                    SgnsWeights w = bw.value().copy();
                    long n = slice.isEmpty() ? 0 : SgnsEngine.of(engine, cfg, counts).train(w, slice, alphaStart,
                            alphaEnd, Math.max(1, words), seed + 31L * part);
                    return Collections.singletonList(new ParameterAverager(w.vocabSize(), w.dim()).add(w, n))
                            .iterator();
                }, true);
                ParameterAverager avg = mergeInPartitionOrder(perPartition);
                long trained = avg.totalWeight();
                if (trained > 0) {
                    SgnsWeights mean = avg.average();
                    weights = switch (averaging.rule()) {
                        case BMUF, BMUF_NESTEROV -> momentum.update(mean);
                        case SCALED_SUM -> scaleUpdate(weights, mean, workers);
                        case MEAN -> mean;
                    };
                }
                bw.destroy();
                done += trained;
                if (log != null) log.accept(new Round(epoch, r, trained, alphaStart, (System.nanoTime() - roundStart) / 1e9));
            }
        }
        return bmuf ? momentum.model() : weights;
    }

    /**
     * Merges the averagers of an RDD in a fixed order: a binary tree over partition indices, partition {@code 2j}
     * with {@code 2j + 1} level by level (one shuffle per level while more than 2 remain), the last two on the
     * driver. Spark's {@code reduce} and {@code treeReduce} merge in task completion order, and the float rounding of
     * the running weighted mean then depended on which task finished first: the same seed and data gave weights
     * that differed in the last bits from run to run (and analogy accuracy in the 4th decimal). A task or the driver
     * holds at most two averagers at a time, as with {@code treeReduce}. Like {@link ParameterAverager#merge}, it
     * merges into the RDD's own objects: pass an RDD that computes them (not one persisted deserialized).
     *
     * @param perPartition the averagers, any number per partition (merged in order within a partition first)
     * @return the merged averager
     * @throws IllegalArgumentException if the RDD holds no averager
     */
    public static ParameterAverager mergeInPartitionOrder(JavaRDD<ParameterAverager> perPartition) {
        JavaPairRDD<Integer, ParameterAverager> level = perPartition.mapPartitionsWithIndex((i, it) -> {
            ParameterAverager acc = null;
            while (it.hasNext()) {
                ParameterAverager a = it.next();
                acc = acc == null ? a : acc.merge(a);
            }
            return acc == null ? Collections.<Tuple2<Integer, ParameterAverager>>emptyIterator()
                    : Collections.singletonList(new Tuple2<>(i, acc)).iterator();
        }, true).mapToPair(t -> t);
        int n = perPartition.getNumPartitions();
        while (n > 2) {
            int next = (n + 1) / 2;
            // key j = index / 2 goes to partition j of next (HashPartitioner of a small non-negative Integer)
            level = level.mapToPair(t -> new Tuple2<>(t._1() / 2, t))
                    .groupByKey(new HashPartitioner(next))
                    .mapToPair(g -> new Tuple2<>(g._1(), mergeSorted(g._2())));
            n = next;
        }
        List<Tuple2<Integer, ParameterAverager>> last = new ArrayList<>(level.collect());
        if (last.isEmpty()) throw new IllegalArgumentException("no averager to merge: the RDD is empty");
        return mergeSorted(last);
    }

    /** Merges (index, averager) pairs in ascending index order. */
    private static ParameterAverager mergeSorted(Iterable<Tuple2<Integer, ParameterAverager>> parts) {
        List<Tuple2<Integer, ParameterAverager>> sorted = new ArrayList<>();
        parts.forEach(sorted::add);
        sorted.sort(Comparator.comparing((Tuple2<Integer, ParameterAverager> t) -> t._1()));
        ParameterAverager acc = sorted.get(0)._2();
        for (int k = 1; k < sorted.size(); k++) acc = acc.merge(sorted.get(k)._2());
        return acc;
    }

    /** Sentence {@code i} of the partition belongs to round {@code i % rounds}. */
    private static List<int[]> slice(java.util.Iterator<int[]> it, int rounds, int round) {
        List<int[]> slice = new ArrayList<>();
        for (int i = 0; it.hasNext(); i++) {
            int[] s = it.next();
            if (i % rounds == round) slice.add(s);
        }
        return slice;
    }

    /**
     * The round's update: the words-weighted mean of the workers' updates, applied once per worker
     * ({@code w0 + k * (mean(w_i) - w0)}, k = workers that trained). Plain averaging would divide
     * every worker's progress by k (measured on the pipeline corpus, 2 partitions, 3 epochs:
     * WordSim-353 rho 0.21 averaged against 0.40 for one partition); scaling the mean update by k is
     * the linear learning-rate scaling of data-parallel SGD, and for the sparse rows of rare words,
     * touched by one worker only, it restores exactly that worker's update. Overwrites and returns {@code mean}.
     */
    public static SgnsWeights scaleUpdate(SgnsWeights before, SgnsWeights mean, int workers) {
        if (workers <= 1) {
            return mean;
        }
        scale(before.syn0(), mean.syn0(), workers);
        scale(before.syn1neg(), mean.syn1neg(), workers);
        return mean;
    }

    private static void scale(float[] before, float[] mean, int k) {
        for (int i = 0; i < mean.length; i++) {
            mean[i] = before[i] + k * (mean[i] - before[i]);
        }
    }

    /** word2vec C's linear decay: alpha * (1 - progress), floored at min_alpha. */
    public static double alphaAt(SgnsConfig cfg, long wordsDone, long totalWords) {
        double a = cfg.alpha() * (1.0 - (double) wordsDone / Math.max(1, totalWords + 1));
        return Math.max(a, cfg.minAlpha());
    }
}
