package dev.pretrain.jobs.stages;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.feature.MinHashLSH;
import org.apache.spark.ml.feature.MinHashLSHModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import dev.pretrain.corpus.ingest.BalancedShards;
import dev.pretrain.corpus.ingest.Document;
import dev.pretrain.corpus.ingest.DocumentFormat;
import dev.pretrain.corpus.ingest.DocumentProcessor;
import dev.pretrain.corpus.ingest.IngestOutcome;
import dev.pretrain.corpus.ingest.QualityFilters;
import dev.pretrain.corpus.ingest.RawText;
import dev.pretrain.corpus.ingest.SentenceSegmenter;
import dev.pretrain.corpus.ingest.Shingles;
import dev.pretrain.corpus.ingest.SourceReader;
import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.corpus.ingest.TextCleaner;
import dev.pretrain.corpus.ingest.filters.LanguageFilter;
import dev.pretrain.corpus.ingest.filters.WebFilters;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.OutputMarker;
import dev.pretrain.jobs.spark.SerializableConfiguration;
import dev.pretrain.jobs.spark.SplitLines;
import dev.pretrain.model.rounds.ModuloPartitioner;
import scala.Tuple2;

/**
 * {@code ingest}: raw corpora to Parquet document shards.
 *
 * <p>Read (any Hadoop file system URI or glob; decompressed by extension with Hadoop's
 * {@link CompressionCodecFactory} ({@code .gz}, {@code .bz2}, {@code .deflate}, ...), {@code .zst} with zstd-jni,
 * which Spark itself ships, {@code .xz} with XZ for Java; one task per file, except that a file larger than {@link Options#splitBytes()} of a
 * line-splittable source (lines, TSV, JSON lines, CSV with single-line records), uncompressed or {@code .bz2}, is
 * read as byte-range splits on several tasks with Hadoop's {@code LineRecordReader} ({@link IngestSplits},
 * {@link SplitLines}); the documents do not depend on the split size) → cut into raw documents
 * ({@link SourceReader}: lines, TSV, CSV, JSON lines, headings, blank-line blocks, whole files, Wikipedia XML,
 * tagged tar members, web archive records, text tar members; Parquet/ORC datasets are read by Spark instead,
 * {@link IngestDatasets}) → clean, filter
 * and segment into sentences ({@link DocumentProcessor}, {@link QualityFilters}, the optional web filters of
 * {@link WebFilters}: URL block list, language identification, Gopher, C4, FineWeb, PII; ICU4J) → drop exact
 * duplicates (same {@code doc_id}, a content hash; the copy with the smallest corpus/source name is kept) →
 * drop near duplicates (optional: MinHash LSH on word 5-gram shingles, Spark MLlib {@link MinHashLSH}; a
 * document is dropped if another one with a smaller {@code doc_id} has a shingle-set Jaccard similarity
 * {@code >= threshold} with it) → write {@code N = ceil(bytes / targetShardBytes)} shards of equal bytes
 * (±1 document, {@link BalancedShards}), documents ordered by {@code doc_id}.
 *
 * <p>Output schema: {@code doc_id} string, {@code corpus} string (source name), {@code source}
 * string (file URI), {@code sentences} array&lt;string&gt;, then nullable metadata: {@code record_id} string
 * (WARC-Record-ID, tar member name, dataset id column), {@code url} string, {@code date} string (capture date,
 * ISO-8601 UTC), {@code language} string and {@code language_score} double (from {@code Document#language()}, set
 * by language identification); of exact duplicates the metadata of the copy with the smallest (corpus, source,
 * record id) is kept. Shard {@code i} is {@code part-0000i-*.parquet}.
 * Every input document is accounted for in the report:
 * {@code documents_in = documents_kept + sum(dropped) + duplicates_exact + duplicates_near}; {@code dropped} counts
 * each web filter rule under its own key (e.g. {@code gopher_short_doc}, {@code c4_curly_bracket},
 * {@code language_not_kept}). With language identification on, {@code languages} gives per detected language
 * ({@code "und"}: below the minimum confidence) the {@code documents} that reached it and those
 * {@code kept_before_dedup}. File-level
 * problems are counted per reason under {@code file_problems}, once per file however many splits it was read in,
 * and never abort the run: {@code empty_file}, {@code binary_file} (a NUL byte in the first 8 KiB), {@code truncated}
 * (unexpected end of a compressed stream), {@link #MALFORMED_RECORD} (a web archive record header that does not
 * parse) and {@code read_error}; the documents read before a failure are kept (in a
 * split file: those of every split, up to the failure in the failing split). The read is reported as
 * {@code files_read} (input files), {@code read_tasks}, {@code split_files} and {@code splits} (the files read in
 * byte-range splits, and their splits), and {@code unsplittable_files} (each file above the split size read by one
 * task: {@code file}, {@code bytes}, {@code reason}, e.g. {@code "gzip is not splittable"}). The report is also written
 * atomically to {@code ingest-report.json} next to the output folder (replacing a file of that name there).
 * An existing output folder is replaced only if pretrain wrote it ({@link OutputMarker}); that is checked
 * before any work.
 *
 * <p>Language routing ({@link LanguageFilter#route()}, {@code ingest.language_mode: route}): every document is kept
 * as in tag mode, and the output holds one folder per detected language, {@code <output>/language=<code>/}
 * ({@code und}: undetermined), each its own balanced shards of the same schema (its {@code language} column equals
 * the folder's code), committed together; the report lists them under {@code language_folders}
 * ({@code folder, documents, bytes, shards}) and {@code shard_sizes} names each shard's {@code folder}. Spark reads
 * {@code <output>} as one table (the folder names are Hive-style partitions of the existing {@code language}
 * column); readers that list {@code <output>}'s files without recursing need the keep or tag layout.
 * {@code lines_removed} counts the lines C4's line rules removed, per rule, from the documents that passed the
 * filters (before de-duplication).
 */
