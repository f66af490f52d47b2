package dev.pretrain.jobs.stages;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.OutputMarker;

/**
 * {@code ingest-incremental}: scheduled ingestion of a landing folder. Each run ingests only the files
 * not ingested by an earlier run, exactly once, as the next batch of Parquet document shards; a run
 * may be killed at any point and simply re-run, without duplicated or lost documents.
 *
 * <h2>Layout</h2>
 * <pre>
 * output/batch=0/part-*.parquet      shards of batch 0 (schema of {@link IngestStage}: doc_id, corpus, source, sentences)
 * output/batch=1/...
 * output/_manifest/batch-00000.json  the files batch 0 ingested: corpus, path, length, modification_time
 * output/_staging/batch=2/           a batch being built (deleted when it commits)
 * </pre>
 * Reading {@code output} as a whole ({@code spark.read().parquet(output)}, e.g. the vocab/tokenize
 * stages) gives the union of the batches plus a {@code batch} int column from partition discovery;
 * Spark skips {@code _manifest} and {@code _staging}.
 *
 * <h2>One run</h2>
 * <ol>
 * <li><b>Claim.</b> The output folder must be missing, empty or marked by pretrain ({@link OutputMarker}; a
 * folder with a {@code _manifest} of an earlier version is marked); an unrelated folder is left untouched and
 * the run fails before it deletes anything.</li>
 * <li><b>Recover.</b> Load {@link IngestManifest}. A {@code batch=<n>} folder without a manifest file
 * is the orphan of a run killed between its shard commit and its manifest commit: it is deleted
 * (its files are not in the manifest, so they are ingested again below). {@code _staging} and
 * temporary siblings of killed writes are deleted too. A committed batch whose folder is missing is an
 * error (data was removed by hand).</li>
 * <li><b>List.</b> Each {@link SourceSpec}'s {@code uri} is a landing path or glob (folders listed
 * recursively, names starting with '.' or '_' skipped, as {@link IngestStage} does). A file is new if its
 * (corpus, path) is not in the manifest. A listed file whose length or modification time differs
 * from its manifest entry is reported under {@code files_changed} and not ingested again (landing
 * files are expected to be immutable; upload under a '.'/'_' name and rename when complete, or set
 * {@code minFileAgeMillis} so that files still being written are left for the next run).</li>
 * <li><b>Ingest.</b> No new files: nothing is written (a no-op; the first run creates the output folder and its
 * marker). Otherwise {@link IngestStage#run}
 * ingests exactly the new files (each through a copy of its source's spec whose {@code uri} is the
 * file, glob characters escaped) into {@code _staging/batch=<n>}, with the usual cleaning, sentence
 * segmentation and exact dedup within the batch.</li>
 * <li><b>Dedup across batches.</b> Documents whose {@code doc_id} (a content hash) is already in an
 * earlier batch are dropped: the earlier batches' {@code doc_id} column is read from Parquet (column
 * pruning: only that column) and the staged rows are left-anti-joined with it, a shuffle join, so
 * memory stays bounded however large the history is. If no staged id is in an earlier batch the
 * staging folder is committed as-is (a rename), otherwise the surviving rows are rewritten (same shard
 * count, rows sorted by doc_id) to a temporary sibling.</li>
 * <li><b>Commit shards</b> to {@code batch=<n>} (rename), then <b>commit the manifest</b> file of
 * batch n (written to a temporary sibling and renamed). The batch exists exactly when this file
 * exists.</li>
 * </ol>
 * A kill before the shard commit leaves only {@code _staging}; a kill between the two commits leaves
 * an orphan {@code batch=<n>} (visible to readers of the whole folder until the next run deletes it;
 * {@link IngestManifest#batchPaths()} lists only committed batches); either way the next run
 * redoes the batch from the same files. Document cleaning is deterministic, so the union of all
 * batches has the same {@code doc_id}s and sentences as one {@link IngestStage#run} over all the
 * files with the same settings: {@link IngestStage.Options}' six-argument form, i.e. default filters,
 * exact dedup, no near-duplicate detection ({@code ingest --no-near-dup}); MinHash near-dup compares
 * documents across the whole input and is not applied across batches. Only the {@code source}
 * column of a document found in several files may differ: here it is the file of the earliest
 * batch, in a single run the smallest file URI.
 *
 * <p>Runs must not overlap (two runs would both pick the same new files): the scheduler prevents it
 * ({@code flock} in cron, {@code concurrencyPolicy: Forbid} on Kubernetes, {@code max_active_runs=1} in
 * Airflow; see {@code cluster-conf/schedule/}); a run that finds its {@code batch=<n>} already present
 * at its shard commit (another run got there first) fails with {@link IllegalStateException}, but
 * overlaps are not detected in general. On S3 (no atomic folder rename) use a committer
 * or HDFS for the output; the manifest file itself is a single-object write.
 *
 * <h2>Why a manifest, not Structured Streaming</h2>
 * Spark's streaming file source with {@code Trigger.AvailableNow} also processes each new file once
 * (its checkpoint logs the file names). It was not used because (1) the file source reads through
 * Spark's line/CSV formats, while documents span lines and whole files (headings, blank-line
 * separated, TSV headers, .gz): we would have to read the files ourselves in {@code foreachBatch},
 * which gives up the file sink's exactly-once commit and needs the same batch-id bookkeeping as this
 * manifest; (2) exact dedup across batches in streaming ({@code dropDuplicates}) keeps every doc_id in
 * the state store forever, where the anti-join reads them from the shards; (3) the manifest is a few
 * readable JSON files that say which file went into which batch and detect changed files, and do not
 * depend on a query's checkpoint format.
 */
