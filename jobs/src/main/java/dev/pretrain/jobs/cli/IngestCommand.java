package dev.pretrain.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.jobs.pipeline.PipelineConfig;
import dev.pretrain.jobs.stages.IngestStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Raw corpora -> Parquet document shards (doc_id, corpus, source, sentences).",
                "Cleans text (NFC, controls, optional HTML), splits sentences with ICU4J, drops exact duplicates;",
                "every input document is counted as kept, dropped (by reason) or duplicate."})
final class IngestCommand implements Callable<Integer> {
    @Mixin SparkOptions spark;

    @Option(names = "--source", required = true, paramLabel = "SPEC",
            description = {"An input, repeatable: comma-separated key=value pairs:",
                    "name=N,uri=URI_OR_GLOB,format=line|tsv|headings|blank_lines[,column=4][,header=true]",
                    "[,html=true][,heading=REGEX][,skip=REGEX][,wikitext=true][,line_per_paragraph=true]",
                    "e.g. name=imdb,uri=../shared/data/corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz,format=tsv,column=4,header=true,html=true"})
    List<String> sources;

    @Option(names = "--output", required = true, description = "Output folder of Parquet shards.")
    String output;

    @Option(names = "--language", defaultValue = "en", description = "Locale of the ICU4J sentence splitter (default: ${DEFAULT-VALUE}).")
    String language;

    @Option(names = "--min-chars", defaultValue = "20", description = "Drop documents shorter than this (default: ${DEFAULT-VALUE}).")
    int minChars;

    @Option(names = "--min-sentences", defaultValue = "1", description = "Drop documents with fewer sentences (default: ${DEFAULT-VALUE}).")
    int minSentences;

    @Option(names = "--target-shard-mb", defaultValue = "32", description = "Target shard size in MiB (default: ${DEFAULT-VALUE}).")
    long targetShardMb;

    @Override
    public Integer call() {
        List<SourceSpec> specs = new ArrayList<>();
        for (String s : sources) {
            specs.add(parseSource(s).toSpec());
        }
        return spark.run("ingest", session -> IngestStage.run(session,
                new IngestStage.Options(specs, output, language, minChars, minSentences, targetShardMb << 20)));
    }

    static PipelineConfig.Source parseSource(String spec) {
        PipelineConfig.Source s = new PipelineConfig.Source();
        for (String kv : spec.split(",(?=[a-z_]+=)")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("bad --source part '" + kv + "' in '" + spec + "' (want key=value)");
            }
            String k = kv.substring(0, eq);
            String v = kv.substring(eq + 1);
            switch (k) {
                case "name" -> s.name = v;
                case "uri" -> s.uri = v;
                case "format" -> s.format = v;
                case "column" -> s.column = Integer.parseInt(v);
                case "header" -> s.header = Boolean.parseBoolean(v);
                case "html" -> s.html = Boolean.parseBoolean(v);
                case "heading" -> s.headingRegex = v;
                case "skip" -> s.skipRegex = v;
                case "wikitext" -> s.wikitext = Boolean.parseBoolean(v);
                case "line_per_paragraph" -> s.linePerParagraph = Boolean.parseBoolean(v);
                default -> throw new IllegalArgumentException("unknown --source key '" + k + "' in '" + spec + "'");
            }
        }
        return s;
    }
}