public final class IngestStage {
    /** Kept for compatibility: the reason counted under {@code read_errors}. */
    public static final String READ_ERROR = "read_error";
    /**
     * File problem: a web archive record header that does not parse (e.g. after a record whose {@code Content-Length}
     * is shorter than the record); the file's documents up to it are kept.
     */
    public static final String MALFORMED_RECORD = "malformed_record";
    /** File name of the report written next to the output folder. */
    public static final String REPORT_FILE = "ingest-report.json";
    private static final String FILE_PREFIX = "file:";

    /** Document filters besides the minimums of {@link Options}; see {@link QualityFilters}. */
    public record Filters(int maxChars, double maxSymbolRatio, double maxRepeatedLineRatio, boolean dropInvalidUtf8,
                          int maxDocumentChars) implements java.io.Serializable {
        /** max 1,000,000 chars, symbols 0.3, repeated lines 0.3, invalid UTF-8 dropped, 10M-char read cap. */
        public static final Filters DEFAULT = new Filters(1_000_000, 0.3, 0.3, true,
                SourceReader.DEFAULT_MAX_DOCUMENT_CHARS);

        public Filters {
            if (maxDocumentChars < 1) {
                throw new IllegalArgumentException("maxDocumentChars must be >= 1, got " + maxDocumentChars);
            }
            new QualityFilters(0, maxChars, 0, maxSymbolRatio, maxRepeatedLineRatio, dropInvalidUtf8); // validates
        }

        QualityFilters with(int minChars, int minSentences) {
            return new QualityFilters(minChars, maxChars, minSentences, maxSymbolRatio, maxRepeatedLineRatio,
                    dropInvalidUtf8);
        }
    }

    /**
     * Near-duplicate detection settings.
     *
     * @param enabled       off: only exact duplicates are removed
     * @param threshold     Jaccard similarity of the shingle sets at or above which two documents are near
     *                      duplicates, in (0, 1]
     * @param numHashTables MinHash LSH hash tables (more: fewer missed pairs, more candidate pairs)
     * @param shingleWords  words per shingle
     * @param numFeatures   size of the hashed shingle space
     * @param seed          seed of the MinHash functions
     */
    public record NearDup(boolean enabled, double threshold, int numHashTables, int shingleWords, int numFeatures,
                          long seed) implements java.io.Serializable {
        public static final NearDup DEFAULT = new NearDup(true, 0.8, 5, Shingles.DEFAULT_N,
                Shingles.DEFAULT_NUM_FEATURES, 12345L);
        public static final NearDup OFF = new NearDup(false, 0.8, 5, Shingles.DEFAULT_N,
                Shingles.DEFAULT_NUM_FEATURES, 12345L);

        public NearDup {
            if (!(threshold > 0 && threshold <= 1) || numHashTables < 1 || shingleWords < 1 || numFeatures < 1) {
                throw new IllegalArgumentException("bad near-duplicate settings: threshold " + threshold
                        + " (want (0, 1]), hash tables " + numHashTables + ", shingle words " + shingleWords
                        + ", features " + numFeatures);
            }
        }
    }

    /**
     * Ingestion settings.
     *
     * @param exactDedup whether documents with equal {@code doc_id} are collapsed (off only for benchmarks: then
     *                   equal documents are all written)
     * @param splitBytes files larger than this (stored bytes) are read in byte-range splits of this size where the
     *                   source and the compression allow it ({@link IngestSplits}); default
     *                   {@link IngestSplits#DEFAULT_SPLIT_BYTES}. The output does not depend on it.
     * @param web        web-text filters ({@link WebFilters#OFF} by default)
     */
    public record Options(List<SourceSpec> sources, String output, String language, int minChars,
                          int minSentences, long targetShardBytes, Filters filters, NearDup nearDup,
                          boolean exactDedup, long splitBytes, WebFilters web) {
        public Options {
            if (sources == null || sources.isEmpty()) {
                throw new IllegalArgumentException("ingest needs at least one source");
            }
            if (targetShardBytes <= 0) {
                throw new IllegalArgumentException("targetShardBytes must be > 0");
            }
            if (filters == null || nearDup == null) {
                throw new IllegalArgumentException("filters and nearDup must be given");
            }
            if (splitBytes <= 0) {
                throw new IllegalArgumentException("splitBytes must be > 0, got " + splitBytes);
            }
            if (web == null) {
                throw new IllegalArgumentException("web filters must be given (WebFilters.OFF for none)");
            }
        }

        /** The ten settings before {@code web}: no web filters. */
        public Options(List<SourceSpec> sources, String output, String language, int minChars, int minSentences,
                       long targetShardBytes, Filters filters, NearDup nearDup, boolean exactDedup,
                       long splitBytes) {
            this(sources, output, language, minChars, minSentences, targetShardBytes, filters, nearDup, exactDedup,
                    splitBytes, WebFilters.OFF);
        }

        /** The nine settings before {@code splitBytes}: splits of {@link IngestSplits#DEFAULT_SPLIT_BYTES}. */
        public Options(List<SourceSpec> sources, String output, String language, int minChars, int minSentences,
                       long targetShardBytes, Filters filters, NearDup nearDup, boolean exactDedup) {
            this(sources, output, language, minChars, minSentences, targetShardBytes, filters, nearDup, exactDedup,
                    IngestSplits.DEFAULT_SPLIT_BYTES);
        }

        /**
         * The original six settings: {@link Filters#DEFAULT}, exact de-duplication, NO near-duplicate detection
         * (it compares documents across the whole input, which batch-wise callers cannot reproduce).
         */
        public Options(List<SourceSpec> sources, String output, String language, int minChars, int minSentences,
                       long targetShardBytes) {
            this(sources, output, language, minChars, minSentences, targetShardBytes, Filters.DEFAULT,
                    NearDup.OFF, true);
        }

        public Options withFilters(Filters f) {
            return new Options(sources, output, language, minChars, minSentences, targetShardBytes, f, nearDup,
                    exactDedup, splitBytes, web);
        }

        public Options withNearDup(NearDup n) {
            return new Options(sources, output, language, minChars, minSentences, targetShardBytes, filters, n,
                    exactDedup, splitBytes, web);
        }

        public Options withExactDedup(boolean on) {
            return new Options(sources, output, language, minChars, minSentences, targetShardBytes, filters,
                    nearDup, on, splitBytes, web);
        }

        public Options withWebFilters(WebFilters w) {
            return new Options(sources, output, language, minChars, minSentences, targetShardBytes, filters,
                    nearDup, exactDedup, splitBytes, w);
        }

        public Options withSplitBytes(long bytes) {
            return new Options(sources, output, language, minChars, minSentences, targetShardBytes, filters,
                    nearDup, exactDedup, bytes, web);
        }
    }

