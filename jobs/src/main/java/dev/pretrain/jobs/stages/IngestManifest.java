package dev.pretrain.jobs.stages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.pretrain.jobs.spark.HadoopFiles;

/**
 * The record of what an {@link IncrementalIngestStage} output holds: one small JSON file per committed
 * batch, {@code <output>/_manifest/batch-00000.json}, listing the input files the batch ingested
 * (corpus, path, length in bytes, modification time in epoch milliseconds) and its document counts.
 *
 * <p>A batch file is written atomically (temporary sibling + rename, {@link HadoopFiles#writeString}),
 * and only after the batch's shards are committed to {@code <output>/batch=<n>/}: a batch is
 * committed exactly when its manifest file exists. The {@code _manifest} folder starts with '_', so
 * Spark's Parquet reader skips it when the whole output folder is read.
 *
 * <p>Immutable snapshot; {@link #load} reads the current state, {@link #commit} adds one batch.
 */
public final class IngestManifest {
    /** Folder of the batch files under the output root. */
    public static final String FOLDER = "_manifest";
    private static final Pattern BATCH_FILE = Pattern.compile("batch-(\\d+)\\.json");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * One ingested input file.
     *
     * @param corpus           source name ({@code SourceSpec.name()}) the file was ingested under
     * @param path             the file's qualified URI, as listed by the Hadoop file system
     * @param length           length in bytes at ingestion
     * @param modificationTime modification time at ingestion, epoch milliseconds
     */
    public record IngestedFile(@JsonProperty("corpus") String corpus, @JsonProperty("path") String path,
                               @JsonProperty("length") long length,
                               @JsonProperty("modification_time") long modificationTime) {
        public IngestedFile {
            Objects.requireNonNull(corpus, "corpus");
            Objects.requireNonNull(path, "path");
        }

        /** The identity of an input: a file is ingested once per (corpus, path). */
        public String key() {
            return key(corpus, path);
        }

        static String key(String corpus, String path) {
            return corpus + '\u0000' + path;
        }
    }

    /**
     * One committed batch.
     *
     * @param batch                  batch number (0, 1, ...), the {@code batch=<n>} folder
     * @param committedAt            ISO-8601 instant of the commit
     * @param files                  the input files of the batch
     * @param documents              documents in {@code batch=<n>} (after dedup against earlier batches)
     * @param duplicatesAcrossBatches documents of these files dropped because an earlier batch holds their doc_id
     */
    public record Batch(@JsonProperty("batch") int batch, @JsonProperty("committed_at") String committedAt,
                        @JsonProperty("files") List<IngestedFile> files,
                        @JsonProperty("documents") long documents,
                        @JsonProperty("duplicates_across_batches") long duplicatesAcrossBatches) {
        public Batch {
            if (batch < 0) {
                throw new IllegalArgumentException("batch must be >= 0, got " + batch);
            }
            files = List.copyOf(files);
        }
    }

    private final String output;
    private final TreeMap<Integer, Batch> batches;
    private final Map<String, IngestedFile> byKey;

    private IngestManifest(String output, TreeMap<Integer, Batch> batches) {
        this.output = output;
        this.batches = batches;
        this.byKey = new HashMap<>();
        for (Batch b : batches.values()) {
            for (IngestedFile f : b.files()) {
                IngestedFile old = byKey.put(f.key(), f);
                if (old != null) {
                    throw new IllegalStateException("manifest of " + output + " lists " + f.path() + " (corpus "
                            + f.corpus() + ") in two batches");
                }
            }
        }
    }

    /**
     * Reads the manifest of an output root; an absent {@code _manifest} folder is an empty manifest.
     *
     * @throws IllegalStateException if a batch file cannot be parsed or disagrees with its name
     */
    public static IngestManifest load(String output, Configuration conf) {
        Path dir = HadoopFiles.path(HadoopFiles.join(output, FOLDER), conf);
        FileSystem fs = HadoopFiles.fs(dir, conf);
        TreeMap<Integer, Batch> batches = new TreeMap<>();
        try {
            if (fs.exists(dir)) {
                for (FileStatus st : fs.listStatus(dir)) {
                    Matcher m = BATCH_FILE.matcher(st.getPath().getName());
                    if (!st.isFile() || !m.matches()) {
                        continue; // temporary siblings (".batch-...tmp-...") of a killed write
                    }
                    String file = st.getPath().toString();
                    Batch b;
                    try {
                        b = JSON.readValue(HadoopFiles.readString(file, conf), Batch.class);
                    } catch (JsonProcessingException | RuntimeException e) {
                        throw new IllegalStateException("corrupt ingest manifest file " + file + ": " + e.getMessage(), e);
                    }
                    if (b.batch() != Integer.parseInt(m.group(1))) {
                        throw new IllegalStateException("ingest manifest file " + file + " holds batch " + b.batch());
                    }
                    batches.put(b.batch(), b);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list ingest manifest " + dir, e);
        }
        return new IngestManifest(output, batches);
    }

    /** Committed batches in batch order. */
    public List<Batch> batches() {
        return List.copyOf(batches.values());
    }

    /** The number of the next batch: one more than the last committed, 0 for an empty manifest. */
    public int nextBatch() {
        return batches.isEmpty() ? 0 : batches.lastKey() + 1;
    }

    public boolean isCommitted(int batch) {
        return batches.containsKey(batch);
    }

    /** The ingested file of a corpus at a path, or null if it was never ingested. */
    public IngestedFile lookup(String corpus, String path) {
        return byKey.get(IngestedFile.key(corpus, path));
    }

    /** Every ingested file, in batch order. */
    public List<IngestedFile> files() {
        List<IngestedFile> all = new ArrayList<>();
        for (Batch b : batches.values()) {
            all.addAll(b.files());
        }
        return Collections.unmodifiableList(all);
    }

    /** Folder name of a batch's shards under the output root. */
    public static String batchFolderName(int batch) {
        return "batch=" + batch;
    }

    /** Paths of the committed batches' shard folders, in batch order. */
    public List<String> batchPaths() {
        List<String> paths = new ArrayList<>();
        for (int b : batches.keySet()) {
            paths.add(HadoopFiles.join(output, batchFolderName(b)));
        }
        return paths;
    }

    /**
     * Commits a batch: writes its file atomically (temporary sibling, then rename) and returns the new
     * manifest. Call only after the batch's shards are in place.
     *
     * @throws IllegalStateException if the batch is already committed (two runs overlapped)
     */
    public IngestManifest commit(Batch batch, Configuration conf) {
        if (batches.containsKey(batch.batch())) {
            throw new IllegalStateException("batch " + batch.batch() + " of " + output
                    + " is already committed (did two ingest runs overlap?)");
        }
        String json;
        try {
            json = JSON.writeValueAsString(batch) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise manifest batch " + batch.batch(), e);
        }
        HadoopFiles.writeString(HadoopFiles.join(output, FOLDER, String.format("batch-%05d.json", batch.batch())),
                conf, json);
        TreeMap<Integer, Batch> next = new TreeMap<>(batches);
        next.put(batch.batch(), batch);
        return new IngestManifest(output, next);
    }
}
