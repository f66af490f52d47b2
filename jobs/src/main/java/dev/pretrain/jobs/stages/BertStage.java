package dev.pretrain.jobs.stages;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.examples.mlm.DynamicMasker;
import dev.pretrain.examples.mlm.MaskedLmConfig;
import dev.pretrain.examples.mlm.MaskingMode;
import dev.pretrain.examples.mlm.PretrainingDataGenerator;
import dev.pretrain.examples.mlm.PretrainingTask;
import dev.pretrain.examples.mlm.SpecialIds;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.OutputMarker;
import dev.pretrain.jobs.spark.Rows;
import dev.pretrain.jobs.spark.SparkSizing;
import dev.pretrain.model.bert.BertConfig;
import dev.pretrain.model.bert.BertConfigFile;
import dev.pretrain.model.bert.BertExample;
import dev.pretrain.model.bert.BertMetrics;
import dev.pretrain.model.bert.BertModelIO;
import dev.pretrain.model.bert.BertRound;
import dev.pretrain.model.bert.BertSparkTrainer;
import dev.pretrain.model.bert.BertTrainResult;
import dev.pretrain.model.bert.BertTrainingConfig;
import dev.pretrain.model.bert.OuterOptimizer;

/**
 * {@code train-bert}: a BERT-style encoder (MLM + NSP) trained on the MLM/NSP instances with DL4J
 * parameter averaging ({@code ParameterAveragingTrainingMaster}) over the Spark workers.
 *
 * <p>Examples written with {@code masking=dynamic} (RoBERTa; {@code dynamic_masking.json} next to {@code train/})
 * are masked here, each epoch with its own masks from {@link DynamicMasker} (seed, instance_id, epoch); the
 * held-out examples carry fixed epoch-0 masks.
 *
 * <p>The examples' task comes from their {@code examples_config.json} ({@link #pretrainingTask}). With
 * {@code full_sentences} (RoBERTa packing) next_sentence_labels are no label (all 0): the NSP loss weighs 0 (the NSP
 * layer and pooler get no gradient, see {@link BertSparkTrainer#nextSentencePrediction}) and no NSP figure is
 * reported (absent from metrics.jsonl, rounds.jsonl and the report). Examples without that file (written before it
 * existed) are trained with NSP, as before.
 *
 * <p>Outputs: {@code model.zip} (DL4J ComputationGraph, updater state included),
 * {@code config.json} (BERT config keys), {@code vocab.txt}, {@code metrics.jsonl} (one JSON
 * object per evaluation round; round 0 is the untrained model on the held-out instances; NSP keys only with NSP),
 * {@code rounds.jsonl} (one JSON object per averaging round, written while training). With a checkpoint folder in the training config,
 * training resumes from its newest checkpoint.
 */
public final class BertStage {
    /**
     * Training settings. The architecture is either {@code model}, a size name of {@link BertConfig#preset}
     * (tiny, mini, small, medium: Turc et al. 2019; base, large: Devlin et al. 2019; null: tiny), or
     * {@code bertConfig}, a Google {@code bert_config.json} / HF {@code config.json} (any Hadoop path, read with
     * {@link BertConfigFile}); giving both is an error. The held-out set is
     * evaluated every {@code evalEveryRounds} averaging rounds (0: once per epoch); with
     * {@code timeLimitSeconds} > 0 training stops after the first evaluation past that wall time. With
     * {@code validationExamples} > 0, that many further held-out instances (disjoint from the reported ones) select
     * the saved model by early stopping on their MLM loss.
     */
    public record Options(String examples, String vocab, String output, String model, BertTrainingConfig training,
                          int maxTrainExamples, int maxHeldoutExamples, int evalEveryRounds, double timeLimitSeconds,
                          int validationExamples, String bertConfig, OuterOptimizer outer) {
        /** Options with plain parameter averaging ({@link OuterOptimizer#average()}). */
        public Options(String examples, String vocab, String output, String model, BertTrainingConfig training,
                       int maxTrainExamples, int maxHeldoutExamples, int evalEveryRounds, double timeLimitSeconds,
                       int validationExamples, String bertConfig) {
            this(examples, vocab, output, model, training, maxTrainExamples, maxHeldoutExamples, evalEveryRounds,
                    timeLimitSeconds, validationExamples, bertConfig, OuterOptimizer.average());
        }

        /** Options with a named model size (no config file). */
        public Options(String examples, String vocab, String output, String model, BertTrainingConfig training,
                       int maxTrainExamples, int maxHeldoutExamples, int evalEveryRounds, double timeLimitSeconds,
                       int validationExamples) {
            this(examples, vocab, output, model, training, maxTrainExamples, maxHeldoutExamples, evalEveryRounds,
                    timeLimitSeconds, validationExamples, null);
        }
    }