    public static final StructType OUTCOME_SCHEMA = new StructType()
            .add("doc_id", DataTypes.StringType)
            .add("corpus", DataTypes.StringType)
            .add("source", DataTypes.StringType)
            .add("sentences", DataTypes.createArrayType(DataTypes.StringType))
            .add("record_id", DataTypes.StringType)
            .add("url", DataTypes.StringType)
            .add("date", DataTypes.StringType)
            .add("language", DataTypes.StringType)
            .add("language_score", DataTypes.DoubleType)
            .add("bytes", DataTypes.LongType)
            .add("drop_reason", DataTypes.StringType)
            // the language detected for every document that reached language identification, dropped ones too
            // (the report's per-language counts); kept documents also carry it in "language"
            .add("detected_language", DataTypes.StringType)
            // kept documents: lines the web line filters removed, per line rule (null when none)
            .add("lines_removed", DataTypes.createMapType(DataTypes.StringType, DataTypes.IntegerType));

    static final StructType DOC_SCHEMA = new StructType()
            .add("doc_id", DataTypes.StringType)
            .add("corpus", DataTypes.StringType)
            .add("source", DataTypes.StringType)
            .add("sentences", DataTypes.createArrayType(DataTypes.StringType))
            .add("record_id", DataTypes.StringType)
            .add("url", DataTypes.StringType)
            .add("date", DataTypes.StringType)
            .add("language", DataTypes.StringType)
            .add("language_score", DataTypes.DoubleType);

    /** The nullable metadata columns of a document, in schema order after {@code sentences}. */
    static final List<String> META_COLUMNS = List.of("record_id", "url", "date", "language", "language_score");

    private IngestStage() {}

    private static void progress(String msg) {
        System.out.println("[ingest] " + msg);
    }

    public static StageReport run(SparkSession spark, Options o) {
        StageReport report = new StageReport("ingest");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        OutputMarker.checkReplaceable(o.output(), hconf);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());

        List<IngestSplits.ReadTask> tasks = new ArrayList<>();
        List<Map<String, Object>> inputs = new ArrayList<>();
        List<Map<String, Object>> unsplittable = new ArrayList<>();
        long bytesIn = 0;
        int filesRead = 0;
        int splitFiles = 0;
        int splits = 0;
        int maxDocChars = o.filters().maxDocumentChars();
        JavaRDD<RawDocument> datasetDocs = null;
        for (int i = 0; i < o.sources().size(); i++) {
            SourceSpec spec = o.sources().get(i);
            if (spec.format().dataset()) {
                Dataset<Row> rows = IngestDatasets.read(spark, spec);
                List<String> files = IngestDatasets.files(rows);
                long srcBytes = 0;
                for (String file : files) {
                    long len = HadoopFiles.length(file, hconf);
                    srcBytes += len;
                    Map<String, Object> in = new LinkedHashMap<>();
                    in.put("corpus", spec.name());
                    in.put("file", file);
                    in.put("bytes", len);
                    in.put("read_tasks", 0);
                    inputs.add(in);
                }
                filesRead += files.size();
                bytesIn += srcBytes;
                JavaRDD<RawDocument> docs = IngestDatasets.documents(rows, i, spec, maxDocChars);
                datasetDocs = datasetDocs == null ? docs : datasetDocs.union(docs);
                progress("source " + spec.name() + " (" + spec.format() + " dataset, read by Spark): " + files.size()
                        + " file(s), " + srcBytes + " bytes");
                continue;
            }
            List<String> files;
            try {
                files = HadoopFiles.expand(spec.uri(), hconf);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                throw new IllegalArgumentException("ingest source '" + spec.name() + "': " + e.getMessage()
                        + " (path " + spec.uri() + ")", e);
            }
            long srcBytes = 0;
            int srcTasks = 0;
            for (String file : files) {
                long len = HadoopFiles.length(file, hconf);
                String unsplittableWhy = IngestSplits.unsplittableReason(spec, file, hconf);
                List<IngestSplits.ReadTask> fileTasks = IngestSplits.tasks(i, file, len, o.splitBytes(),
                        unsplittableWhy == null);
                tasks.addAll(fileTasks);
                filesRead++;
                srcTasks += fileTasks.size();
                if (fileTasks.size() > 1) {
                    splitFiles++;
                    splits += fileTasks.size();
                } else if (unsplittableWhy != null && len > o.splitBytes()) {
                    Map<String, Object> u = new LinkedHashMap<>();
                    u.put("file", file);
                    u.put("bytes", len);
                    u.put("reason", unsplittableWhy);
                    unsplittable.add(u);
                    progress(file + ": " + len + " bytes read by one task: " + unsplittableWhy);
                }
                bytesIn += len;
                srcBytes += len;
                Map<String, Object> in = new LinkedHashMap<>();
                in.put("corpus", spec.name());
                in.put("file", file);
                in.put("bytes", len);
                in.put("read_tasks", fileTasks.size());
                inputs.add(in);
            }
            progress("source " + spec.name() + " (" + spec.format() + "): " + files.size() + " file(s), " + srcBytes
                    + " bytes, " + srcTasks + " read task(s)");
        }
        report.put("inputs", inputs);
        report.put("files_read", filesRead);
        report.put("bytes_in", bytesIn);
        report.put("read_tasks", tasks.size());
        report.put("split_bytes", o.splitBytes());
        report.put("split_files", splitFiles);
        report.put("splits", splits);
        report.put("unsplittable_files", unsplittable);

