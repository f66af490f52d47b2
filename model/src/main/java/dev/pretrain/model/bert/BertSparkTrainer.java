package dev.pretrain.model.bert;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Data-parallel BERT pretraining with DL4J Spark parameter averaging ({@link SparkComputationGraph} +
 * {@link ParameterAveragingTrainingMaster}, {@link RDDTrainingApproach#Direct}): each of {@code workers} replicas fits
 * {@code averagingFrequency} minibatches of {@code batchSizePerWorker} examples, then parameters and Adam state are
 * averaged on the driver. The caller's SparkConf should use Kryo with {@code org.nd4j.kryo.Nd4jRegistrator} and {@link BertKryoRegistrator} (see {@link BertKryoRegistrator#REGISTRATORS}).
 *
 * <p>Each epoch the training RDD is shuffled (seeded by {@code training.seed() + epoch}) and fitted in chunks;
 * after each chunk the held-out set is evaluated on the driver with {@link BertEvaluator}. A chunk is one epoch by
 * default, or {@link #evaluateEveryRounds(int) N averaging rounds} ({@code N x workers x averagingFrequency x
 * batchSizePerWorker} examples). {@link #timeLimitSeconds(double)} stops after the chunk that crosses the limit.
 */
public final class BertSparkTrainer {
    private static final Logger log = LoggerFactory.getLogger(BertSparkTrainer.class);

    private final BertConfig config;
    private final BertTrainingConfig training;
    private int evalEveryRounds;
    private double timeLimitSeconds = Double.POSITIVE_INFINITY;
    private int evalBatchSize = 32;
    private ComputationGraph initialModel;

    public BertSparkTrainer(BertConfig config, BertTrainingConfig training) {
        this.config = config.validate();
        this.training = training;
    }

    /** Evaluate after every {@code rounds} averaging rounds instead of once per epoch (0 = per epoch). */
    public BertSparkTrainer evaluateEveryRounds(int rounds) {
        if (rounds < 0) throw new IllegalArgumentException("evaluateEveryRounds must be >= 0");
        this.evalEveryRounds = rounds;
        return this;
    }

    /** Stop after the first evaluation chunk at which training wall time exceeds this many seconds. */
    public BertSparkTrainer timeLimitSeconds(double seconds) {
        this.timeLimitSeconds = seconds;
        return this;
    }

    /** Minibatch size of held-out evaluation (default 32). */
    public BertSparkTrainer evalBatchSize(int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("evalBatchSize must be >= 1");
        this.evalBatchSize = batchSize;
        return this;
    }

    /** Continue from this model instead of a freshly initialised {@link BertModel#build(BertConfig, BertTrainingConfig)}. */
    public BertSparkTrainer initialModel(ComputationGraph model) {
        this.initialModel = model;
        return this;
    }

    /**
     * Evaluates the held-out set at round 0 and after every epoch (or every N averaging rounds), returns the trained
     * model and the per-round held-out metrics.
     *
     * @throws IllegalArgumentException if {@code heldout} is empty
     * @throws IllegalStateException    if the held-out MLM loss becomes NaN (diverged)
     */
    public BertTrainResult fit(JavaSparkContext sc, JavaRDD<BertExample> train, List<BertExample> heldout) {
        if (heldout == null || heldout.isEmpty()) throw new IllegalArgumentException("BertSparkTrainer: empty held-out set");
        ComputationGraph net = initialModel != null ? initialModel : BertModel.build(config, training);
        List<BertRound> rounds = new ArrayList<>();
        rounds.add(new BertRound(0, 0, 0.0, BertEvaluator.evaluate(net, heldout, config, evalBatchSize)));
        log.info("BERT round 0: {}", rounds.get(0).heldout());

        int workers = training.workers();
        int batch = training.batchSizePerWorker();
        ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(workers, batch)
                .batchSizePerWorker(batch)
                .averagingFrequency(training.averagingFrequency())
                .workerPrefetchNumBatches(0)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .saveUpdater(true)
                .rngSeed(training.seed())
                .build();
        SparkComputationGraph spark = new SparkComputationGraph(sc, net, tm);

        long total = train.count();
        if (total == 0) throw new IllegalArgumentException("BertSparkTrainer: empty training RDD");
        long chunk = evalEveryRounds > 0
                ? (long) evalEveryRounds * workers * training.averagingFrequency() * batch : total;
        final BertConfig cfg = config;
        long seen = 0;
        double trainSeconds = 0;
        int round = 0;
        outer:
        for (int epoch = 0; epoch < training.epochs(); epoch++) {
            final long shuffleSeed = training.seed() * 31 + epoch;
            JavaPairRDD<BertExample, Long> indexed = train.zipWithIndex()
                    .mapToPair(t -> new Tuple2<>(mix(t._2() ^ shuffleSeed), t._1()))
                    .sortByKey()
                    .values()
                    .zipWithIndex()
                    .cache();
            for (long start = 0; start < total; start += chunk) {
                final long lo = start;
                final long hi = Math.min(total, start + chunk);
                JavaRDD<MultiDataSet> data = indexed.filter(t -> t._2() >= lo && t._2() < hi)
                        .keys()
                        .repartition(workers)
                        .mapPartitions(it -> toBatches(it, batch, cfg));
                long t0 = System.nanoTime();
                int iterBefore = spark.getNetwork().getIterationCount();
                spark.fitMultiDataSet(data);
                trainSeconds += (System.nanoTime() - t0) / 1e9;
                seen += hi - lo;
                round++;
                ComputationGraph current = spark.getNetwork();
                BertMetrics m = BertEvaluator.evaluate(current, heldout, config, evalBatchSize);
                rounds.add(new BertRound(round, seen, trainSeconds, m));
                log.info("BERT round {} (epoch {}, {} examples, {} s, iterations {} -> {}): {}", round, epoch, seen,
                        String.format("%.1f", trainSeconds), iterBefore, current.getIterationCount(), m);
                if (Double.isNaN(m.mlmLoss())) {
                    throw new IllegalStateException("BertSparkTrainer: held-out MLM loss is NaN after round " + round
                            + " (training diverged; lower the learning rate)");
                }
                if (trainSeconds > timeLimitSeconds) {
                    indexed.unpersist();
                    break outer;
                }
            }
            indexed.unpersist();
        }
        return new BertTrainResult(spark.getNetwork(), List.copyOf(rounds));
    }

    /** SplitMix64 finaliser: a seeded pseudo-random sort key. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static Iterator<MultiDataSet> toBatches(Iterator<BertExample> it, int batch, BertConfig cfg) {
        List<MultiDataSet> out = new ArrayList<>();
        List<BertExample> cur = new ArrayList<>(batch);
        while (it.hasNext()) {
            cur.add(it.next());
            if (cur.size() == batch) {
                out.add(BertBatches.toMultiDataSet(cur, cfg));
                cur = new ArrayList<>(batch);
            }
        }
        if (!cur.isEmpty()) out.add(BertBatches.toMultiDataSet(cur, cfg));
        return out.iterator();
    }
}
