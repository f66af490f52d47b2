package dev.pretrain.jobs.stages;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.min;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import dev.pretrain.corpus.ingest.DocumentProcessor;
import dev.pretrain.corpus.ingest.DocumentSplitter;
import dev.pretrain.corpus.ingest.IngestOutcome;
import dev.pretrain.corpus.ingest.SentenceSegmenter;
import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.corpus.ingest.TextCleaner;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.LineIterator;
import dev.pretrain.jobs.spark.SerializableConfiguration;
import scala.Tuple2;

/**
 * {@code ingest}: raw corpora to Parquet document shards.
 *
 * <p>Read (one task per input file, decompressed by extension) → cut into documents
 * ({@link DocumentSplitter}) → clean and segment into sentences ({@link DocumentProcessor}, ICU4J) →
 * drop exact duplicates (same {@code doc_id}, a content hash) → write shards of about
 * {@code targetShardBytes}, rows sorted by {@code doc_id}.
 *
 * <p>Output schema: {@code doc_id} string, {@code corpus} string (source name), {@code source}
 * string (file URI), {@code sentences} array&lt;string&gt;. Every input document is accounted for in
 * the report: {@code documents_in = kept + dropped (by reason) + duplicates_exact}; a file that
 * fails to read mid-way keeps the documents read so far and is counted under {@code read_errors}.
 */
public final class IngestStage {
    public static final String READ_ERROR = "read_error";

    /** Ingestion settings. */
    public record Options(List<SourceSpec> sources, String output, String language, int minChars,
                          int minSentences, long targetShardBytes) {
        public Options {
            if (sources == null || sources.isEmpty()) {
                throw new IllegalArgumentException("ingest needs at least one source");
            }
            if (targetShardBytes <= 0) {
                throw new IllegalArgumentException("targetShardBytes must be > 0");
            }
        }
    }

    public static final StructType OUTCOME_SCHEMA = new StructType()
            .add("doc_id", DataTypes.StringType)
            .add("corpus", DataTypes.StringType)
            .add("source", DataTypes.StringType)
            .add("sentences", DataTypes.createArrayType(DataTypes.StringType))
            .add("chars", DataTypes.LongType)
            .add("drop_reason", DataTypes.StringType);

    private IngestStage() {}

    public static StageReport run(SparkSession spark, Options o) {
        StageReport report = new StageReport("ingest");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());

        List<Tuple2<Integer, String>> tasks = new ArrayList<>();
        List<Map<String, Object>> inputs = new ArrayList<>();
        long bytesIn = 0;
        for (int i = 0; i < o.sources().size(); i++) {
            SourceSpec spec = o.sources().get(i);
            for (String file : HadoopFiles.expand(spec.uri(), hconf)) {
                tasks.add(new Tuple2<>(i, file));
                long len = HadoopFiles.length(file, hconf);
                bytesIn += len;
                Map<String, Object> in = new LinkedHashMap<>();
                in.put("corpus", spec.name());
                in.put("file", file);
                in.put("bytes", len);
                inputs.add(in);
            }
        }
        report.put("inputs", inputs);
        report.put("files_read", tasks.size());
        report.put("bytes_in", bytesIn);

        List<SourceSpec> specs = List.copyOf(o.sources());
        SerializableConfiguration sconf = new SerializableConfiguration(hconf);
        String language = o.language();
        int minChars = o.minChars();
        int minSentences = o.minSentences();
        // Reading is one task per file (a .gz file cannot be split); cleaning and sentence
        // segmentation, the costly part, run after the raw documents are spread over every core.
        JavaRDD<RawDocument> raw = jsc.parallelize(tasks, Math.max(1, tasks.size()))
                .flatMap(t -> readFile(t._1(), specs.get(t._1()), t._2(), sconf.get()));
        int parallelism = Math.max(tasks.size(), 4 * jsc.defaultParallelism());
        JavaRDD<Row> outcomes = raw.repartition(parallelism).mapPartitions(docs -> {
            Map<String, DocumentProcessor> processors = new java.util.HashMap<>();
            java.util.List<Row> out = new ArrayList<>();
            while (docs.hasNext()) {
                RawDocument d = docs.next();
                if (d.text() == null) {
                    out.add(RowFactory.create(null, d.corpus(), d.source(), null, 0L, READ_ERROR));
                    continue;
                }
                SourceSpec spec = specs.get(d.spec());
                DocumentProcessor p = processors.computeIfAbsent(spec.name(), k -> new DocumentProcessor(
                        new TextCleaner(spec.html(), spec.wikitextDetokenize()), new SentenceSegmenter(language),
                        minChars, minSentences));
                out.add(outcome(d, p.process(d.source(), d.text())));
            }
            return out.iterator();
        });
        Dataset<Row> all = spark.createDataFrame(outcomes, OUTCOME_SCHEMA).persist(StorageLevel.MEMORY_AND_DISK());

