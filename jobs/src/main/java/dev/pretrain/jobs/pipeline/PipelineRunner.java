package dev.pretrain.jobs.pipeline;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.examples.mlm.MaskedLmConfig;
import dev.pretrain.jobs.report.ConsoleProgress;
import dev.pretrain.jobs.report.RunSummary;
import dev.pretrain.jobs.report.SummaryHtml;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.report.TaskFailureCounter;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.OutputMarker;
import dev.pretrain.jobs.stages.BertStage;
import dev.pretrain.jobs.stages.EvaluateStage;
import dev.pretrain.jobs.stages.ExamplesStage;
import dev.pretrain.jobs.stages.ExportStage;
import dev.pretrain.jobs.stages.IngestStage;
import dev.pretrain.jobs.stages.TokenizeStage;
import dev.pretrain.jobs.stages.VocabStage;
import dev.pretrain.jobs.stages.Word2VecStage;
import dev.pretrain.model.bert.BertTrainingConfig;
import dev.pretrain.model.bert.OuterOptimizer;
import dev.pretrain.model.word2vec.SgnsConfig;

/**
 * Runs every stage in order on one Spark session, each on the previous stage's output under the
 * run folder ({@link RunLayout}); writes each stage's report, then {@code report.json} and
 * {@code summary.md}. The run folder must be new, empty or an earlier run's ({@link OutputMarker}); each
 * stage's folder in it is checked and marked by the stage.
 *
 * <p>Each finished stage gets a completion marker holding its fingerprint ({@link StageCompletion},
 * {@link StageFingerprint}). With {@code resume}, a stage whose marker matches its fingerprint now, and none of whose
 * inputs ran again, is reused instead of run ({@link StageRunner}); train-bert, when it runs again with
 * {@code bert.checkpoint_every} &gt; 0, resumes from the newest checkpoint of the same fingerprint
 * ({@link CheckpointOwner}). Stage dependencies (which outputs each stage reads): vocab &larr; ingest; tokenize &larr;
 * ingest, vocab; examples-mlm &larr; tokenize, vocab; examples-skipgram &larr; ingest; train-word2vec &larr; ingest;
 * train-bert &larr; examples-mlm, vocab; evaluate &larr; train-word2vec, train-bert, examples-mlm; export &larr;
 * train-word2vec, train-bert.
 */
public final class PipelineRunner {
    private PipelineRunner() {}

    /** Runs every stage ({@link #run(SparkSession, PipelineConfig, boolean)} without resume). */
    public static Map<String, Object> run(SparkSession spark, PipelineConfig c) {
        return run(spark, c, false);
    }

