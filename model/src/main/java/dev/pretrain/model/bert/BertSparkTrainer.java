package dev.pretrain.model.bert;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-parallel BERT pretraining with DL4J Spark parameter averaging ({@link SparkComputationGraph} +
 * {@link ParameterAveragingTrainingMaster}, {@link RDDTrainingApproach#Direct}): each of {@code workers} replicas fits
 * {@code averagingFrequency} minibatches of {@code batchSizePerWorker} examples, then parameters and Adam state are
 * averaged on the driver. The caller's SparkConf should use Kryo with {@code org.nd4j.kryo.Nd4jRegistrator} and {@link BertKryoRegistrator} (see {@link BertKryoRegistrator#REGISTRATORS}).
 *
 * <p>Each epoch the training RDD is laid out once in a seeded random order ({@link EpochLayout}: seeded by
 * {@code 31 seed + epoch}, buckets of about 8 rounds' examples) and fitted one averaging round
 * ({@code workers x averagingFrequency x batchSizePerWorker} examples) at a time; a round reads only the buckets
 * holding its examples, so its cost does not grow with the training set, and deals them to the workers in a fixed
 * order (position {@code j} of the round to worker {@code j mod workers}), with the learning rate
 * of Google BERT's schedule ({@link WarmupSchedule}: linear warm-up, linear decay to 0 at the run's last step) set
 * by the driver before each round on every layer, as a {@link RoundSchedule} (per step, with Adam's bias correction
 * continued across rounds). The held-out set is evaluated on the driver with {@link BertEvaluator} once per epoch, or every
 * {@link #evaluateEveryRounds(int) N averaging rounds}, and at the end. {@link #timeLimitSeconds(double)} stops at
 * the first averaging round past the limit.
 *
 * <p><b>Per-round log.</b> After every averaging round a console line gives the round, training loss, tokens/s and
 * the ETA, and with {@link #roundLog(String)} a JSON-lines file (rewritten atomically each round) gets one object per
 * round: {@code round} (1-based averaging round), {@code epoch}, {@code examples_seen}, {@code tokens} (real,
 * input_mask = 1, tokens of the round), {@code round_seconds}, {@code train_seconds} (cumulative, evaluation
 * excluded), {@code tokens_per_second}, {@code examples_per_second}, {@code learning_rate}, {@code train_loss} (MLM +
 * NSP cross-entropy of the workers' last minibatch, MLM only without {@link #nextSentencePrediction NSP}, averaged
 * over workers: DL4J's score minus its weight-decay term),
 * {@code sync_bytes_broadcast} (float32 parameters and updater state the driver broadcasts: each executor fetches it
 * once), {@code sync_bytes_collected} (the same from each worker of the round back to the driver),
 * {@code outer_step_seconds} (with a stateful {@link OuterOptimizer}),
 * {@code train_regularization} (that term, {@code 0.5 x weightDecay x ||w||^2} of the averaged parameters; DL4J's score
 * includes it, so the score grows with the weights' norm and is not comparable to the
 * held-out losses), {@code eta_seconds}; rounds
 * with an evaluation add {@code evaluation} and the held-out {@code heldout_mlm_loss}, {@code heldout_mlm_accuracy},
 * {@code heldout_nsp_loss}, {@code heldout_nsp_accuracy} (only with NSP) and {@code validation_mlm_loss} (with early
 * stopping).
 *
 * <p><b>Without next-sentence prediction</b> ({@link #nextSentencePrediction nextSentencePrediction(false)}, for
 * instances with no sentence-pair label such as RoBERTa's FULL-SENTENCES packing, whose next_sentence_labels are all
 * 0): every batch masks the NSP output's labels out (label mask 0), so the NSP loss weighs 0 and the NSP layer and the
 * pooler get no gradient (decoupled weight decay still shrinks their weights); held-out NSP metrics are NaN in
 * {@link BertMetrics} and absent from the logs.
 *
 * <p><b>Synchronization.</b> Every round each worker runs {@code averagingFrequency} (H) Adam steps on its own
 * examples from the round's parameters; the driver averages the workers' parameters and Adam moments (DL4J), then
 * applies the {@link #outerOptimizer(OuterOptimizer) outer optimizer}: plain averaging by default, or DiLoCo's
 * Nesterov momentum / BMUF's block momentum on the averaged parameter delta (see {@link OuterOptimizer}); a larger H
 * synchronizes less often (local SGD).
 *
 * <p><b>Checkpoints.</b> With {@link BertTrainingConfig#checkpointDir()} set, a checkpoint
 * {@code checkpoint-NNNNNNNN.zip} (NNNNNNNN = averaging rounds done) is written every
 * {@link BertTrainingConfig#checkpointEvery()} rounds and at the end, atomically (a temporary sibling renamed into
 * place; the two newest are kept). It is a zip of {@code model.zip} (DL4J ModelSerializer zip with the Adam updater
 * state), {@code state.json} (round counter, examples seen, training seconds, evaluations, held-out metrics so far,
 * the per-round log, early-stopping best loss and evaluation, the run fingerprint, the state of the training
 * master's split RNG, a {@link SplitRng}, as one integer) and, with early stopping, {@code best_params.bin} and
 * {@code best_updater.bin}, and with a stateful outer optimizer {@code outer_momentum.bin} (raw little-endian float32). It holds no Java-serialised object; reading bounds every entry by the model's size
 * and refuses older formats (see {@link BertCheckpoint}). {@link #fit} resumes from the newest checkpoint in the
 * folder: it skips the rounds done (shuffles are a pure function of seed and epoch), restores the model, updater, counters and RNG, and continues, so
 * that a resumed run ends with the parameters of an uninterrupted one (up to the order of floating-point sums in the
 * averaging). A checkpoint of a different model config, training settings or training-set size is refused.
 */
public final class BertSparkTrainer {
    private static final Logger log = LoggerFactory.getLogger(BertSparkTrainer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHECKPOINTS_KEPT = 2;

    private final BertConfig config;
    private final BertTrainingConfig training;
    private int evalEveryRounds;
    private double timeLimitSeconds = Double.POSITIVE_INFINITY;
    private int evalBatchSize = 32;
    private ComputationGraph initialModel;
    private String roundLogPath;
    private boolean nextSentencePrediction = true;
    private OuterOptimizer outer = OuterOptimizer.average();
    private long examplesPerPartition;   // 0 = EpochLayout.DEFAULT_ROUNDS_PER_BUCKET rounds
    /** Test hook: throw after this many averaging rounds (after their checkpoint), simulating a killed driver. */
    int crashAfterRounds = -1;

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
     * Whether the examples' next_sentence_labels are real sentence-pair labels to train and report (default true);
     * false for instances without one (RoBERTa FULL-SENTENCES): NSP loss weight 0 and no NSP metrics (see the class
     * comment).
     */
    public BertSparkTrainer nextSentencePrediction(boolean enabled) {
        this.nextSentencePrediction = enabled;
        return this;
    }

    /**
     * The driver's outer optimizer over the workers' averaged parameters (default {@link OuterOptimizer#average()},
     * DL4J's plain parameter averaging; {@link OuterOptimizer#diloco()} for DiLoCo's Nesterov momentum). Each
     * averaging round is then one outer step after {@link BertTrainingConfig#averagingFrequency()} inner steps.
     */
    public BertSparkTrainer outerOptimizer(OuterOptimizer optimizer) {
        this.outer = java.util.Objects.requireNonNull(optimizer, "optimizer");
        return this;
    }

    /**
     * Target examples per bucket of the epoch layout ({@link EpochLayout}; default 8 averaging rounds' examples; rounded
     * up to a multiple of the round size): a round reads the one or two buckets holding its examples.
     */
    public BertSparkTrainer examplesPerPartition(long examples) {
        if (examples < 1) throw new IllegalArgumentException("examplesPerPartition must be >= 1");
        this.examplesPerPartition = examples;
        return this;
    }

    /** Hadoop path of the per-round JSON-lines log (see the class comment); null = console only. */
    public BertSparkTrainer roundLog(String path) {
        this.roundLogPath = path;
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
     *
     * @throws IllegalStateException if the checkpoint folder holds a checkpoint of another run (see the class comment)
     * @throws UncheckedIOException  if a checkpoint or the round log cannot be read or written
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
        long chunk = (long) workers * training.averagingFrequency() * batch;
        long roundsPerEpoch = (total + chunk - 1) / chunk;
        long totalRounds = roundsPerEpoch * training.epochs();
        boolean early = validation != null && !validation.isEmpty();
        Configuration hconf = sc.hadoopConfiguration();
        String fingerprint = fingerprint(total, early);
        BertCheckpoint.Saved resumed = training.checkpointDir() == null ? null
                : BertCheckpoint.loadLatest(training.checkpointDir(), hconf, fingerprint, config.parameterCount());

        State s = new State();
        ComputationGraph net;
        if (resumed != null) {
            net = resumed.model();
            s = resumed.state();
            log.info("BERT resuming from {} after {} of {} averaging rounds", resumed.path(), s.roundsDone, totalRounds);
        } else {
            net = initialModel != null ? initialModel : BertModel.build(config, training, totalSteps);
            // the updater layout (blocks of equal updater configs) then stays the same in every round
            BertModel.setSchedule(net, roundSchedule(net, 0, totalSteps));
            s.rounds.add(new BertRound(0, 0, 0.0, evaluate(net, heldout)));
            if (early) {
                s.bestValidation = evaluate(net, validation).mlmLoss();
                s.bestParams = net.params().dup();
                s.bestUpdater = net.getUpdater().getStateViewArray() != null
                        ? net.getUpdater().getStateViewArray().dup() : null;
            }
            log.info("BERT round 0: {}", s.rounds.get(0).heldout());
        }

        ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(workers, batch)
                .batchSizePerWorker(batch)
                .averagingFrequency(training.averagingFrequency())
                .workerPrefetchNumBatches(0)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                // the round's examples are already dealt to the workers by EpochLayout, in a seeded order
                .repartionData(Repartition.Never)
                .saveUpdater(true)
                .rngSeed(training.seed())
                .build();
        // a split RNG whose state a checkpoint stores as a number; a resumed run continues the saved one
        SplitRng.install(tm, new SplitRng(resumed != null && s.splitRngState != null ? s.splitRngState : training.seed()));
        SparkComputationGraph spark = new SparkComputationGraph(sc, net, tm);

        // One fit per averaging round, so that the learning rate can follow the schedule: DL4J's workers rebuild
        // their network for every averaging round with a fresh iteration counter (ComputationGraphConfiguration.clone
        // drops it), so a schedule inside the updater would restart its warm-up, and Adam its bias correction, each
        // round. Before each round the driver writes a RoundSchedule holding the round's first global step into
        // every layer's updater, the SameDiff layers included (DL4J's setLearningRate skips those).
        int roundsPerEval = evalEveryRounds > 0 ? evalEveryRounds : Integer.MAX_VALUE;
        WarmupSchedule schedule = new WarmupSchedule(training.learningRate(), training.warmupSteps(), totalSteps);
        final BertConfig cfg = config;
        final boolean nsp = nextSentencePrediction;
        // (partition, real tokens) of the round's batches; a partition computed twice (DL4J counts the RDD before
        // fitting it, and an evicted cached block is recomputed) reports the same count again, kept once
        CollectionAccumulator<long[]> tokens = sc.sc().collectionAccumulator("bert-real-tokens");
        double runSeconds = 0;   // training seconds of this process (for the ETA)
        int runRounds = 0;
        if (outer.stateful() && s.outerMomentum == null) {
            s.outerMomentum = net.params().dup().assign(0);
        }
        long bucket = examplesPerPartition > 0 ? (Math.max(chunk, examplesPerPartition) + chunk - 1) / chunk * chunk
                : EpochLayout.DEFAULT_ROUNDS_PER_BUCKET * chunk;
        EpochLayout layout = null;
        int layoutEpoch = -1;
        while (!s.finished && s.roundsDone < totalRounds) {
            int epoch = (int) (s.roundsDone / roundsPerEpoch);
            if (epoch != layoutEpoch) {
                if (layout != null) layout.close();
                long t0 = System.nanoTime();
                layout = EpochLayout.of(train, total, training.seed() * 31 + epoch, bucket);
                layoutEpoch = epoch;
                log.info("BERT epoch {} laid out in {} buckets of about {} examples ({} s)", epoch, layout.buckets(),
                        bucket, String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
            }
            final long lo = (s.roundsDone % roundsPerEpoch) * chunk;
            final long hi = Math.min(total, lo + chunk);
            tokens.reset();
            JavaRDD<MultiDataSet> data = layout.round(lo, hi, workers)
                    .mapPartitionsWithIndex((p, it) -> toBatches(p, it, batch, cfg, nsp, tokens), true);
            int step = s.roundsDone * training.averagingFrequency();
            // logged: the nominal rate at the middle of the round
            double lr = schedule.valueAt(step + training.averagingFrequency() / 2, epoch);
            BertModel.setSchedule(spark.getNetwork(), roundSchedule(spark.getNetwork(), step, totalSteps));
            long t0 = System.nanoTime();
            INDArray start = outer.stateful() ? spark.getNetwork().params().dup() : null;
            spark.fitMultiDataSet(data);
            double outerSeconds = 0;
            if (start != null) {
                long o0 = System.nanoTime();
                INDArray params = spark.getNetwork().params();
                outer.step(start, params, s.outerMomentum);
                spark.getNetwork().setParams(params);
                outerSeconds = (System.nanoTime() - o0) / 1e9;
            }
            double roundSeconds = (System.nanoTime() - t0) / 1e9;
            s.trainSeconds += roundSeconds;
            runSeconds += roundSeconds;
            runRounds++;
            s.seen += hi - lo;
            s.roundsDone++;
            s.sinceEval++;
            boolean last = s.roundsDone == totalRounds;
            boolean outOfTime = s.trainSeconds > timeLimitSeconds;

            double eta = (totalRounds - s.roundsDone) * (runSeconds / runRounds);
            if (Double.isFinite(timeLimitSeconds)) eta = Math.min(eta, Math.max(0, timeLimitSeconds - s.trainSeconds));
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("round", s.roundsDone);
            line.put("epoch", epoch);
            line.put("examples_seen", s.seen);
            long roundTokens = perPartitionTotal(tokens.value());
            line.put("tokens", roundTokens);
            line.put("round_seconds", round3(roundSeconds));
            if (start != null) line.put("outer_step_seconds", round3(outerSeconds));
            // DL4J sends the parameters and the updater state (Adam's two moments) to every worker and back
            long syncBytes = 4L * (spark.getNetwork().numParams() + (spark.getNetwork().getUpdater().getStateViewArray()
                    == null ? 0 : spark.getNetwork().getUpdater().getStateViewArray().length()));
            int active = (int) Math.min(workers, hi - lo);
            line.put("sync_bytes_broadcast", syncBytes);
            line.put("sync_bytes_collected", syncBytes * active);
            line.put("train_seconds", round3(s.trainSeconds));
            line.put("tokens_per_second", Math.round(roundTokens / roundSeconds));
            line.put("examples_per_second", round3((hi - lo) / roundSeconds));
            line.put("learning_rate", lr);
            // DL4J's score adds the weight-decay term 0.5 x wd x ||w||^2 (calcRegularizationScore) to the data loss;
            // logged apart, on the averaged parameters (the workers' differ from them by one round's updates)
            double regularization = spark.getNetwork().calcRegularizationScore(true);
            double trainLoss = spark.getScore() - regularization;
            line.put("train_loss", trainLoss);
            line.put("train_regularization", regularization);
            line.put("eta_seconds", Math.round(eta));
            log.info("BERT round {}/{} (epoch {}): train loss {}, {} tokens/s, lr {}, {} s trained, ETA {}",
                    s.roundsDone, totalRounds, epoch, String.format(Locale.ROOT, "%.4f", trainLoss),
                    Math.round(roundTokens / roundSeconds), String.format(Locale.ROOT, "%.2e", lr),
                    String.format(Locale.ROOT, "%.1f", s.trainSeconds), eta(eta));

            if (s.sinceEval >= roundsPerEval || last || outOfTime || hi == total && evalEveryRounds == 0) {
                s.sinceEval = 0;
                s.evaluations++;
                ComputationGraph current = spark.getNetwork();
                BertMetrics m = evaluate(current, heldout);
                s.rounds.add(new BertRound(s.evaluations, s.seen, s.trainSeconds, m));
                line.put("evaluation", s.evaluations);
                line.put("heldout_mlm_loss", m.mlmLoss());
                line.put("heldout_mlm_accuracy", m.mlmAccuracy());
                if (m.hasNsp()) {
                    line.put("heldout_nsp_loss", m.nspLoss());
                    line.put("heldout_nsp_accuracy", m.nspAccuracy());
                }
                if (early) {
                    double v = evaluate(current, validation).mlmLoss();
                    line.put("validation_mlm_loss", v);
                    log.info("BERT evaluation {}: validation MLM loss {}", s.evaluations, String.format(Locale.ROOT, "%.4f", v));
                    if (v < s.bestValidation) {
                        s.bestValidation = v;
                        s.bestEvaluation = s.evaluations;
                        s.bestParams = current.params().dup();
                        s.bestUpdater = current.getUpdater().getStateViewArray() == null ? null
                                : current.getUpdater().getStateViewArray().dup();
                    }
                }
                log.info("BERT evaluation {} (epoch {}, {} averaging rounds, {} examples, {} s, lr {}): {}",
                        s.evaluations, epoch, s.roundsDone, s.seen, String.format(Locale.ROOT, "%.1f", s.trainSeconds),
                        String.format(Locale.ROOT, "%.2e", lr), m);
                if (Double.isNaN(m.mlmLoss())) {
                    throw new IllegalStateException("BertSparkTrainer: held-out MLM loss is NaN after "
                            + s.roundsDone + " averaging rounds (training diverged; lower the learning rate)");
                }
            }
            s.log.add(line);
            writeRoundLog(s.log, hconf);
            s.finished = outOfTime || last;
            boolean due = training.checkpointEvery() > 0 && s.roundsDone % training.checkpointEvery() == 0;
            if (training.checkpointDir() != null && (due || s.finished)) {
                s.splitRngState = SplitRng.stateOf(tm);
                BertCheckpoint.save(training.checkpointDir(), hconf, fingerprint, spark.getNetwork(), s, CHECKPOINTS_KEPT);
            }
            if (crashAfterRounds >= 0 && s.roundsDone >= crashAfterRounds) {
                throw new IllegalStateException("BertSparkTrainer: simulated crash after " + s.roundsDone + " rounds");
            }
        }
        if (layout != null) layout.close();
        ComputationGraph result = spark.getNetwork();
        if (early) {
            result.setParams(s.bestParams);
            if (s.bestUpdater != null) {
                result.getUpdater().getStateViewArray().assign(s.bestUpdater);
            }
            log.info("BERT early stopping: kept evaluation {} (validation MLM loss {})", s.bestEvaluation,
                    String.format(Locale.ROOT, "%.4f", s.bestValidation));
        }
        return new BertTrainResult(result, List.copyOf(s.rounds), early ? s.bestEvaluation : s.rounds.size() - 1);
    }

    /** Held-out metrics of {@code net} on {@code examples}, NSP included only with {@link #nextSentencePrediction}. */
    private BertMetrics evaluate(ComputationGraph net, List<BertExample> examples) {
        return BertEvaluator.evaluate(net, examples, config, evalBatchSize, nextSentencePrediction);
    }

    /** The schedule of the averaging round starting at global (per-worker) step {@code step}. */
    private RoundSchedule roundSchedule(ComputationGraph net, int step, int totalSteps) {
        double[] betas = BertModel.adamBetas(net);
        return new RoundSchedule(training.learningRate(), training.warmupSteps(), totalSteps, step, betas[0], betas[1]);
    }

    /** Mutable training-loop state; everything a checkpoint needs besides the model. */
    static final class State {
        int roundsDone;
        long seen;
        double trainSeconds;
        int evaluations;
        int sinceEval;
        boolean finished;
        List<BertRound> rounds = new ArrayList<>();
        List<Map<String, Object>> log = new ArrayList<>();
        double bestValidation = Double.NaN;
        int bestEvaluation;
        INDArray bestParams;
        INDArray bestUpdater;
        /** State of the training master's {@link SplitRng}; null when it could not be installed. */
        Long splitRngState;
        /** The {@link OuterOptimizer}'s momentum buffer, float32 [numParams]; null for plain averaging. */
        INDArray outerMomentum;
    }

    /** What must match between a checkpoint and the run resuming from it. */
    String fingerprint(long totalExamples, boolean early) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("config", config.toJson().replaceAll("\\s+", ""));
        f.put("batch_size_per_worker", training.batchSizePerWorker());
        f.put("averaging_frequency", training.averagingFrequency());
        f.put("workers", training.workers());
        f.put("epochs", training.epochs());
        f.put("learning_rate", training.learningRate());
        f.put("weight_decay", training.weightDecay());
        f.put("warmup_steps", training.warmupSteps());
        f.put("seed", training.seed());
        f.put("train_examples", totalExamples);
        f.put("early_stopping", early);
        f.put("next_sentence_prediction", nextSentencePrediction);
        // absent for plain averaging, so that its checkpoints keep their fingerprint
        if (outer.stateful()) f.put("outer_optimizer", outer.toString());
        try {
            return JSON.writeValueAsString(f);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void writeRoundLog(List<Map<String, Object>> lines, Configuration hconf) {
        if (roundLogPath == null) return;
        StringBuilder sb = new StringBuilder();
        try {
            for (Map<String, Object> l : lines) sb.append(JSON.writeValueAsString(l)).append('\n');
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        BertCheckpoint.writeAtomically(roundLogPath, hconf, out -> out.write(bytes));
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String eta(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    /** SplitMix64 finaliser: a seeded pseudo-random sort key. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * The sum over partitions of {@code (partition, count)} pairs, each partition counted once (its last pair): a task
     * that ran more than once for the same partition (a retry, a recomputation) adds no more.
     */
    static long perPartitionTotal(List<long[]> pairs) {
        Map<Long, Long> byPartition = new HashMap<>();
        for (long[] p : pairs) byPartition.put(p[0], p[1]);
        long total = 0;
        for (long v : byPartition.values()) total += v;
        return total;
    }

    private static Iterator<MultiDataSet> toBatches(int partition, Iterator<BertExample> it, int batch, BertConfig cfg,
                                                    boolean nsp, CollectionAccumulator<long[]> tokens) {
        List<MultiDataSet> out = new ArrayList<>();
        List<BertExample> cur = new ArrayList<>(batch);
        long real = 0;
        while (it.hasNext()) {
            BertExample e = it.next();
            for (int m : e.inputMask()) if (m != 0) real++;
            cur.add(e);
            if (cur.size() == batch) {
                out.add(BertBatches.toMultiDataSet(cur, cfg, nsp));
                cur = new ArrayList<>(batch);
            }
        }
        if (!cur.isEmpty()) out.add(BertBatches.toMultiDataSet(cur, cfg, nsp));
        tokens.add(new long[] {partition, real});
        return out.iterator();
    }

    /** Writes bytes somewhere. */
    @FunctionalInterface
    interface Body {
        void write(OutputStream out) throws IOException;
    }

    static byte[] bytes(Body body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            body.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    static FileSystem fs(Path p, Configuration conf) {
        try {
            return p.getFileSystem(conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the file system of " + p, e);
        }
    }
}
