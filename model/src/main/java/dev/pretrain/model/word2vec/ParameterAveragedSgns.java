package dev.pretrain.model.word2vec;

import org.apache.spark.Partitioner;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;

/**
 * SGNS trained on Spark by synchronous parameter averaging: each epoch is cut into {@code rounds}; in a round every
 * partition starts from the broadcast weights, trains its share of the round's sentences (sentence {@code i} of a
 * partition belongs to round {@code i % rounds}; {@link SentenceRounds} lays them out once, on disk, so that a round
 * reads only its own) with the plain-Java {@link SgnsTrainer}, the copies are averaged,
 * weighted by words trained, and the driver combines that mean with the previous weights by the {@link Rule}. The
 * learning rate decays linearly from {@code alpha} to {@code min_alpha} over all epochs (word2vec C), each worker
 * decaying it over its share of the round.
 *
 * <p><b>Traffic per round: the rows a round changed.</b> A worker ships only the rows of syn0 and syn1neg that its
 * training changed (row ids and their float32 values), cut into row blocks ({@link RowBlockExchange}); one Spark
 * shuffle brings each block's rows from all k workers to one reduce task, which forms the words-weighted mean of
 * the block ({@link RowBlockExchange#merge}, a worker's unchanged rows counting with the start value, merged in
 * partition order by the same binary tree and float operations as the dense {@link ParameterAverager} merge, so
 * the result is bit for bit the dense path's and does not depend on which task finished first). The driver
 * fetches the merged blocks (each changed row once) in a few jobs, each below {@code spark.driver.maxResultSize}
 * and every task result below Kryo's {@code spark.kryoserializer.buffer.max} (sizes in {@link RowBlockExchange}),
 * and applies the rule to those rows only (BMUF with {@code eta > 0} also moves the other rows by their momentum).
 * Per round: the broadcast of the start weights ({@code 2 * vocabSize * dim} float32; Spark's TorrentBroadcast
 * serializes it as a stream into {@code spark.broadcast.blockSize} pieces, 4 MiB by default, and Kryo's
 * stream does not use the buffer.max-bounded buffer, so the broadcast is not limited by it), each worker's changed
 * rows through the shuffle ({@code 4 * (dim + 1)} bytes per row), and each changed row once to the driver, where
 * the dense path collected {@code k * 2 * vocabSize * dim} float32. The driver holds the model (plus {@code Delta}
 * when {@code eta > 0}, plus {@code W_g} under Nesterov) and the round's merged rows; every worker holds the
 * broadcast weights and its trained copy. The round's shuffle files stay on the executors' local disks until
 * Spark's ContextCleaner removes them after the round's RDDs are garbage-collected.
 *
 * <p>Measured ({@code bench/sgns-sparse-averaging.sh}, 2026-12-07, 2-core Xeon, Spark {@code local[2]}, Kryo
 * buffer.max 1g, maxResultSize 1g): a 1,000,000-word vocabulary at dim 300 (1.2 GB per matrix, 14% of a Java
 * array's 2^31 elements, so that cap is not hit) on a seeded Zipfian corpus (s = 1.0, 16M words, 87% of the
 * vocabulary occurring), 2 partitions, 3 rounds, {@code -Xmx12g} (G1, 32 MB regions): per round 0.59M syn0 and
 * 0.87M syn1neg rows changed (every occurring word is somebody's negative), 1.76 GB reached the driver against the
 * dense path's 4.8 GB (2.4 GB per task result, beyond Kryo's 1g buffer), 3.1 GB went through the shuffle; 114 s
 * for the last round (5.3M words) on an otherwise idle machine; peak RSS 13.6 GB (the model, the broadcast's
 * serialized pieces and two trained copies: about 4 x 2.4 GB). On IMDB (2 partitions, 32 rounds) it reproduced the dense path's
 * figures to the last digit (analogy 11.26%, WordSim-353 0.2825).
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
 * broadcasts the weights and moves the rows it changed (above).
 *
 * <p>Measured (IMDB text8, 23.5M words, vocab 53,165, 1 epoch, dim 100, window 5, negative 5, sample 1e-4, one
 * seed; analogy = 3CosAdd over the top 30,000 words, WS = WordSim-353 Spearman; {@code SparkAveragingBench} in
 * {@code local[2]}, measured with the dense exchange, which the sparse one reproduces bit for bit; the partition sweep of the default rule is in docs/BENCHMARKS.md, section sgns-averaging):
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

    /**
     * Log record of one averaging round.
     *
     * @param words          words trained in the round (all workers)
     * @param seconds        wall seconds of the round (broadcast, training, exchange, the driver's update)
     * @param syn0Rows       syn0 rows some worker changed (rows the driver received)
     * @param syn1negRows    syn1neg rows some worker changed
     * @param workerRows     rows the workers shipped, summed over workers (a row changed by j workers counts j)
     * @param collectedBytes payload bytes the driver received ({@link RowBlock#payloadBytes}: 4 per id and value)
     */
    public record Round(int epoch, int round, long words, double alphaStart, double seconds, long syn0Rows,
                        long syn1negRows, long workerRows, long collectedBytes) {}

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
     * @param sentences   word-id sentences (ids in {@code [0, counts.length)}), read once (laid out by round, on the
     *                    executors' disks, for the whole run)
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
     * executors built with {@code -Pcuda}). It copies {@code init} and then drops its reference to it, so that a
     * temporary passed here (not through the shorter overloads, whose frames keep it) is freed during training.
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
        SgnsWeights weights = bmuf ? momentum.start() : init.copy();
        RowBlockExchange exchange = exchangeFor(jsc.getConf(), init.vocabSize(), init.dim());
        init = null; // copied: a caller that passed a temporary gets its 2 * vocabSize * dim floats back now
        Partitioner byBlock = new BlockPartitioner(exchange);
        final int parts = sentences.getNumPartitions();
        long done = 0;
        SentenceRounds laid = SentenceRounds.of(sentences, rounds);
        try {
        for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
            for (int r = 0; r < rounds; r++) {
                long roundStart = System.nanoTime();
                Broadcast<SgnsWeights> bw = jsc.broadcast(weights);
                double alphaStart = alphaAt(cfg, done, totalWords);
                double alphaEnd = alphaAt(cfg, done + corpusWords / rounds, totalWords);
                final int round = r;
                final long seed = roundSeed.applyAsLong((long) epoch * rounds + r);
                JavaPairRDD<Integer, RowBlock> changed = laid.round(round).mapPartitionsWithIndex((part, it) -> {
                    List<int[]> slice = new ArrayList<>();
                    it.forEachRemaining(slice::add);
                    long words = 0;
                    for (int[] s : slice) words += s.length;
                    SgnsWeights before = bw.value();
                    SgnsWeights after = null;
                    long n = 0;
                    if (!slice.isEmpty()) {
                        after = before.copy();
                        n = SgnsEngine.of(engine, cfg, counts).train(after, slice, alphaStart, alphaEnd,
                                Math.max(1, words), seed + 31L * part);
                    }
                    Iterator<RowBlock> blocks = exchange.changedRows(before, after, part, n);
                    return new Iterator<Tuple2<Integer, RowBlock>>() {
                        @Override public boolean hasNext() { return blocks.hasNext(); }
                        @Override public Tuple2<Integer, RowBlock> next() {
                            RowBlock b = blocks.next();
                            return new Tuple2<>(exchange.key(b.matrix(), b.block()), b);
                        }
                    };
                }, true).mapToPair(t -> t);
                JavaRDD<RowBlock> merged = changed.groupByKey(byBlock)
                        .map(g -> exchange.merge(g._2(), parts, bw.value()));
                // fetched whole before anything is applied: the tasks read the broadcast start weights, which in
                // local mode are the driver's own object
                List<RowBlock> blocks = new ArrayList<>();
                for (int[] job : exchange.jobs()) {
                    for (List<RowBlock> part : merged.collectPartitions(job)) blocks.addAll(part);
                }
                long trained = blocks.isEmpty() ? 0 : blocks.get(0).words();
                long[] rows = new long[2];
                long sourceRows = 0, bytes = 0;
                for (RowBlock b : blocks) {
                    if (b.words() != trained) {
                        throw new IllegalStateException("merged blocks disagree on the words trained: " + b.words() + " vs " + trained);
                    }
                    rows[b.matrix()] += b.rows().length;
                    sourceRows += b.sourceRows();
                    bytes += b.payloadBytes();
                }
                if (trained > 0) {
                    if (bmuf) {
                        for (RowBlock b : blocks) momentum.updateRows(b);
                        weights = momentum.finishRound();
                    } else {
                        for (RowBlock b : blocks) applyRows(weights, b, averaging.rule() == Rule.SCALED_SUM ? workers : 1);
                    }
                }
                blocks = null;
                bw.destroy();
                done += trained;
                if (log != null) {
                    log.accept(new Round(epoch, r, trained, alphaStart, (System.nanoTime() - roundStart) / 1e9,
                            rows[0], rows[1], sourceRows, bytes));
                }
            }
        }
        } finally {
            laid.close();
        }
        return bmuf ? momentum.model() : weights;
    }

    /**
     * The exchange for this session's limits: one serialized task result below Kryo's
     * {@code spark.kryoserializer.buffer.max} (when Kryo is the serializer; default 64m) and
     * {@code spark.driver.maxResultSize} (default 1g; 0 = unlimited), one job's results below the latter.
     */
    static RowBlockExchange exchangeFor(SparkConf conf, int vocabSize, int dim) {
        long maxResult = conf.getSizeAsBytes("spark.driver.maxResultSize", "1g");
        if (maxResult <= 0) maxResult = Long.MAX_VALUE;
        long object = Integer.MAX_VALUE; // a Java byte array
        if (conf.get("spark.serializer", "").contains("Kryo")) {
            object = conf.getSizeAsBytes("spark.kryoserializer.buffer.max", "64m");
        }
        return RowBlockExchange.forLimits(vocabSize, dim, Math.min(object, maxResult), maxResult);
    }

    /** Key {@code k} of the exchange goes to reduce partition {@code k / blocksPerPartition}. */
    private static final class BlockPartitioner extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final RowBlockExchange exchange;

        BlockPartitioner(RowBlockExchange exchange) { this.exchange = exchange; }

        @Override public int numPartitions() { return exchange.reducePartitions(); }

        @Override public int getPartition(Object key) { return exchange.reducePartitionOf((Integer) key); }

        @Override public boolean equals(Object o) {
            return o instanceof BlockPartitioner p && p.numPartitions() == numPartitions()
                    && p.exchange.keys() == exchange.keys();
        }

        @Override public int hashCode() { return 31 * numPartitions() + exchange.keys(); }
    }

    /**
     * The non-BMUF rules on the rows of one merged block, in place: {@code w0 + k (mean - w0)} ({@code k} &gt; 1,
     * {@link Rule#SCALED_SUM}) or {@code mean} ({@code k = 1}; {@link Rule#MEAN}); rows not in a block keep
     * {@code w0}, which both rules give them. The same float operations as {@link #scaleUpdate}.
     */
    private static void applyRows(SgnsWeights w, RowBlock mean, int k) {
        float[] m = mean.matrix() == 0 ? w.syn0() : w.syn1neg();
        int dim = w.dim();
        float[] v = mean.values();
        int[] rows = mean.rows();
        for (int i = 0; i < rows.length; i++) {
            int off = rows[i] * dim;
            for (int j = 0; j < dim; j++) {
                float x = v[i * dim + j];
                m[off + j] = k <= 1 ? x : m[off + j] + k * (x - m[off + j]);
            }
        }
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
