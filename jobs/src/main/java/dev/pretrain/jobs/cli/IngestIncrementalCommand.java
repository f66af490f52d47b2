package dev.pretrain.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.jobs.stages.IncrementalIngestStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ingest-incremental", mixinStandardHelpOptions = true,
        description = {"Ingests the files of landing folders not ingested by an earlier run, as the next batch",
                "output/batch=<n>/ of Parquet document shards; output/_manifest/ records which files each batch took.",
                "Safe to kill and re-run (no duplicates, no loss); a run with no new files writes nothing.",
                "Documents whose doc_id is in an earlier batch are dropped (exact dedup across batches).",
                "Schedule it with cron/Kubernetes/Airflow (cluster-conf/schedule/); runs must not overlap."})
final class IngestIncrementalCommand implements Callable<Integer> {
    @Mixin SparkOptions spark;

    @Option(names = "--source", required = true, paramLabel = "SPEC",
            description = {"A landing source, repeatable, as for 'ingest --source': uri is the landing folder or glob",
                    "(any Hadoop URI), the other keys (format, column, html, ...) apply to every file found there,",
                    "e.g. name=imdb,uri=hdfs:///landing/imdb/*.tsv.gz,format=tsv,column=4,header=true,html=true"})
    List<String> sources;

    @Option(names = "--output", required = true,
            description = "Output root: batch=<n>/ shard folders and _manifest/ (empty or from an earlier run).")
    String output;

    @Mixin DocumentOptions doc;

    @Option(names = "--target-shard-mb", defaultValue = "32", description = "Target shard size in MiB (default: ${DEFAULT-VALUE}).")
    long targetShardMb;

    @Option(names = "--min-file-age-s", defaultValue = "0",
            description = "Leave files modified less than this many seconds ago for a later run, e.g. uploads in progress (default: ${DEFAULT-VALUE}).")
    long minFileAgeSeconds;

    @Override
    public Integer call() {
        List<SourceSpec> specs = new ArrayList<>();
        for (String s : sources) {
            specs.add(IngestCommand.parseSource(s).toSpec());
        }
        return spark.run("ingest-incremental", session -> IncrementalIngestStage.run(session,
                new IncrementalIngestStage.Options(specs, output, doc.language, doc.minChars, doc.minSentences,
                        targetShardMb << 20, minFileAgeSeconds * 1000)));
    }
}