    private BertStage() {}

    public static String modelFile(String dir) {
        return HadoopFiles.join(dir, "model.zip");
    }

    public static String configFile(String dir) {
        return HadoopFiles.join(dir, "config.json");
    }

    public static String metricsFile(String dir) {
        return HadoopFiles.join(dir, "metrics.jsonl");
    }

    /** One JSON object per averaging round (train loss, tokens/s, ETA; see BertSparkTrainer), rewritten each round. */
    public static String roundsFile(String dir) {
        return HadoopFiles.join(dir, "rounds.jsonl");
    }

    public static StageReport run(SparkSession spark, Options o) {
        StageReport report = new StageReport("train-bert");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        OutputMarker.claim(o.output(), report.stage(), hconf);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Vocab vocab = VocabStage.readVocab(o.vocab(), hconf);
        Dataset<Row> train = readExamples(spark, ExamplesStage.train(o.examples()), o.maxTrainExamples());
        List<BertExample> heldout = new ArrayList<>();
        List<BertExample> validation = new ArrayList<>();
        int limit = o.maxHeldoutExamples() > 0 && o.validationExamples() > 0
                ? o.maxHeldoutExamples() + o.validationExamples() : o.maxHeldoutExamples();
        for (Row r : readExamples(spark, ExamplesStage.heldout(o.examples()), limit).collectAsList()) {
            (heldout.size() < o.maxHeldoutExamples() || o.maxHeldoutExamples() <= 0 ? heldout : validation)
                    .add(toExample(r));
        }
        if (heldout.isEmpty()) {
            throw new IllegalArgumentException("no held-out instances under " + o.examples());
        }
        BertConfig cfg = config(o, vocab.size(), heldout.get(0), hconf, report);
        checkSparkSizing(spark, cfg, o.training().workers(), report);
        PretrainingTask task = pretrainingTask(o.examples(), hconf);
        boolean nsp = task != PretrainingTask.FULL_SENTENCES;
        DynamicMasker masker = dynamicMasker(o.examples(), vocab, hconf);
        BertTrainingConfig training = o.training();
        JavaRDD<BertExample> trainRdd;
        if (masker == null) {
            trainRdd = train.javaRDD().map(BertStage::toExample);
        } else {
            // RoBERTa dynamic masking: every epoch gets its own masks, seeded by (seed, instance_id, epoch). The
            // trainer sees one pass over the union of the masked epochs (same number of steps, so the same
            // learning-rate schedule); its seeded shuffle interleaves the epochs' copies.
            JavaRDD<Row> rows = train.javaRDD().persist(StorageLevel.DISK_ONLY());
            trainRdd = null;
            for (int epoch = 0; epoch < Math.max(1, training.epochs()); epoch++) {
                final int e = epoch;
                JavaRDD<BertExample> masked = rows.map(r -> toExample(ExamplesStage.maskRow(r, masker, e)));
                trainRdd = trainRdd == null ? masked : trainRdd.union(masked);
            }
            report.put("dynamic_masking_epochs", Math.max(1, training.epochs()));
            training = new BertTrainingConfig(training.batchSizePerWorker(), training.averagingFrequency(),
                    training.workers(), Math.min(1, training.epochs()), training.learningRate(),
                    training.weightDecay(), training.warmupSteps(), training.seed(), training.checkpointDir(),
                    training.checkpointEvery());
        }
        report.put("dynamic_masking", masker != null);

        BertSparkTrainer trainer = new BertSparkTrainer(cfg, training).evaluateEveryRounds(o.evalEveryRounds())
                .nextSentencePrediction(nsp).roundLog(roundsFile(o.output()))
                .outerOptimizer(o.outer() == null ? OuterOptimizer.average() : o.outer());
        if (o.timeLimitSeconds() > 0) {
            trainer.timeLimitSeconds(o.timeLimitSeconds());
        }
        BertTrainResult result = trainer.fit(jsc, trainRdd, heldout, validation);

        HadoopFiles.writeAtomically(modelFile(o.output()), hconf, out -> BertModelIO.save(result.model(), out));
        HadoopFiles.writeString(configFile(o.output()), hconf, cfg.toJson() + "\n");
        HadoopFiles.copy(o.vocab(), HadoopFiles.join(o.output(), "vocab.txt"), hconf);
        List<Map<String, Object>> rounds = new ArrayList<>();
        StringBuilder jsonl = new StringBuilder();
        for (BertRound r : result.rounds()) {
            Map<String, Object> m = roundJson(r);
            rounds.add(m);
            jsonl.append(StageReport.toJson(m).replaceAll("\\s*\\n\\s*", " ")).append('\n');
        }
        HadoopFiles.writeString(metricsFile(o.output()), hconf, jsonl.toString());

        BertMetrics first = result.rounds().get(0).heldout();
        BertMetrics last = result.rounds().get(result.kept()).heldout();
        report.put("model", o.bertConfig() != null ? o.bertConfig() : o.model() == null ? "tiny" : o.model());
        report.put("config", cfg);
        report.put("parameters", cfg.parameterCount());
        report.put("pretraining_task",
                task == null ? "unrecorded (no " + ExamplesStage.CONFIG_FILE + ")" : task.optionName());
        report.put("next_sentence_prediction", nsp);
        report.put("training", o.training());
        report.put("outer_optimizer", o.outer() == null ? "average" : o.outer().toString());
        report.put("train_instances", trainRdd.count());
        report.put("heldout_instances", heldout.size());
        report.put("validation_instances", validation.size());
        report.put("kept_evaluation", result.kept());
        report.put("heldout_mlm_loss_step0", first.mlmLoss());
        report.put("heldout_mlm_loss_final", last.mlmLoss());
        report.put("heldout_mlm_loss_reduction", 1.0 - last.mlmLoss() / first.mlmLoss());
        report.put("heldout_mlm_accuracy_final", last.mlmAccuracy());
        if (nsp) {
            report.put("heldout_nsp_accuracy_final", last.nspAccuracy());
        }
        report.put("heldout_mlm_unigram_accuracy", unigramAccuracy(heldout));
        if (nsp) {
            report.put("heldout_nsp_majority_accuracy", nspMajorityAccuracy(heldout));
        }
        report.put("rounds", rounds);
        report.put("output", o.output());
        return report.finish();
    }