public final class IncrementalIngestStage {
    /** Folder of the batch being built, under the output root. */
    public static final String STAGING = "_staging";
    private static final Pattern BATCH_DIR = Pattern.compile("batch=(\\d+)");

    private IncrementalIngestStage() {}

    /**
     * Incremental ingestion settings.
     *
     * @param sources          source templates: {@code uri} is the landing path or glob of the source's files,
     *                         the rest (format, cleaning) is applied to every file found there
     * @param output           output root (any Hadoop URI); holds {@code batch=<n>/} and {@code _manifest/}
     * @param language         locale of the sentence splitter (as {@link IngestStage.Options})
     * @param minChars         drop documents shorter than this many characters
     * @param minSentences     drop documents with fewer sentences
     * @param targetShardBytes target shard size in bytes
     * @param minFileAgeMillis files modified less than this many milliseconds ago (driver clock) wait for a later
     *                         run; 0 ingests everything listed
     */
    public record Options(List<SourceSpec> sources, String output, String language, int minChars,
                          int minSentences, long targetShardBytes, long minFileAgeMillis) {
        public Options {
            if (sources == null || sources.isEmpty()) {
                throw new IllegalArgumentException("ingest-incremental needs at least one source");
            }
            sources = List.copyOf(sources);
            if (output == null || output.isEmpty()) {
                throw new IllegalArgumentException("ingest-incremental needs an output folder");
            }
            if (targetShardBytes <= 0) {
                throw new IllegalArgumentException("targetShardBytes must be > 0");
            }
            if (minFileAgeMillis < 0) {
                throw new IllegalArgumentException("minFileAgeMillis must be >= 0");
            }
        }
    }

    /**
     * Fault injection points for tests (a thrown exception stands for a killed driver: nothing is cleaned
     * up). Production runs use {@link #NO_HOOKS}.
     */
    public interface Hooks {
        /** After the batch's shards are staged and deduplicated, before they are committed to {@code batch=<n>}. */
        default void beforeShardsCommit(int batch) {}

        /** After {@code batch=<n>} is committed, before its manifest file is written. */
        default void beforeManifestCommit(int batch) {}
    }

    public static final Hooks NO_HOOKS = new Hooks() {};

    public static StageReport run(SparkSession spark, Options o) {
        return run(spark, o, NO_HOOKS);
    }

