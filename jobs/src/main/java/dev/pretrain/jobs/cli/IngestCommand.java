package dev.pretrain.jobs.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.corpus.ingest.filters.WebFilters;
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

    @Option(names = "--gopher-quality", description = "Web filter: Gopher quality rules (Rae et al. 2021), paper thresholds.")
    boolean gopherQuality;

    @Option(names = "--gopher-repetition", description = "Web filter: Gopher repetition rules (Rae et al. 2021), paper thresholds.")
    boolean gopherRepetition;

    @Option(names = "--c4", description = "Web filter: C4 line and document rules (Raffel et al. 2020); removes failing lines.")
    boolean c4;

    @Option(names = "--fineweb", description = "Web filter: FineWeb line rules (Penedo et al. 2024).")
    boolean fineweb;

    @Option(names = "--url-blocklist", paramLabel = "FILE", description = "Web filter: drop documents whose URL or domain is listed in FILE (one a line).")
    String urlBlocklist;

    @Option(names = "--pii", description = "Replace e-mail and public IP addresses (datatrove PIIFormatter).")
    boolean pii;

    @Option(names = "--filter-param", paramLabel = "FAMILY.KEY=VALUE",
            description = {"Override one web filter threshold, repeatable, e.g. gopher_quality.min_doc_words=30;",
                    "families: gopher_quality, gopher_repetition, c4, fineweb, pii (see the filter classes' Javadoc)."})
    List<String> filterParams = new ArrayList<>();

    @Option(names = "--languages", split = ",", paramLabel = "CODES",
            description = "Language identification (Lingua): ISO 639-1 codes to keep, e.g. en or en,de.")
    List<String> languages = new ArrayList<>();

    @Option(names = "--language-min-confidence", defaultValue = "0.05", description = "Minimum Lingua relative distance of the top language to the second (not a probability; see LanguageFilter); below it the language is und (default: ${DEFAULT-VALUE}).")
    double languageMinConfidence;

    @Option(names = "--language-mode", defaultValue = "keep", description = "keep: drop other languages; tag: keep all, count per language; route: as tag, shards under <output>/language=<code>/ (default: ${DEFAULT-VALUE}).")
    String languageMode;

    @Option(names = "--language-candidates", split = ",", paramLabel = "CODES", description = "Languages the detector chooses from (default: en,de,fr,es,it,pt,nl,ru plus --languages).")
    List<String> languageCandidates;

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
        PipelineConfig.WebFilterCfg wf = new PipelineConfig.WebFilterCfg();
        wf.gopherQuality = gopherQuality;
        wf.gopherRepetition = gopherRepetition;
        wf.c4 = c4;
        wf.fineweb = fineweb;
        wf.urlBlocklist = urlBlocklist;
        wf.pii = pii;
        wf.params = parseFilterParams(filterParams);
        WebFilters web = wf.build(PipelineConfig.languageFilter(languages, languageMinConfidence, languageMode,
                languageCandidates));
        return spark.run("ingest", session -> IngestStage.run(session,
                new IngestStage.Options(specs, output, doc.language, doc.minChars, doc.minSentences,
                        targetShardMb << 20, filters, near, !noExactDedup, split, web)));
    }

    /** {@code FAMILY.KEY=VALUE} items to family to key to value. */
    static Map<String, Map<String, String>> parseFilterParams(List<String> items) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (String item : items) {
            int eq = item.indexOf('=');
            int dot = item.indexOf('.');
            if (eq < 0 || dot <= 0 || dot > eq) {
                throw new IllegalArgumentException("bad --filter-param '" + item + "' (want FAMILY.KEY=VALUE)");
            }
            out.computeIfAbsent(item.substring(0, dot), k -> new LinkedHashMap<>())
                    .put(item.substring(dot + 1, eq), item.substring(eq + 1));
        }
        return out;
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
