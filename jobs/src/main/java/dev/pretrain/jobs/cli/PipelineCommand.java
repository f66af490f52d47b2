package dev.pretrain.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import dev.pretrain.jobs.pipeline.PipelineConfig;
import dev.pretrain.jobs.pipeline.PipelineRunner;
import dev.pretrain.jobs.report.RunSummary;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.OutputMarker;
import dev.pretrain.jobs.spark.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = {"Runs every stage in order from one YAML config: ingest, vocab, tokenize, examples (mlm,",
                "skipgram), train-word2vec, train-bert, evaluate, export. Writes report.json (every stage's counts,",
                "timings and metrics) and summary.md under the run folder, and prints the summary. With --resume,",
                "stages whose finished output matches their fingerprint are reused instead of run again."})
final class PipelineCommand implements Callable<Integer> {
    @Option(names = "--config", description = "Pipeline YAML (any Hadoop URI; without it, the defaults).")
    String config;

    @Option(names = "--output", description = "Run folder (overrides the config's output).")
    String output;

    @Option(names = "--master", description = "Spark master when not under spark-submit (overrides the config).")
    String master;

    @Option(names = "--strict", description = "Exit with code 3 when a quality check of the summary fails.")
    boolean strict;

    @Option(names = "--overwrite",
            description = {"Replace the run folder and its stage folders even if they exist and were not written by",
                    "pretrain (no " + OutputMarker.FILE + "); without it they are left untouched (exit code 2)."})
    boolean overwrite;

    @Option(names = "--resume",
            description = {"Reuse the stages of an earlier run in the run folder whose output is complete (its",
                    "_PRETRAIN_FINGERPRINT.json, written when the stage finished) and whose fingerprint matches:",
                    "SHA-256 of the stage's config values, its inputs' fingerprints, the files it reads from",
                    "outside the run (length, mtime) and the code version. Any other stage runs again, and so",
                    "does every later stage that reads its output; train-bert resumes from its newest",
                    "checkpoint of the same fingerprint (bert.checkpoint_every > 0). The summary lists the",
                    "reused stages; report.json marks them \"reused\": true."})
    boolean resume;

    @Override
    public Integer call() throws Exception {
        PipelineConfig c;
        SparkSession spark;
        if (config == null || Files.exists(Path.of(config))) {
            c = parse(config == null ? "" : Files.readString(Path.of(config)));
            spark = SparkSessions.getOrCreate("pretrain pipeline", c.master);
        } else {
            // A config on a cluster file system (hdfs://, s3a://) is read through the session's Hadoop
            // configuration: it carries spark.hadoop.* (the S3A endpoint and credentials, HDFS settings).
            // The session therefore starts first, on --master or the default; if the config then names another
            // master and nothing fixed one (spark-submit, --master), it restarts there.
            boolean masterFixed = master != null || new SparkConf(true).contains("spark.master");
            spark = SparkSessions.getOrCreate("pretrain pipeline", master);
            try {
                c = parse(HadoopFiles.readString(config, spark.sparkContext().hadoopConfiguration()));
            } catch (RuntimeException e) {
                spark.stop();
                throw e;
            }
            if (!masterFixed && !c.master.equals(spark.sparkContext().master())) {
                spark.stop();
                spark = SparkSessions.getOrCreate("pretrain pipeline", c.master);
            }
        }
        try {
            OutputMarker.setOverwrite(spark.sparkContext().hadoopConfiguration(), overwrite);
            Map<String, Object> report = PipelineRunner.run(spark, c, resume);
            System.out.println();
            System.out.println(RunSummary.markdown(report));
            System.out.println("report: " + HadoopFiles.join(c.output, "report.json"));
            @SuppressWarnings("unchecked")
            Map<String, Object> checks = (Map<String, Object>) ((Map<String, Object>) report.get("summary")).get("checks");
            boolean ok = checks.values().stream().allMatch(Boolean.TRUE::equals);
            if (!ok) {
                System.err.println("pretrain pipeline: warning: some quality checks failed: " + checks);
            }
            return ok || !strict ? 0 : 3;
        } finally {
            spark.stop();
        }
    }

    /** Parses the config text and applies the command-line overrides. */
    private PipelineConfig parse(String yaml) {
        PipelineConfig c = PipelineConfig.parse(yaml, config == null ? "(defaults)" : config);
        if (output != null) {
            c.output = output;
        }
        if (master != null) {
            c.master = master;
        }
        return c;
    }
}