    /**
     * Runs one incremental ingestion (see the class comment).
     *
     * @return the report: {@code batch} (null for a no-op), {@code files_new}, {@code files_already_ingested},
     *     {@code files_changed}, {@code files_too_recent}, {@code orphans_deleted}, {@code documents_committed},
     *     {@code duplicates_across_batches}, {@code batches_committed}, {@code documents_total} and the batch's
     *     {@code ingest} report
     * @throws IllegalArgumentException if a landing path does not exist
     * @throws IllegalStateException    if the output is not an incremental-ingest output, the manifest is damaged,
     *     or another run committed the same batch meanwhile
     */
    public static StageReport run(SparkSession spark, Options o, Hooks hooks) {
        StageReport report = new StageReport("ingest-incremental");
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        String output = HadoopFiles.path(o.output(), conf).toString();
        report.put("output", output);
        claim(output, report.stage(), conf);

        IngestManifest manifest = IngestManifest.load(output, conf);
        report.put("orphans_deleted", recover(output, manifest, conf));

        // List the landing folders; pick the files not ingested yet.
        long now = System.currentTimeMillis();
        List<SourceSpec> batchSpecs = new ArrayList<>();
        List<IngestManifest.IngestedFile> newFiles = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> tooRecent = new ArrayList<>();
        int listed = 0;
        int already = 0;
        for (SourceSpec spec : o.sources()) {
            for (FileStatus st : list(spec.uri(), conf)) {
                listed++;
                String file = st.getPath().toString();
                IngestManifest.IngestedFile seen = manifest.lookup(spec.name(), file);
                if (seen != null) {
                    if (seen.length() != st.getLen() || seen.modificationTime() != st.getModificationTime()) {
                        changed.add(file);
                    } else {
                        already++;
                    }
                } else if (now - st.getModificationTime() < o.minFileAgeMillis()) {
                    tooRecent.add(file);
                } else {
                    newFiles.add(new IngestManifest.IngestedFile(spec.name(), file, st.getLen(),
                            st.getModificationTime()));
                    batchSpecs.add(spec.withUri(escapeGlob(file)));
                }
            }
        }
        if (!changed.isEmpty()) {
            System.err.println("ingest-incremental: warning: " + changed.size()
                    + " already ingested file(s) changed since and are NOT ingested again, e.g. " + changed.get(0));
        }
        report.put("files_listed", listed);
        report.put("files_already_ingested", already);
        report.put("files_changed", changed);
        report.put("files_too_recent", tooRecent);
        report.put("files_new", newFiles.size());

        if (newFiles.isEmpty()) {
            report.put("batch", null);
            report.put("documents_committed", 0L);
            report.put("duplicates_across_batches", 0L);
            putTotals(report, manifest);
            return report.finish();
        }

        int batch = manifest.nextBatch();
        report.put("batch", batch);
        String staging = HadoopFiles.join(output, STAGING, IngestManifest.batchFolderName(batch));
        String target = HadoopFiles.join(output, IngestManifest.batchFolderName(batch));
        StageReport ingest = IngestStage.run(spark, new IngestStage.Options(batchSpecs, staging, o.language(),
                o.minChars(), o.minSentences(), o.targetShardBytes()));

        Dataset<Row> staged = spark.read().parquet(staging);
        long stagedDocs = staged.count();
        List<String> earlier = manifest.batchPaths();
        long duplicates = 0;
        Dataset<Row> earlierIds = null;
        if (!earlier.isEmpty()) {
            earlierIds = spark.read().parquet(earlier.toArray(String[]::new)).select(col("doc_id").as("earlier_doc_id"));
            duplicates = staged.select("doc_id").join(earlierIds, col("doc_id").equalTo(col("earlier_doc_id"))).count();
        }
        String commitFrom = staging;
        if (duplicates > 0) {
            int shards = Math.max(1, staged.inputFiles().length);
            commitFrom = HadoopFiles.temporarySibling(target, conf);
            staged.join(earlierIds, col("doc_id").equalTo(col("earlier_doc_id")), "left_anti")
                    .repartition(shards, col("doc_id"))
                    .sortWithinPartitions("doc_id")
                    .write().parquet(commitFrom);
        }
        hooks.beforeShardsCommit(batch);
        if (HadoopFiles.exists(target, conf)) {
            throw new IllegalStateException(target + " appeared while this run built it: did two ingest runs overlap?");
        }
        HadoopFiles.commit(report.stage(), commitFrom, target, conf);
        hooks.beforeManifestCommit(batch);
        long documents = stagedDocs - duplicates;
        manifest = manifest.commit(new IngestManifest.Batch(batch, Instant.now().toString(), newFiles, documents,
                duplicates), conf);
        HadoopFiles.delete(HadoopFiles.join(output, STAGING), conf);

        report.put("documents_committed", documents);
        report.put("duplicates_across_batches", duplicates);
        putTotals(report, manifest);
        report.put("ingest", ingest.values());
        return report.finish();
    }