    /**
     * Runs the pipeline; with {@code resume}, reuses the stages whose completed output matches their fingerprint.
     *
     * @return the run's report (also written as report.json): run, config, stages (each reused one with
     *         {@code "reused": true}), summary
     */
    public static Map<String, Object> run(SparkSession spark, PipelineConfig c, boolean resume) {
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        RunLayout run = new RunLayout(c.output);
        OutputMarker.claim(c.output, "pipeline", hconf);
        long t0 = System.nanoTime();
        ConsoleProgress progress = ConsoleProgress.install(spark.sparkContext()); // stderr, with ETA
        TaskFailureCounter taskCounter = TaskFailureCounter.install(spark.sparkContext());
        StageRunner stages = new StageRunner(run, hconf, resume, spark.sparkContext(), taskCounter);
        String started = Instant.now().toString();

        List<SourceSpec> sources = new ArrayList<>();
        List<String> sourceUris = new ArrayList<>();
        for (PipelineConfig.Source s : c.ingest.sources) {
            sources.add(s.toSpec());
            sourceUris.add(s.uri);
        }
        if (c.ingest.filters.urlBlocklist != null) {
            sourceUris.add(c.ingest.filters.urlBlocklist); // the block list is an input of ingest too
        }
        PipelineConfig.Ingest ig = c.ingest;
        stages.stage("ingest", run.documents(), List.of(), cfg("ingest", ig, "seed", c.seed),
                StageFingerprint.files(sourceUris, hconf), fp -> IngestStage.run(spark, new IngestStage.Options(
                        sources, run.documents(), ig.language, ig.minChars, ig.minSentences, ig.targetShardMb << 20,
                new IngestStage.Filters(ig.maxChars, ig.maxSymbolRatio, ig.maxRepeatedLineRatio, ig.dropInvalidUtf8,
                        ig.maxDocumentChars),
                new IngestStage.NearDup(ig.nearDup, ig.nearDupThreshold, ig.nearDupHashTables,
                        IngestStage.NearDup.DEFAULT.shingleWords(), IngestStage.NearDup.DEFAULT.numFeatures(), c.seed),
                true, PipelineConfig.bytes("ingest.split_bytes", ig.splitBytes), ig.webFilters())));
        stages.stage("vocab", run.vocab(), List.of("ingest"), cfg("vocab", c.vocab),
                StageFingerprint.files(Collections.singletonList(c.vocab.existing), hconf),
                fp -> VocabStage.run(spark, new VocabStage.Options(run.documents(), run.vocab(),
                c.vocab.size, c.vocab.minFrequency, c.vocab.lowercase, c.vocab.numUnused, c.vocab.existing,
                dev.pretrain.corpus.tokenize.WordPieceTrainer.Algorithm.parse(c.vocab.algorithm), false)));
        stages.stage("tokenize", run.tokenized(), List.of("ingest", "vocab"),
                cfg("tokenize", c.tokenize, "vocab.lowercase", c.vocab.lowercase), Map.of(),
                fp -> TokenizeStage.run(spark, new TokenizeStage.Options(run.documents(),
                run.vocabFile(), run.tokenized(), c.vocab.lowercase, c.tokenize.maxCharsPerWord, false)));
        PipelineConfig.Examples e = c.examples;
        MaskedLmConfig mlm = new MaskedLmConfig(e.maxSeqLength, e.maxPredictionsPerSeq, e.maskedLmProb,
                e.shortSeqProb, e.dupeFactor, c.seed, e.wholeWordMasking,
                dev.pretrain.examples.mlm.PretrainingTask.parse(e.task),
                dev.pretrain.examples.mlm.MaskingMode.parse(e.masking));
        ObjectNode mlmSection = StageFingerprint.CANONICAL.valueToTree(e);
        mlmSection.remove("skipgram"); // read by examples-skipgram only
        stages.stage("examples-mlm", run.mlmExamples(), List.of("tokenize", "vocab"),
                cfg("examples", mlmSection, "seed", c.seed), Map.of(),
                fp -> ExamplesStage.runMlm(spark, new ExamplesStage.MlmOptions(run.tokenized(),
                run.vocabFile(), run.mlmExamples(), mlm, e.shards, e.targetShardTokens, e.heldoutFraction,
                ExamplesStage.OutputFormat.PARQUET, e.binSize)));
        PipelineConfig.Word2Vec w = c.word2vec;
        if (e.skipgram.enabled) {
            stages.stage("examples-skipgram", run.skipGramExamples(), List.of("ingest"),
                    cfg("examples.skipgram", e.skipgram, "word2vec.window", w.window, "word2vec.negative", w.negative,
                            "word2vec.sample", w.sample, "word2vec.min_count", w.minCount, "seed", c.seed),
                    Map.of(), fp -> ExamplesStage.runSkipGram(spark, new ExamplesStage.SkipGramOptions(
                    run.documents(), run.skipGramExamples(), w.window, w.negative, w.sample, w.minCount,
                    e.skipgram.fraction, c.seed)));
        }
        SgnsConfig sgns = new SgnsConfig(w.dim, w.window, w.negative, w.sample, w.alpha, w.minAlpha, w.epochs,
                w.threadsPerPartition, c.seed);
        stages.stage("train-word2vec", run.word2vec(), List.of("ingest"), cfg("word2vec", w, "seed", c.seed),
                Map.of(), fp -> Word2VecStage.run(spark, new Word2VecStage.Options(run.documents(),
                run.word2vec(), sgns, w.minCount, w.partitions, w.roundsPerEpoch)));
        PipelineConfig.Bert b = c.bert;
        String checkpoints = b.checkpointEvery > 0 ? HadoopFiles.join(run.bert(), "checkpoints") : null;
        BertTrainingConfig training = new BertTrainingConfig(b.batchSizePerWorker, b.averagingFrequency, b.workers,
                b.epochs, b.learningRate, b.weightDecay, b.warmupSteps, c.seed)
                .withCheckpoints(checkpoints, b.checkpointEvery);
        stages.stage("train-bert", run.bert(), List.of("examples-mlm", "vocab"), cfg("bert", b, "seed", c.seed),
                StageFingerprint.files(Collections.singletonList(b.bertConfig), hconf), fp -> {
                    String resumedFrom = null;
                    if (checkpoints != null) {
                        OutputMarker.claim(run.bert(), "train-bert", hconf); // before anything is written into it
                        resumedFrom = CheckpointOwner.prepare(checkpoints, fp, resume, hconf);
                    }
                    StageReport r = BertStage.run(spark, new BertStage.Options(run.mlmExamples(), run.vocabFile(),
                            run.bert(), b.model, training, b.maxTrainExamples, b.maxHeldoutExamples,
                            b.evalEveryRounds, b.timeLimitSeconds, b.validationExamples, b.bertConfig,
                            OuterOptimizer.of(b.outerOptimizer, b.outerLearningRate, b.outerMomentum)));
                    if (checkpoints != null) {
                        CheckpointOwner.record(checkpoints, fp, hconf);
                        r.put("resumed_from_checkpoint", resumedFrom);
                    }
                    return r;
                });
        List<String> evalFiles = new ArrayList<>();
        evalFiles.add(c.evaluate.analogies);
        if (c.evaluate.similarity != null) {
            evalFiles.addAll(c.evaluate.similarity.values());
        }
        stages.stage("evaluate", run.eval(), List.of("train-word2vec", "train-bert", "examples-mlm"),
                cfg("evaluate", c.evaluate, "bert.max_heldout_examples", b.maxHeldoutExamples),
                StageFingerprint.files(evalFiles, hconf), fp -> EvaluateStage.run(spark, new EvaluateStage.Options(
                        run.word2vec(), c.evaluate.analogies, c.evaluate.similarity, run.bert(), run.mlmExamples(),
                        b.maxHeldoutExamples, run.eval())));
        stages.stage("export", run.export(), List.of("train-word2vec", "train-bert"), cfg(), Map.of(),
                fp -> ExportStage.run(spark, new ExportStage.Options(run.word2vec(), run.bert(), run.export())));

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("run", Map.of("output", c.output, "started_at", started, "finished_at", Instant.now().toString(),
                "seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0,
                "spark_master", spark.sparkContext().master(), "seed", c.seed,
                "driver_nd4j_natives", dev.pretrain.model.natives.Nd4jNatives.select().describe()));
        report.put("config", c);
        report.put("stages", stages.reports());
        report.put("reused_stages", stages.reused());
        report.put("summary", RunSummary.headline(stages.reports()));
        HadoopFiles.writeString(run.report(), hconf, StageReport.toJson(report) + "\n");
        HadoopFiles.writeString(run.summary(), hconf, RunSummary.markdown(report));
        HadoopFiles.writeString(HadoopFiles.join(c.output, "summary.html"), hconf, SummaryHtml.render(report));
        if (progress != null) {
            spark.sparkContext().removeSparkListener(progress);
        }
        spark.sparkContext().removeSparkListener(taskCounter);
        return report;
    }

    /** The config values a stage reads, from (name, value) pairs. */
    private static JsonNode cfg(Object... nameValue) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put((String) nameValue[i], nameValue[i + 1]);
        }
        return StageFingerprint.config(m);
    }
}
