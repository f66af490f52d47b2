package dev.pretrain.jobs.pipeline;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.examples.mlm.MaskedLmConfig;
import dev.pretrain.jobs.report.ConsoleProgress;
import dev.pretrain.jobs.report.RunSummary;
import dev.pretrain.jobs.report.SummaryHtml;
import dev.pretrain.jobs.report.StageReport;
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
 */
public final class PipelineRunner {
    private PipelineRunner() {}

    public static Map<String, Object> run(SparkSession spark, PipelineConfig c) {
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        RunLayout run = new RunLayout(c.output);
        OutputMarker.claim(c.output, "pipeline", hconf);
        long t0 = System.nanoTime();
        ConsoleProgress progress = ConsoleProgress.install(spark.sparkContext()); // stderr, with ETA
        Map<String, Object> stages = new LinkedHashMap<>();
        String started = Instant.now().toString();

        List<SourceSpec> sources = new ArrayList<>();
        for (PipelineConfig.Source s : c.ingest.sources) {
            sources.add(s.toSpec());
        }
        PipelineConfig.Ingest ig = c.ingest;
        stage(stages, run, hconf, IngestStage.run(spark, new IngestStage.Options(sources, run.documents(),
                ig.language, ig.minChars, ig.minSentences, ig.targetShardMb << 20,
                new IngestStage.Filters(ig.maxChars, ig.maxSymbolRatio, ig.maxRepeatedLineRatio, ig.dropInvalidUtf8,
                        ig.maxDocumentChars),
                new IngestStage.NearDup(ig.nearDup, ig.nearDupThreshold, ig.nearDupHashTables,
                        IngestStage.NearDup.DEFAULT.shingleWords(), IngestStage.NearDup.DEFAULT.numFeatures(), c.seed),
                true, PipelineConfig.bytes("ingest.split_bytes", ig.splitBytes), ig.webFilters())));
        stage(stages, run, hconf, VocabStage.run(spark, new VocabStage.Options(run.documents(), run.vocab(),
                c.vocab.size, c.vocab.minFrequency, c.vocab.lowercase, c.vocab.numUnused, c.vocab.existing,
                dev.pretrain.corpus.tokenize.WordPieceTrainer.Algorithm.parse(c.vocab.algorithm), false)));
        stage(stages, run, hconf, TokenizeStage.run(spark, new TokenizeStage.Options(run.documents(),
                run.vocabFile(), run.tokenized(), c.vocab.lowercase, c.tokenize.maxCharsPerWord, false)));
        PipelineConfig.Examples e = c.examples;
        MaskedLmConfig mlm = new MaskedLmConfig(e.maxSeqLength, e.maxPredictionsPerSeq, e.maskedLmProb,
                e.shortSeqProb, e.dupeFactor, c.seed, e.wholeWordMasking,
                dev.pretrain.examples.mlm.PretrainingTask.parse(e.task),
                dev.pretrain.examples.mlm.MaskingMode.parse(e.masking));
        stage(stages, run, hconf, ExamplesStage.runMlm(spark, new ExamplesStage.MlmOptions(run.tokenized(),
                run.vocabFile(), run.mlmExamples(), mlm, e.shards, e.targetShardTokens, e.heldoutFraction,
                ExamplesStage.OutputFormat.PARQUET, e.binSize)));
        PipelineConfig.Word2Vec w = c.word2vec;
        if (e.skipgram.enabled) {
            stage(stages, run, hconf, ExamplesStage.runSkipGram(spark, new ExamplesStage.SkipGramOptions(
                    run.documents(), run.skipGramExamples(), w.window, w.negative, w.sample, w.minCount,
                    e.skipgram.fraction, c.seed)));
        }
        SgnsConfig sgns = new SgnsConfig(w.dim, w.window, w.negative, w.sample, w.alpha, w.minAlpha, w.epochs,
                w.threadsPerPartition, c.seed);
        stage(stages, run, hconf, Word2VecStage.run(spark, new Word2VecStage.Options(run.documents(),
                run.word2vec(), sgns, w.minCount, w.partitions, w.roundsPerEpoch)));
        PipelineConfig.Bert b = c.bert;
        BertTrainingConfig training = new BertTrainingConfig(b.batchSizePerWorker, b.averagingFrequency, b.workers,
                b.epochs, b.learningRate, b.weightDecay, b.warmupSteps, c.seed)
                .withCheckpoints(b.checkpointEvery > 0 ? HadoopFiles.join(run.bert(), "checkpoints") : null,
                        b.checkpointEvery);
        stage(stages, run, hconf, BertStage.run(spark, new BertStage.Options(run.mlmExamples(), run.vocabFile(),
                run.bert(), b.model, training, b.maxTrainExamples, b.maxHeldoutExamples, b.evalEveryRounds,
                b.timeLimitSeconds, b.validationExamples, b.bertConfig,
                OuterOptimizer.of(b.outerOptimizer, b.outerLearningRate, b.outerMomentum))));
        stage(stages, run, hconf, EvaluateStage.run(spark, new EvaluateStage.Options(run.word2vec(),
                c.evaluate.analogies, c.evaluate.similarity, run.bert(), run.mlmExamples(), b.maxHeldoutExamples,
                run.eval())));
        stage(stages, run, hconf, ExportStage.run(spark, new ExportStage.Options(run.word2vec(), run.bert(),
                run.export())));

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("run", Map.of("output", c.output, "started_at", started, "finished_at", Instant.now().toString(),
                "seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0,
                "spark_master", spark.sparkContext().master(), "seed", c.seed,
                "driver_nd4j_natives", dev.pretrain.model.natives.Nd4jNatives.select().describe()));
        report.put("config", c);
        report.put("stages", stages);
        report.put("summary", RunSummary.headline(stages));
        HadoopFiles.writeString(run.report(), hconf, StageReport.toJson(report) + "\n");
        HadoopFiles.writeString(run.summary(), hconf, RunSummary.markdown(report));
        HadoopFiles.writeString(HadoopFiles.join(c.output, "summary.html"), hconf, SummaryHtml.render(report));
        if (progress != null) {
            spark.sparkContext().removeSparkListener(progress);
        }
        return report;
    }

    private static void stage(Map<String, Object> stages, RunLayout run, Configuration hconf, StageReport r) {
        r.write(run.reports(), hconf);
        stages.put(r.stage(), r.values());
        System.out.printf("[pipeline] %s done in %.1f s%n", r.stage(), r.seconds());
    }
}