        List<SourceSpec> specs = List.copyOf(o.sources());
        SerializableConfiguration sconf = new SerializableConfiguration(hconf);
        String language = o.language();
        QualityFilters quality = o.filters().with(o.minChars(), o.minSentences());
        WebFilters web = o.web();
        // Reading is one task per file or byte-range split (IngestSplits); cleaning and sentence
        // segmentation, the costly part, run after the raw documents are spread over every core.
        JavaRDD<RawDocument> raw = jsc.parallelize(tasks, Math.max(1, tasks.size()))
                .flatMap(t -> read(t, specs.get(t.spec()), sconf.get(), maxDocChars));
        if (datasetDocs != null) {
            raw = tasks.isEmpty() ? datasetDocs : raw.union(datasetDocs);
        }
        int parallelism = Math.max(tasks.size(), 4 * jsc.defaultParallelism());
        JavaRDD<Row> outcomes = raw.repartition(parallelism).mapPartitions(docs -> {
            Map<String, DocumentProcessor> processors = new java.util.HashMap<>();
            List<Row> out = new ArrayList<>();
            while (docs.hasNext()) {
                RawDocument d = docs.next();
                if (d.drop() != null) {
                    out.add(RowFactory.create(null, d.corpus(), d.source(), null, null, null, null, null, null, 0L,
                            d.drop(), null, null));
                    continue;
                }
                SourceSpec spec = specs.get(d.spec());
                DocumentProcessor p = processors.computeIfAbsent(spec.name(), k -> new DocumentProcessor(
                        new TextCleaner(spec.html(), spec.wikitextDetokenize()), new SentenceSegmenter(language),
                        quality, web));
                out.add(outcome(d, p.process(d.corpus(), d.text(), d.url())));
            }
            return out.iterator();
        });
        Dataset<Row> all = spark.createDataFrame(outcomes, OUTCOME_SCHEMA).persist(StorageLevel.DISK_ONLY());

        // Accounting, per corpus and reason (null reason = kept).
        Map<String, Object> byCorpus = new LinkedHashMap<>();
        long docsIn = 0;
        long kept = 0;
        Map<String, Long> dropped = new TreeMap<>();
        Map<String, Long> fileProblems = new TreeMap<>();
        boolean anyProblem = false;
        for (Row r : all.groupBy("corpus", "drop_reason").count().orderBy("corpus", "drop_reason").collectAsList()) {
            String corpus = r.getString(0);
            String reason = r.isNullAt(1) ? null : r.getString(1);
            long n = r.getLong(2);
            Map<String, Object> c = section(byCorpus, corpus);
            if (reason != null && reason.startsWith(FILE_PREFIX)) {
                anyProblem = true; // counted once per file below
                continue;
            }
            docsIn += n;
            c.merge("documents_in", n, (a, b) -> (Long) a + (Long) b);
            if (reason == null) {
                kept += n;
                c.put("kept_before_dedup", n);
            } else {
                dropped.merge(reason, n, Long::sum);
                section(c, "dropped").put(reason, n);
            }
        }
        // File problems, once per file: the splits of a file may each report one (a truncated .bz2 stream can
        // fail the split that reads past its end into the last block and the one that starts there).
        Map<List<String>, String> problemOf = new TreeMap<>(Comparator
                .<List<String>, String>comparing(k -> k.get(1)).thenComparing(k -> k.get(0)));
        List<Row> problemRows = !anyProblem ? List.of() : all.filter(col("drop_reason").startsWith(FILE_PREFIX))
                .select("corpus", "source", "drop_reason").distinct().collectAsList();
        for (Row r : problemRows) {
            problemOf.merge(List.of(r.getString(0), r.getString(1)), r.getString(2).substring(FILE_PREFIX.length()),
                    IngestStage::firstProblem);
        }
        List<Map<String, Object>> problemFiles = new ArrayList<>();
        for (Map.Entry<List<String>, String> e : problemOf.entrySet()) {
            fileProblems.merge(e.getValue(), 1L, Long::sum);
            @SuppressWarnings("unchecked")
            Map<String, Object> c = (Map<String, Object>) byCorpus.get(e.getKey().get(0));
            Map<String, Object> cp = section(c, "file_problems");
            cp.merge(e.getValue(), 1L, (a, b) -> (Long) a + (Long) b);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("file", e.getKey().get(1));
            f.put("problem", e.getValue());
            problemFiles.add(f);
        }
        progress("read " + filesRead + " file(s) in " + tasks.size() + " task(s): " + docsIn + " documents, " + kept
                + " pass the filters, dropped " + dropped
                + (fileProblems.isEmpty() ? "" : ", file problems " + fileProblems));

