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
                    "name=N,uri=URI_OR_GLOB,format=line|tsv|headings|blank_lines|file|jsonl|csv|wikipedia_xml|tagged_tar|brown",
                    "  |warc|arc|wet (web archives, .warc.gz per record too)|text_tar (one document per member)|parquet|orc",
                    "[,column=4 (tsv) or column=NAME (parquet/orc text column)][,id_column=NAME][,url_column=NAME]",
                    "[,header=true][,field=NAME (jsonl field / JSON Pointer, csv/parquet/orc column)][,delimiter=tab|,]",
                    "[,members=REGEX (tar)][,html=true][,heading=REGEX][,skip=REGEX][,wikitext=true][,line_per_paragraph=true]",
                    "[,single_line_records=true (csv: no quoted field holds a line break, so large files can be split)]",
                    "e.g. name=imdb,uri=../shared/data/corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz,format=tsv,column=4,header=true,html=true"})
    List<String> sources;

    @Option(names = "--output", required = true, description = "Output folder of Parquet shards.")
    String output;

    @Mixin DocumentOptions doc;

    @Option(names = "--target-shard-mb", defaultValue = "32", description = "Target shard size in MiB (default: ${DEFAULT-VALUE}); N = ceil(bytes / target) shards of equal bytes.")
    long targetShardMb;

    @Option(names = "--max-chars", defaultValue = "1000000", description = "Drop documents longer than this, 0: no limit (default: ${DEFAULT-VALUE}).")
    int maxChars;

    @Option(names = "--max-symbol-ratio", defaultValue = "0.3", description = "Drop documents whose share of non-letter/digit/space characters is above this (default: ${DEFAULT-VALUE}; 1: off).")
    double maxSymbolRatio;

    @Option(names = "--max-repeated-line-ratio", defaultValue = "0.3", description = "Drop documents whose share of repeated lines is above this (default: ${DEFAULT-VALUE}; 1: off).")
    double maxRepeatedLineRatio;

    @Option(names = "--keep-invalid-utf8", description = "Keep documents with invalid UTF-8 (bad bytes removed) instead of dropping them.")
    boolean keepInvalidUtf8;

    @Option(names = "--max-document-chars", defaultValue = "10000000", description = "Read cap: a raw document longer than this is dropped as oversized (default: ${DEFAULT-VALUE}).")
    int maxDocumentChars;

    @Option(names = "--near-dup-threshold", defaultValue = "0.8", description = "Jaccard similarity of word 5-gram shingles for near duplicates (default: ${DEFAULT-VALUE}).")
    double nearDupThreshold;

    @Option(names = "--near-dup-hash-tables", defaultValue = "5", description = "MinHash LSH hash tables (default: ${DEFAULT-VALUE}).")
    int nearDupHashTables;

    @Option(names = "--no-near-dup", description = "Do not look for near duplicates (MinHash LSH).")
    boolean noNearDup;

    @Option(names = "--no-exact-dedup", description = "Keep exact duplicates (for benchmarks).")
    boolean noExactDedup;

    @Option(names = "--split-bytes", defaultValue = "128m", paramLabel = "SIZE",
            description = {"Files larger than this (bytes, or with a k/m/g suffix; default: ${DEFAULT-VALUE}) are read "
                    + "in byte-range splits of this size on several tasks when splittable: format line, tsv, jsonl, "
                    + "or csv with single_line_records=true, uncompressed or .bz2 (.gz/.zst/.deflate are read by one "
                    + "task each; the report lists them under unsplittable_files). The output does not depend on it."})
    String splitBytes;

    @Override
    public Integer call() {
        List<SourceSpec> specs = new ArrayList<>();
        for (String s : sources) {
            specs.add(parseSource(s).toSpec());
        }
        IngestStage.Filters filters = new IngestStage.Filters(maxChars, maxSymbolRatio, maxRepeatedLineRatio,
                !keepInvalidUtf8, maxDocumentChars);
        IngestStage.NearDup near = new IngestStage.NearDup(!noNearDup, nearDupThreshold, nearDupHashTables,
                IngestStage.NearDup.DEFAULT.shingleWords(), IngestStage.NearDup.DEFAULT.numFeatures(),
                IngestStage.NearDup.DEFAULT.seed());
        long split = PipelineConfig.bytes("--split-bytes", splitBytes);
        return spark.run("ingest", session -> IngestStage.run(session,
                new IngestStage.Options(specs, output, doc.language, doc.minChars, doc.minSentences,
                        targetShardMb << 20, filters, near, !noExactDedup, split)));
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
                case "column" -> {
                    if (v.matches("\\d+")) {
                        s.column = Integer.parseInt(v);
                    } else {
                        s.field = v; // a dataset's text column by name
                    }
                }
                case "id_column" -> s.idColumn = v;
                case "url_column" -> s.urlColumn = v;
                case "header" -> s.header = Boolean.parseBoolean(v);
                case "html" -> s.html = Boolean.parseBoolean(v);
                case "heading" -> s.headingRegex = v;
                case "skip" -> s.skipRegex = v;
                case "wikitext" -> s.wikitext = Boolean.parseBoolean(v);
                case "line_per_paragraph" -> s.linePerParagraph = Boolean.parseBoolean(v);
                case "field" -> s.field = v;
                case "delimiter" -> s.delimiter = v;
                case "members" -> s.members = v;
                case "single_line_records" -> s.singleLineRecords = Boolean.parseBoolean(v);
                default -> throw new IllegalArgumentException("unknown --source key '" + k + "' in '" + spec + "'");
            }
        }
        return s;
    }
}