    /**
     * {@link OutputMarker#claim}s the output folder; a folder with a {@code _manifest} but no marker is an output of
     * an earlier version of this stage and is marked first, so that its batches are kept.
     */
    private static void claim(String output, String stage, Configuration conf) {
        if (HadoopFiles.exists(HadoopFiles.join(output, IngestManifest.FOLDER), conf)
                && !OutputMarker.isMarked(output, conf)) {
            OutputMarker.mark(output, stage, conf);
        }
        OutputMarker.claim(output, stage, conf);
    }

    private static void putTotals(StageReport report, IngestManifest manifest) {
        report.put("batches_committed", manifest.batches().size());
        report.put("documents_total", manifest.batches().stream().mapToLong(IngestManifest.Batch::documents).sum());
    }

    /**
     * Deletes what killed runs left: uncommitted {@code batch=<n>} folders, {@code _staging}, hidden
     * temporary siblings. Returns the deleted batch folders.
     */
    private static List<String> recover(String output, IngestManifest manifest, Configuration conf) {
        Path root = HadoopFiles.path(output, conf);
        FileSystem fs = HadoopFiles.fs(root, conf);
        List<String> orphans = new ArrayList<>();
        try {
            if (!fs.exists(root)) {
                if (!manifest.batches().isEmpty()) {
                    throw new IllegalStateException("output " + output + " is missing");
                }
                return orphans;
            }
            if (!fs.getFileStatus(root).isDirectory()) {
                throw new IllegalStateException("output " + output + " is a file, not a folder");
            }
            Map<Integer, Boolean> present = new LinkedHashMap<>();
            for (FileStatus st : fs.listStatus(root)) {
                String name = st.getPath().getName();
                var m = BATCH_DIR.matcher(name);
                if (m.matches() && st.isDirectory()) {
                    int b = Integer.parseInt(m.group(1));
                    if (manifest.isCommitted(b)) {
                        present.put(b, true);
                    } else {
                        orphans.add(st.getPath().toString());
                        fs.delete(st.getPath(), true);
                    }
                } else if (name.equals(STAGING) || name.startsWith(".batch=")) {
                    fs.delete(st.getPath(), true);
                } else if (!name.equals(IngestManifest.FOLDER) && !name.startsWith(".") && !name.startsWith("_")) {
                    throw new IllegalStateException("output " + output + " is not an incremental ingest output: it holds "
                            + st.getPath() + " (use an empty or ingest-incremental folder)");
                }
            }
            for (IngestManifest.Batch b : manifest.batches()) {
                if (!present.containsKey(b.batch())) {
                    throw new IllegalStateException("committed batch " + b.batch() + " is missing from " + output
                            + " (its folder " + IngestManifest.batchFolderName(b.batch()) + " was removed)");
                }
            }
            Path manifestDir = new Path(root, IngestManifest.FOLDER);
            if (fs.exists(manifestDir)) {
                for (FileStatus st : fs.listStatus(manifestDir)) {
                    if (st.getPath().getName().startsWith(".")) {
                        fs.delete(st.getPath(), true);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot recover incremental ingest output " + output, e);
        }
        return orphans;
    }

    /**
     * The files under a landing path or glob with their status, folders listed recursively, names
     * starting with '.' or '_' skipped (as {@link HadoopFiles#expand}), sorted by URI. An existing but
     * empty landing folder, or a glob matching nothing, gives no files.
     *
     * @throws IllegalArgumentException if a path without glob characters does not exist
     */
    static List<FileStatus> list(String pattern, Configuration conf) {
        Path p = new Path(pattern);
        FileSystem fs = HadoopFiles.fs(p, conf);
        List<FileStatus> files = new ArrayList<>();
        try {
            FileStatus[] matches = fs.globStatus(p);
            if (matches == null) {
                throw new IllegalArgumentException("landing path not found: " + pattern);
            }
            for (FileStatus st : matches) {
                HadoopFiles.collectFiles(fs, st, files);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list landing path " + pattern, e);
        }
        files.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
        return files;
    }

    /** Escapes Hadoop glob characters so that a file URI matches only itself. */
    static String escapeGlob(String file) {
        StringBuilder sb = new StringBuilder(file.length() + 8);
        for (int i = 0; i < file.length(); i++) {
            char c = file.charAt(i);
            if ("\\[]{}*?".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
