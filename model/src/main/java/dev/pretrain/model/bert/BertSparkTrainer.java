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
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * <p>Each epoch the training RDD is shuffled (seeded by {@code training.seed() + epoch}) and fitted one averaging
 * round ({@code workers x averagingFrequency x batchSizePerWorker} examples) at a time, with the round's learning rate
 * from Google BERT's schedule ({@link WarmupSchedule}: linear warm-up, linear decay to 0 at the run's last step) set
 * on the driver. The held-out set is evaluated on the driver with {@link BertEvaluator} once per epoch, or every
 * {@link #evaluateEveryRounds(int) N averaging rounds}, and at the end. {@link #timeLimitSeconds(double)} stops at
 * the first averaging round past the limit.
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
        return fit(sc, train, heldout, List.of());
    }

    /**
     * As {@link #fit(JavaSparkContext, JavaRDD, List)}, with early stopping: when {@code validation} is not empty it
     * is evaluated with {@code heldout} at every evaluation, and the returned model is the one with the lowest
     * validation MLM loss (its parameters and updater state; the untrained model counts too). Keep
     * {@code validation} disjoint from {@code heldout} so that the held-out figures stay unbiased.
     */
    public BertTrainResult fit(JavaSparkContext sc, JavaRDD<BertExample> train, List<BertExample> heldout,
                               List<BertExample> validation) {
        if (heldout == null || heldout.isEmpty()) throw new IllegalArgumentException("BertSparkTrainer: empty held-out set");
        long total = train.count();
        if (total == 0) throw new IllegalArgumentException("BertSparkTrainer: empty training RDD");
        int workers = training.workers();
        int batch = training.batchSizePerWorker();
        // minibatches each worker fits over the whole run: the end of the linear learning-rate decay
        int totalSteps = (int) Math.min(Integer.MAX_VALUE,
                (total + (long) workers * batch - 1) / ((long) workers * batch) * training.epochs());
        ComputationGraph net = initialModel != null ? initialModel : BertModel.build(config, training, totalSteps);
        List<BertRound> rounds = new ArrayList<>();
        rounds.add(new BertRound(0, 0, 0.0, BertEvaluator.evaluate(net, heldout, config, evalBatchSize)));
        boolean early = validation != null && !validation.isEmpty();
        double bestValidation = early
                ? BertEvaluator.evaluate(net, validation, config, evalBatchSize).mlmLoss() : Double.NaN;
        INDArray bestParams = early ? net.params().dup() : null;
        INDArray bestUpdater = early && net.getUpdater().getStateViewArray() != null
                ? net.getUpdater().getStateViewArray().dup() : null;
        int bestEvaluation = 0;
        log.info("BERT round 0: {}", rounds.get(0).heldout());

        ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(workers, batch)
                .batchSizePerWorker(batch)
                .averagingFrequency(training.averagingFrequency())
                .workerPrefetchNumBatches(0)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .saveUpdater(true)
                .rngSeed(training.seed())
                .build();
        SparkComputationGraph spark = new SparkComputationGraph(sc, net, tm);

        // One fit per averaging round, so that the learning rate can follow the schedule: DL4J's workers rebuild
        // their network for every averaging round with a fresh iteration counter, so a schedule inside the
        // updater would restart its warm-up each round. The driver sets the round's rate instead.
        long chunk = (long) workers * training.averagingFrequency() * batch;
        int roundsPerEval = evalEveryRounds > 0 ? evalEveryRounds : Integer.MAX_VALUE;
        WarmupSchedule schedule = new WarmupSchedule(training.learningRate(), training.warmupSteps(), totalSteps);
        final BertConfig cfg = config;
        long seen = 0;
        double trainSeconds = 0;
        int evaluations = 0;
        int averagingRounds = 0;
        int sinceEval = 0;
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
                int step = averagingRounds * training.averagingFrequency();
                double lr = schedule.valueAt(step + training.averagingFrequency() / 2, epoch);
                spark.getNetwork().setLearningRate(lr);
                long t0 = System.nanoTime();
                spark.fitMultiDataSet(data);
                trainSeconds += (System.nanoTime() - t0) / 1e9;
                seen += hi - lo;
                averagingRounds++;
                sinceEval++;
                boolean last = epoch == training.epochs() - 1 && hi == total;
                boolean outOfTime = trainSeconds > timeLimitSeconds;
                if (sinceEval < roundsPerEval && !last && !outOfTime) {
                    continue;
                }
                sinceEval = 0;
                evaluations++;
                ComputationGraph current = spark.getNetwork();
                BertMetrics m = BertEvaluator.evaluate(current, heldout, config, evalBatchSize);
                rounds.add(new BertRound(evaluations, seen, trainSeconds, m));
                if (early) {
                    double v = BertEvaluator.evaluate(current, validation, config, evalBatchSize).mlmLoss();
                    log.info("BERT evaluation {}: validation MLM loss {}", evaluations, String.format("%.4f", v));
                    if (v < bestValidation) {
                        bestValidation = v;
                        bestEvaluation = evaluations;
                        bestParams = current.params().dup();
                        bestUpdater = current.getUpdater().getStateViewArray() == null ? null
                                : current.getUpdater().getStateViewArray().dup();
                    }
                }
                log.info("BERT evaluation {} (epoch {}, {} averaging rounds, {} examples, {} s, lr {}): {}",
                        evaluations, epoch, averagingRounds, seen, String.format("%.1f", trainSeconds),
                        String.format("%.2e", lr), m);
                if (Double.isNaN(m.mlmLoss())) {
                    throw new IllegalStateException("BertSparkTrainer: held-out MLM loss is NaN after "
                            + averagingRounds + " averaging rounds (training diverged; lower the learning rate)");
                }
                if (outOfTime) {
                    indexed.unpersist();
                    break outer;
                }
            }
            indexed.unpersist();
        }
        ComputationGraph result = spark.getNetwork();
        if (early) {
            result.setParams(bestParams);
            if (bestUpdater != null) {
                result.getUpdater().getStateViewArray().assign(bestUpdater);
            }
            log.info("BERT early stopping: kept evaluation {} (validation MLM loss {})", bestEvaluation,
                    String.format("%.4f", bestValidation));
        }
        return new BertTrainResult(result, List.copyOf(rounds), early ? bestEvaluation : rounds.size() - 1);
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