    /**
     * The unigram baseline of MLM accuracy: the share of the most frequent masked_lm_ids label among the real
     * predictions (masked_lm_weights &gt; 0) of {@code examples}, i.e. the accuracy of always predicting that token.
     * Taken on the evaluated examples themselves, so it is an upper bound of any unigram model's accuracy there.
     * 0 when there is no real prediction.
     */
    static double unigramAccuracy(List<BertExample> examples) {
        Map<Integer, Long> counts = new java.util.HashMap<>();
        long total = 0;
        for (BertExample e : examples) {
            for (int i = 0; i < e.maskedLmIds().length; i++) {
                if (e.maskedLmWeights()[i] > 0) {
                    counts.merge(e.maskedLmIds()[i], 1L, Long::sum);
                    total++;
                }
            }
        }
        long top = counts.values().stream().mapToLong(Long::longValue).max().orElse(0);
        return total == 0 ? 0 : (double) top / total;
    }

    /** The NSP majority baseline: the share of the more frequent next_sentence_label in {@code examples} (0 if none). */
    static double nspMajorityAccuracy(List<BertExample> examples) {
        long next = examples.stream().filter(e -> e.nextSentenceLabel() == 0).count();
        return examples.isEmpty() ? 0 : (double) Math.max(next, examples.size() - next) / examples.size();
    }