        // Lines removed by the line rules, summed from an action's result (not accumulators: retried tasks count
        // once), over the documents that pass the filters, before de-duplication.
        Map<String, Long> linesRemoved = new TreeMap<>();
        if (web.c4() != null) {
            for (Row r : all.filter(col("lines_removed").isNotNull())
                    .select(col("corpus"), org.apache.spark.sql.functions.explode(col("lines_removed")))
                    .groupBy("corpus", "key").agg(org.apache.spark.sql.functions.sum("value"))
                    .collectAsList()) {
                linesRemoved.merge(r.getString(1), r.getLong(2), Long::sum);
                section(section(byCorpus, r.getString(0)), "lines_removed").put(r.getString(1), r.getLong(2));
            }
            progress("lines removed: " + linesRemoved);
        }

        Map<String, Object> languages = new TreeMap<>();
        if (web.language() != null) {
            for (Row r : all.filter(col("detected_language").isNotNull()).groupBy("detected_language")
                    .agg(org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)),
                            org.apache.spark.sql.functions.count(col("doc_id")))
                    .collectAsList()) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("documents", r.getLong(1));
                l.put("kept_before_dedup", r.getLong(2));
                languages.put(r.getString(0), l);
            }
            progress("languages: " + languages);
        }

        Dataset<Row> keptDocs = all.filter(col("drop_reason").isNull()).drop("drop_reason", "detected_language",
                "lines_removed");
        Dataset<Row> unique = o.exactDedup()
                ? keptDocs.groupBy("doc_id").agg(min("corpus").as("corpus"), min("source").as("source"),
                        first("sentences").as("sentences"), first("bytes").as("bytes"),
                        min(struct(col("corpus"), col("source"), col("record_id"), col("url"), col("date"),
                                col("language"), col("language_score"))).as("first_copy"))
                        .select(col("doc_id"), col("corpus"), col("source"), col("sentences"),
                                col("first_copy.record_id").as("record_id"), col("first_copy.url").as("url"),
                                col("first_copy.date").as("date"), col("first_copy.language").as("language"),
                                col("first_copy.language_score").as("language_score"), col("bytes"))
                : keptDocs;
        unique = unique.persist(StorageLevel.DISK_ONLY());
        long uniqueDocs = unique.count();
        long duplicatesExact = kept - uniqueDocs;
        progress("exact duplicates: " + duplicatesExact + (o.exactDedup() ? "" : " (exact de-duplication off)"));

        long duplicatesNear = 0;
        Dataset<Row> finalDocs = unique;
        if (o.nearDup().enabled() && uniqueDocs > 1) {
            Dataset<Row> nearIds = nearDuplicates(spark, unique, o.nearDup()).persist(StorageLevel.DISK_ONLY());
            duplicatesNear = nearIds.count();
            finalDocs = unique.join(nearIds, unique.col("doc_id").equalTo(nearIds.col("near_doc_id")), "left_anti");
            progress("near duplicates (Jaccard >= " + o.nearDup().threshold() + "): " + duplicatesNear);
        }
        long finalCount = uniqueDocs - duplicatesNear;

        boolean route = web.language() != null && web.language().route();
        Map<String, Object> routed = new TreeMap<>();
        List<Map<String, Object>> shardList;
        if (!route) {
            shardList = writeBalancedShards(spark, finalDocs, o.output(), o.targetShardBytes(), hconf);
        } else {
            // one folder of balanced shards per language, all written into one temporary folder, committed once
            Dataset<Row> byLang = finalDocs.withColumn("route_language",
                    org.apache.spark.sql.functions.coalesce(col("language"),
                            org.apache.spark.sql.functions.lit(LanguageFilter.UNDETERMINED)))
                    .persist(StorageLevel.DISK_ONLY());
            List<String> langs = byLang.select("route_language").distinct().as(
                    org.apache.spark.sql.Encoders.STRING()).collectAsList().stream().sorted().toList();
            String tmp = HadoopFiles.temporarySibling(o.output(), hconf);
            shardList = new ArrayList<>();
            for (String lang : langs) {
                String folder = "language=" + lang;
                List<Map<String, Object>> shards = writeShards(spark, byLang.filter(col("route_language")
                        .equalTo(lang)).drop("route_language"), HadoopFiles.join(tmp, folder),
                        o.targetShardBytes());
                long docs = 0;
                long bytes = 0;
                for (Map<String, Object> m : shards) {
                    m.put("folder", folder);
                    docs += (Long) m.get("documents");
                    bytes += (Long) m.get("bytes");
                }
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("folder", folder);
                f.put("documents", docs);
                f.put("bytes", bytes);
                f.put("shards", shards.size());
                routed.put(lang, f);
                shardList.addAll(shards);
            }
            if (langs.isEmpty()) { // nothing kept: the empty shards of the one-folder layout
                shardList = writeShards(spark, finalDocs, tmp, o.targetShardBytes());
            }
            HadoopFiles.commit("ingest", tmp, o.output(), hconf);
            byLang.unpersist();
            progress("routed by language: " + routed);
        }
        long bytesKept = shardList.stream().mapToLong(m -> (Long) m.get("bytes")).sum();
        progress("wrote " + shardList.size() + " shard(s), " + finalCount + " documents, " + bytesKept + " bytes to "
                + o.output());
        unique.unpersist();
        all.unpersist();

        long droppedTotal = dropped.values().stream().mapToLong(Long::longValue).sum();
        report.put("output", o.output());
        report.put("documents_in", docsIn);
        report.put("documents_kept", finalCount);
        report.put("dropped", dropped);
        if (web.c4() != null) {
            report.put("lines_removed", linesRemoved);
        }
        report.put("duplicates_exact", duplicatesExact);
        report.put("duplicates_near", duplicatesNear);
        report.put("read_errors", fileProblems.getOrDefault("truncated", 0L) + fileProblems.getOrDefault(READ_ERROR, 0L));
        report.put("file_problems", fileProblems);
        report.put("problem_files", problemFiles);
        report.put("accounted", docsIn == finalCount + droppedTotal + duplicatesExact + duplicatesNear);
        report.put("bytes_kept", bytesKept);
        report.put("shard_target_bytes", o.targetShardBytes());
        report.put("shards", shardList.size());
        report.put("shard_sizes", shardList);
        report.put("by_corpus", byCorpus);
        if (route) {
            report.put("language_folders", routed);
        }
        if (web.language() != null) {
            report.put("languages", languages);
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("language", o.language());
        settings.put("filters", quality);
        settings.put("max_document_chars", maxDocChars);
        settings.put("web_filters", web.describe());
        settings.put("exact_dedup", o.exactDedup());
        settings.put("near_dup", o.nearDup());
        report.put("settings", settings);
        report.finish();
        String reportPath = reportPath(o.output(), hconf);
        HadoopFiles.writeString(reportPath, hconf, report.toJson());
        progress("report " + reportPath + " (accounted: " + report.get("accounted") + ")");
        return report;
    }

    /** {@code ingest-report.json} in the output folder's parent. */
    public static String reportPath(String output, Configuration conf) {
        Path out = HadoopFiles.path(output, conf);
        return new Path(out.getParent(), REPORT_FILE).toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> m, String key) {
        return (Map<String, Object>) m.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
    }

    /**
     * Ids (column {@code near_doc_id}) of the documents that have a near duplicate with a smaller {@code doc_id}.
     * Candidate pairs come from MinHash LSH; each is then checked with the exact Jaccard distance of the hashed
     * shingle sets (Spark's {@code approxSimilarityJoin}), so a pair is never dropped below the threshold, but a
     * pair above it may be missed with a small probability (about {@code (1 - J)^numHashTables}).
     */
    static Dataset<Row> nearDuplicates(SparkSession spark, Dataset<Row> docs, NearDup cfg) {
        int n = cfg.shingleWords();
        int dim = cfg.numFeatures();
        StructType schema = new StructType().add("doc_id", DataTypes.StringType)
                .add("features", SQLDataTypes.VectorType());
        JavaRDD<Row> rows = docs.select("doc_id", "sentences").javaRDD().flatMap(r -> {
            List<String> sentences = r.getList(1);
            int[] idx = Shingles.hashed(sentences, n, dim);
            if (idx.length == 0) {
                return Collections.emptyIterator();
            }
            double[] ones = new double[idx.length];
            java.util.Arrays.fill(ones, 1.0);
            return List.of(RowFactory.create(r.getString(0), Vectors.sparse(dim, idx, ones))).iterator();
        });
        Dataset<Row> features = spark.createDataFrame(rows, schema);
        MinHashLSHModel model = new MinHashLSH().setNumHashTables(cfg.numHashTables()).setSeed(cfg.seed())
                .setInputCol("features").setOutputCol("hashes").fit(features);
        Dataset<Row> hashed = model.transform(features).persist(StorageLevel.DISK_ONLY());
        // approxSimilarityJoin keeps distance < threshold; similarity >= t <=> distance <= 1 - t
        double maxDistance = 1 - cfg.threshold() + 1e-9;
        Dataset<Row> ids = model.approxSimilarityJoin(hashed, hashed, maxDistance, "distance")
                .filter(col("datasetA.doc_id").lt(col("datasetB.doc_id")))
                .select(col("datasetB.doc_id").as("near_doc_id"))
                .distinct();
        return ids;
    }

    /**
     * Writes {@code docs} (with a {@code bytes} column) as {@link BalancedShards}: sorted by {@code doc_id}, cut
     * at cumulative bytes. Returns one entry per shard: {@code shard}, {@code documents}, {@code bytes}.
     */
    static List<Map<String, Object>> writeBalancedShards(SparkSession spark, Dataset<Row> docs, String output,
                                                         long targetShardBytes, Configuration hconf) {
        String tmp = HadoopFiles.temporarySibling(output, hconf);
        List<Map<String, Object>> list = writeShards(spark, docs, tmp, targetShardBytes);
        HadoopFiles.commit("ingest", tmp, output, hconf);
        return list;
    }

    /**
     * Writes {@code docs} as {@link BalancedShards} into the new folder {@code folder} (it must not exist), without
     * committing it; the shard entries as {@link #writeBalancedShards}.
     */
    static List<Map<String, Object>> writeShards(SparkSession spark, Dataset<Row> docs, String folder,
                                                 long targetShardBytes) {
        int bytesAt = DOC_SCHEMA.size();
        JavaRDD<Row> sorted = docs.select("doc_id", "corpus", "source", "sentences", "record_id", "url", "date",
                        "language", "language_score", "bytes").sort("doc_id")
                .javaRDD().persist(StorageLevel.DISK_ONLY());
        List<Long> partBytes = sorted.mapPartitions(it -> {
            long s = 0;
            while (it.hasNext()) {
                s += it.next().getLong(bytesAt);
            }
            return List.of(s).iterator();
        }).collect();
        long[] offsets = new long[partBytes.size()];
        long total = 0;
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = total;
            total += partBytes.get(i);
        }
        long totalBytes = total;
        int shards = BalancedShards.count(totalBytes, targetShardBytes);
        JavaPairRDD<Integer, Row> keyed = sorted.mapPartitionsWithIndex((part, it) -> {
            long before = offsets[part];
            List<Tuple2<Integer, Row>> out = new ArrayList<>();
            while (it.hasNext()) {
                Row r = it.next();
                long b = r.getLong(bytesAt);
                out.add(new Tuple2<>(BalancedShards.shardOf(before, b, totalBytes, shards), r));
                before += b;
            }
            return out.iterator();
        }, true).mapToPair(t -> t);
        long[][] stats = new long[shards][2];
        for (Tuple2<Integer, Tuple2<Long, Long>> t : keyed
                .mapValues(r -> new Tuple2<>(1L, r.getLong(bytesAt)))
                .reduceByKey((a, b) -> new Tuple2<>(a._1() + b._1(), a._2() + b._2()))
                .collect()) {
            stats[t._1()][0] = t._2()._1();
            stats[t._1()][1] = t._2()._2();
        }
        JavaRDD<Row> partitioned = keyed.partitionBy(new ModuloPartitioner(shards)) // partition i holds shard i
                .map(t -> {
                    Object[] v = new Object[bytesAt];
                    for (int c = 0; c < bytesAt; c++) {
                        v[c] = t._2().get(c);
                    }
                    return RowFactory.create(v);
                });
        spark.createDataFrame(partitioned, DOC_SCHEMA).sortWithinPartitions("doc_id").write().parquet(folder);
        sorted.unpersist();
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("shard", i);
            m.put("documents", stats[i][0]);
            m.put("bytes", stats[i][1]);
            list.add(m);
        }
        return list;
    }

    /**
     * One raw document as cut from its file; {@code drop} is a read-time drop reason key, or
     * {@code "file:<problem>"} marking a file-level problem (then {@code text} is null).
     */
    record RawDocument(int spec, String corpus, String source, String text, String drop, String recordId,
                       String url, String date) implements java.io.Serializable {
        RawDocument(int spec, String corpus, String source, String text, String drop) {
            this(spec, corpus, source, text, drop, null, null, null);
        }
    }

    private static Row outcome(RawDocument d, IngestOutcome out) {
        if (!out.kept()) {
            return RowFactory.create(null, d.corpus(), d.source(), null, null, null, null, null, null, 0L,
                    out.dropKey(), out.language(), null);
        }
        Document doc = out.document();
        List<String> sentences = doc.sentences();
        return RowFactory.create(doc.docId(), d.corpus(), d.source(), sentences.toArray(new String[0]), d.recordId(),
                d.url(), d.date(), doc.language(), doc.languageScore(), BalancedShards.documentBytes(sentences), null,
                out.language(), out.linesRemoved().isEmpty() ? null
                        : scala.collection.JavaConverters.mapAsScalaMap(new java.util.HashMap<>(out.linesRemoved())));
    }

    /**
     * Opens a file decompressed: {@code .zst} with zstd-jni, {@code .xz} with XZ for Java, otherwise by Hadoop's codec for the extension
     * (none: raw bytes).
     */
    static InputStream openDecompressed(String file, Configuration conf) throws IOException {
        Path p = HadoopFiles.path(file, conf);
        InputStream in = HadoopFiles.fs(p, conf).open(p);
        try {
            if (p.getName().endsWith(".zst") || p.getName().endsWith(".zstd")) {
                return new com.github.luben.zstd.ZstdInputStream(new BufferedInputStream(in, 1 << 16));
            }
            if (p.getName().endsWith(".xz")) {
                return new org.tukaani.xz.XZInputStream(new BufferedInputStream(in, 1 << 16));
            }
            CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
            return codec == null ? in : codec.createInputStream(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static String problemOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.netpreserve.jwarc.ParsingException) {
                return MALFORMED_RECORD;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EOFException || String.valueOf(t.getMessage()).toLowerCase().contains("unexpected end")) {
                return "truncated";
            }
        }
        return READ_ERROR;
    }

    /** Of two problems reported for one file (by two of its splits), the one counted: the first in this order. */
    private static final List<String> PROBLEM_ORDER = List.of("empty_file", "binary_file", "truncated",
            MALFORMED_RECORD, READ_ERROR);

    static String firstProblem(String a, String b) {
        int ia = PROBLEM_ORDER.indexOf(a);
        int ib = PROBLEM_ORDER.indexOf(b);
        return (ia < 0 ? Integer.MAX_VALUE : ia) <= (ib < 0 ? Integer.MAX_VALUE : ib) ? a : b;
    }

    /** Streams the raw documents of one read task: a whole file ({@link #readFile}) or a split ({@link #readSplit}). */
    static Iterator<RawDocument> read(IngestSplits.ReadTask t, SourceSpec spec, Configuration conf, int maxDocChars) {
        return t.wholeFile() ? readFile(t.spec(), spec, t.file(), conf, maxDocChars)
                : readSplit(t, spec, conf, maxDocChars);
    }

    private static Iterator<RawDocument> problem(int specIndex, String corpus, String file, String problem) {
        return List.of(new RawDocument(specIndex, corpus, file, null, FILE_PREFIX + problem)).iterator();
    }

    /**
     * Streams one file's raw documents; a file-level problem (empty, binary, truncated, unreadable) yields one
     * marker row and ends the file, after the documents read so far.
     */
    static Iterator<RawDocument> readFile(int specIndex, SourceSpec spec, String file, Configuration conf,
                                          int maxDocChars) {
        String corpus = spec.name();
        SourceReader.RawTexts docs;
        try {
            BufferedInputStream in = new BufferedInputStream(openDecompressed(file, conf), 1 << 16);
            SourceReader.FileKind kind;
            try {
                kind = SourceReader.probe(in, spec.format());
            } catch (IOException e) {
                in.close();
                throw e;
            }
            if (kind != SourceReader.FileKind.TEXT) {
                in.close();
                String problem = kind == SourceReader.FileKind.EMPTY ? "empty_file" : "binary_file";
                System.err.println("[ingest] " + file + ": " + problem + ", skipped");
                return problem(specIndex, corpus, file, problem);
            }
            docs = SourceReader.read(spec, in, file, maxDocChars);
        } catch (IOException | UncheckedIOException e) {
            String problem = problemOf(e);
            System.err.println("[ingest] " + file + ": " + problem + ": " + e.getMessage());
            return problem(specIndex, corpus, file, problem);
        }
        return guarded(specIndex, corpus, file, file, docs);
    }

    /**
     * Streams the raw documents of one byte-range split of a line-splittable file: its lines from Hadoop's
     * {@code LineRecordReader} ({@link SplitLines}) through {@link SourceReader#lines}. Every split first looks at the
     * head of the file (decompressed): an empty or binary file gives no documents in any split and one marker row
     * from split 0, so the problem is counted once per file as for a whole file; a split that starts inside a CSV
     * file takes the header from there. A read error ends the split with a marker row after the documents read so
     * far (the driver counts one problem per file).
     */
    static Iterator<RawDocument> readSplit(IngestSplits.ReadTask t, SourceSpec spec, Configuration conf,
                                           int maxDocChars) {
        String corpus = spec.name();
        String file = t.file();
        String where = file + " split " + (t.split() + 1) + "/" + t.splits() + " (bytes " + t.start() + ".."
                + (t.start() + t.length()) + ")";
        SourceReader.RawTexts docs;
        try {
            String header = null;
            try (BufferedInputStream head = new BufferedInputStream(openDecompressed(file, conf), 1 << 16)) {
                SourceReader.FileKind kind = SourceReader.probe(head, spec.format());
                if (kind != SourceReader.FileKind.TEXT) {
                    if (t.split() > 0) {
                        return Collections.emptyIterator();
                    }
                    String problem = kind == SourceReader.FileKind.EMPTY ? "empty_file" : "binary_file";
                    System.err.println("[ingest] " + file + ": " + problem + ", skipped");
                    return problem(t.spec(), corpus, file, problem);
                }
                if (spec.format() == DocumentFormat.CSV && t.start() > 0) {
                    header = SourceReader.csvHeaderLine(head, file, maxDocChars);
                }
            }
            SplitLines lines = new SplitLines(file, t.start(), t.length(), conf, maxDocChars);
            docs = SourceReader.lines(spec, lines, lines, t.start() == 0, header, file, maxDocChars);
        } catch (IOException | UncheckedIOException e) {
            String problem = problemOf(e);
            System.err.println("[ingest] " + where + ": " + problem + ": " + e.getMessage());
            return problem(t.spec(), corpus, file, problem);
        }
        return guarded(t.spec(), corpus, file, where, docs);
    }

    /** {@code docs} as rows; a read error ends them with one marker row. */
    private static Iterator<RawDocument> guarded(int specIndex, String corpus, String file, String where,
                                                 SourceReader.RawTexts docs) {
        return new Iterator<>() {
            private RawDocument error;
            private boolean failed;
            private long count;

            @Override
            public boolean hasNext() {
                if (error != null) {
                    return true;
                }
                if (failed) {
                    return false;
                }
                try {
                    boolean h = docs.hasNext();
                    if (!h) {
                        failed = true; // finished
                        System.out.println("[ingest] read " + where + ": " + count + " documents");
                    }
                    return h;
                } catch (UncheckedIOException e) {
                    failed = true;
                    docs.close();
                    String problem = problemOf(e);
                    System.err.println("[ingest] " + where + ": " + problem + " after " + count + " documents: "
                            + e.getMessage());
                    error = new RawDocument(specIndex, corpus, file, null, FILE_PREFIX + problem);
                    return true;
                }
            }

            @Override
            public RawDocument next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                if (error != null) {
                    RawDocument r = error;
                    error = null;
                    return r;
                }
                RawText t = docs.next();
                count++;
                return new RawDocument(specIndex, corpus, file, t.text(),
                        t.readDrop() == null ? null : t.readDrop().key(), t.recordId(), t.url(), t.date());
            }
        };
    }
}