        // Accounting, per corpus and reason (null reason = kept).
        Map<String, Object> byCorpus = new LinkedHashMap<>();
        long docsIn = 0;
        long kept = 0;
        long readErrors = 0;
        Map<String, Long> dropped = new LinkedHashMap<>();
        for (Row r : all.groupBy("corpus", "drop_reason").count().orderBy("corpus", "drop_reason").collectAsList()) {
            String corpus = r.getString(0);
            String reason = r.isNullAt(1) ? null : r.getString(1);
            long n = r.getLong(2);
            @SuppressWarnings("unchecked")
            Map<String, Object> c = (Map<String, Object>) byCorpus.computeIfAbsent(corpus, k -> new LinkedHashMap<String, Object>());
            if (READ_ERROR.equals(reason)) {
                readErrors += n;
                c.merge("read_errors", n, (a, b) -> (Long) a + (Long) b);
                continue;
            }
            docsIn += n;
            c.merge("documents_in", n, (a, b) -> (Long) a + (Long) b);
            if (reason == null) {
                kept += n;
                c.put("kept", n);
            } else {
                dropped.merge(reason, n, Long::sum);
                @SuppressWarnings("unchecked")
                Map<String, Object> d = (Map<String, Object>) c.computeIfAbsent("dropped", k -> new LinkedHashMap<String, Object>());
                d.put(reason, n);
            }
        }

        Dataset<Row> keptDocs = all.filter(col("drop_reason").isNull());
        Dataset<Row> unique = keptDocs.groupBy("doc_id")
                .agg(min("corpus").as("corpus"), min("source").as("source"),
                        first("sentences").as("sentences"), first("chars").as("chars"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        Row sums = unique.agg(org.apache.spark.sql.functions.count("doc_id"),
                org.apache.spark.sql.functions.sum("chars")).first();
        long uniqueDocs = sums.getLong(0);
        long chars = sums.isNullAt(1) ? 0 : sums.getLong(1);
        long duplicates = kept - uniqueDocs;

        int shards = (int) Math.max(1, Math.min(10_000, (chars * 2 + o.targetShardBytes() - 1) / o.targetShardBytes()));
        String tmp = HadoopFiles.temporarySibling(o.output(), hconf);
        unique.select("doc_id", "corpus", "source", "sentences")
                .repartition(shards, col("doc_id"))
                .sortWithinPartitions("doc_id")
                .write().parquet(tmp);
        HadoopFiles.commit(tmp, o.output(), hconf);
        unique.unpersist();
        all.unpersist();

        report.put("output", o.output());
        report.put("documents_in", docsIn);
        report.put("documents_kept", uniqueDocs);
        report.put("dropped", dropped);
        report.put("duplicates_exact", duplicates);
        report.put("read_errors", readErrors);
        report.put("accounted", docsIn == uniqueDocs + duplicates + dropped.values().stream().mapToLong(Long::longValue).sum());
        report.put("characters_kept", chars);
        report.put("shards", shards);
        report.put("by_corpus", byCorpus);
        return report.finish();
    }

    /** One raw document as cut from its file; {@code text} null marks a file that failed to read. */
    record RawDocument(int spec, String corpus, String source, String text) implements java.io.Serializable {}

    private static Row outcome(RawDocument d, IngestOutcome out) {
        if (!out.kept()) {
            return RowFactory.create(null, d.corpus(), d.source(), null, 0L, out.dropReason().key());
        }
        long n = 0;
        for (String s : out.document().sentences()) {
            n += s.length();
        }
        return RowFactory.create(out.document().docId(), d.corpus(), d.source(),
                out.document().sentences().toArray(new String[0]), n, null);
    }

    /** Streams one file's raw documents; a read failure ends the file with one marker (null text). */
    static Iterator<RawDocument> readFile(int specIndex, SourceSpec spec, String file, Configuration conf)
            throws IOException {
        BufferedReader reader = HadoopFiles.openText(file, conf);
        LineIterator lines = new LineIterator(reader, file);
        Iterator<String> docs = new DocumentSplitter(spec).split(lines);
        return new Iterator<>() {
            private RawDocument error;
            private boolean failed;

            @Override
            public boolean hasNext() {
                if (error != null) {
                    return true;
                }
                if (failed) {
                    return false;
                }
                try {
                    return docs.hasNext();
                } catch (UncheckedIOException e) {
                    failed = true;
                    error = new RawDocument(specIndex, spec.name(), file, null);
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
                return new RawDocument(specIndex, spec.name(), file, docs.next());
            }
        };
    }
}