    static Map<String, Object> roundJson(BertRound r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("round", r.round());
        m.put("examples_seen", r.examplesSeen());
        m.put("seconds", Math.round(r.seconds() * 100) / 100.0);
        m.put("heldout_mlm_loss", r.heldout().mlmLoss());
        m.put("heldout_mlm_accuracy", r.heldout().mlmAccuracy());
        if (r.heldout().hasNsp()) {
            m.put("heldout_nsp_loss", r.heldout().nspLoss());
            m.put("heldout_nsp_accuracy", r.heldout().nspAccuracy());
        }
        return m;
    }

    /**
     * The model's config: the named size or the config file of {@code o}, for this vocabulary and the examples'
     * sequence/prediction lengths. The config file's warnings (e.g. dropout that is not applied) are printed to
     * stderr and listed under {@code config_warnings} in the report.
     *
     * @throws IllegalArgumentException if both a size and a file are given, the size is unknown, or the file is
     *                                  refused by {@link BertConfigFile#parse}
     */
    static BertConfig config(Options o, int vocabSize, BertExample sample, Configuration hconf, StageReport report) {
        if (o.bertConfig() == null) {
            return config(o.model() == null ? "tiny" : o.model(), vocabSize, sample);
        }
        if (o.model() != null) {
            throw new IllegalArgumentException("give either a model size (--model / bert.model, here '" + o.model()
                    + "') or a config file (--bert-config / bert.bert_config, here " + o.bertConfig() + "), not both");
        }
        BertConfigFile.Result r = BertConfigFile.parse(HadoopFiles.readString(o.bertConfig(), hconf), o.bertConfig(),
                vocabSize, o.vocab(), sample.inputIds().length, sample.maskedLmPositions().length);
        r.warnings().forEach(System.err::println);
        if (!r.warnings().isEmpty()) {
            report.put("config_warnings", r.warnings());
        }
        return r.config();
    }

    /**
     * Compares the session's settings with {@link SparkSizing#forBert} (Spark's conf is fixed once the session
     * runs, so nothing is changed): each setting that is too small is printed to stderr as a warning with the value
     * to set, and the recommended values go to the report under {@code spark_sizing}.
     *
     * @throws IllegalArgumentException if the model is too large for Kryo (see {@link SparkSizing})
     */
    static void checkSparkSizing(SparkSession spark, BertConfig cfg, int workers, StageReport report) {
        org.apache.spark.SparkConf conf = spark.sparkContext().getConf();
        int tasks = Math.max(1, conf.getInt("spark.executor.cores", 1) / Math.max(1, conf.getInt("spark.task.cpus", 1)));
        SparkSizing.Sizes sizes = SparkSizing.forBert(cfg, Math.max(1, workers), tasks);
        List<String> low = SparkSizing.tooSmall(conf, sizes);
        for (String l : low) {
            System.err.println("warning: train-bert (" + sizes.parameters() + " parameters): " + l
                    + "; pass it with --conf to spark-submit or in spark-defaults.conf");
        }
        Map<String, Object> m = new LinkedHashMap<>(sizes.asConf());
        m.put("too_small", low);
        report.put("spark_sizing", m);
    }

    /** The named model size for this vocabulary and the examples' sequence/prediction lengths. */
    static BertConfig config(String model, int vocabSize, BertExample sample) {
        return BertConfig.preset(model, vocabSize).withSequence(sample.inputIds().length, sample.maskedLmPositions().length);
    }

    /**
     * Reads MLM/NSP instances (ExamplesStage schema), at most {@code limit} (0: all); the {@code instance_id} column
     * of dynamic-masking output is kept (last).
     *
     * <p>With a limit, the instances kept are chosen by their content, not by where they lie: the {@code limit}
     * smallest by (xxhash64 of input_ids, segment_ids, masked_lm_positions, masked_lm_ids, next_sentence_labels; then
     * those columns), in that order (Spark's top-k, {@code TakeOrderedAndProject}: each task keeps at most
     * {@code limit} rows). A plain {@code limit} does not choose rows by content: which rows it keeps depends on the file
     * splits (ordered by size) and on the order in which Spark's tasks deliver them, so the same examples read by two
     * runs (e.g. a {@code pipeline --resume} after a killed driver, ExecutorLossIT) gave train-bert different training
     * sets (issue 20).
     */
    static Dataset<Row> readExamples(SparkSession spark, String dir, int limit) {
        Dataset<Row> all = spark.read().parquet(dir);
        List<String> cols = new ArrayList<>(List.of("input_mask", "segment_ids",
                "masked_lm_positions", "masked_lm_ids", "masked_lm_weights", "next_sentence_labels"));
        if (List.of(all.columns()).contains(ExamplesStage.INSTANCE_ID)) {
            cols.add(ExamplesStage.INSTANCE_ID);
        }
        Dataset<Row> df = all.select("input_ids", cols.toArray(new String[0]));
        if (limit <= 0) {
            return df;
        }
        org.apache.spark.sql.Column[] key = {org.apache.spark.sql.functions.col("input_ids"),
                org.apache.spark.sql.functions.col("segment_ids"),
                org.apache.spark.sql.functions.col("masked_lm_positions"),
                org.apache.spark.sql.functions.col("masked_lm_ids"),
                org.apache.spark.sql.functions.col("next_sentence_labels")};
        List<org.apache.spark.sql.Column> order = new ArrayList<>();
        order.add(org.apache.spark.sql.functions.xxhash64(key));
        order.addAll(List.of(key));
        return df.orderBy(order.toArray(new org.apache.spark.sql.Column[0])).limit(limit);
    }

    /**
     * The task the MLM examples under {@code examples} were made for, from their {@link ExamplesStage#CONFIG_FILE};
     * null when the folder has no such file (examples written before it existed).
     *
     * @throws IllegalArgumentException naming the file if it is not JSON or its {@code task} is missing or unknown
     */
    public static PretrainingTask pretrainingTask(String examples, Configuration hconf) {
        String file = HadoopFiles.join(examples, ExamplesStage.CONFIG_FILE);
        if (!HadoopFiles.exists(file, hconf)) {
            return null;
        }
        com.fasterxml.jackson.databind.JsonNode n;
        try {
            n = StageReport.JSON.readTree(HadoopFiles.readString(file, hconf));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.path("task").isTextual()) {
            throw new IllegalArgumentException(file + ": missing 'task' (nsp, sop or full_sentences)");
        }
        try {
            return PretrainingTask.parse(n.get("task").asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The {@link DynamicMasker} of examples written with {@code masking=dynamic} (their {@code dynamic_masking.json}),
     * or null for statically masked examples.
     *
     * @throws IllegalArgumentException if the file exists but lacks a setting
     */
    public static DynamicMasker dynamicMasker(String examples, Vocab vocab, Configuration hconf) {
        String file = HadoopFiles.join(examples, ExamplesStage.DYNAMIC_MASKING_FILE);
        if (!HadoopFiles.exists(file, hconf)) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(HadoopFiles.readString(file, hconf));
            for (String k : List.of("max_predictions_per_seq", "masked_lm_prob", "whole_word_masking", "seed")) {
                if (!n.has(k)) {
                    throw new IllegalArgumentException(file + ": missing '" + k + "'");
                }
            }
            MaskedLmConfig mc = MaskedLmConfig.defaults()
                    .withMaxPredictionsPerSeq(n.get("max_predictions_per_seq").asInt())
                    .withWholeWordMasking(n.get("whole_word_masking").asBoolean())
                    .withSeed(n.get("seed").asLong())
                    .withMasking(MaskingMode.DYNAMIC);
            mc = new MaskedLmConfig(mc.maxSeqLength(), mc.maxPredictionsPerSeq(), n.get("masked_lm_prob").asDouble(),
                    mc.shortSeqProb(), 1, mc.seed(), mc.wholeWordMasking(), mc.task(), mc.masking());
            SpecialIds ids = new SpecialIds(vocab.padId(), vocab.clsId(), vocab.sepId(), vocab.maskId(), vocab.size());
            return new DynamicMasker(mc, ids, PretrainingDataGenerator.continuationFlags(vocab.tokens()));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    static BertExample toExample(Row r) {
        return new BertExample(Rows.ints(r, 0), Rows.ints(r, 1), Rows.ints(r, 2), Rows.ints(r, 3), Rows.ints(r, 4),
                Rows.floats(r, 5), r.getInt(6));
    }
}
