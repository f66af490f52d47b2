package dev.pretrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.SparkSessions;
import dev.pretrain.jobs.stages.IncrementalIngestStage;
import dev.pretrain.jobs.stages.IngestManifest;
import dev.pretrain.jobs.stages.IngestStage;

/**
 * Scheduled incremental ingestion over a landing folder that gains real files (IMDB reviews, Moby-Dick,
 * the Lee corpus) between runs, with runs killed before the shard commit and between the shard and
 * manifest commits: the committed batches must hold exactly the documents of one ingest over all files.
 */
class IncrementalIngestTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSessions.getOrCreate("incremental-ingest-test", "local[2]");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** Thrown by the fault hooks: stands for a driver killed at that point. */
    static final class Killed extends RuntimeException {
        Killed(String where) {
            super("simulated kill " + where);
        }
    }

    private static List<SourceSpec> sources(Path landing) {
        return List.of(
                SourceSpec.imdb("imdb", landing.resolve("imdb").toString()),
                SourceSpec.gutenbergChapters("moby", landing.resolve("books") + "/*.txt"),
                SourceSpec.lines("lee", landing.resolve("lee").toString()));
    }

    private static IncrementalIngestStage.Options options(Path landing, Path out) {
        return new IncrementalIngestStage.Options(sources(landing), out.toString(), "en", 20, 1, 1 << 20, 0);
    }

    private static Map<String, Long> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            Map<String, Long> m = new TreeMap<>();
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(root.relativize(p).toString(), Files.getLastModifiedTime(p).toMillis());
            }
            return m;
        }
    }

    @Test
    void killedAndRepeatedRunsGiveTheDocumentsOfOneIngest() throws IOException {
        Path landing = tmp.resolve("landing");
        Path out = tmp.resolve("incremental");
        Path imdb = SharedData.corpus("imdb-aclImdb-v1-unsup-50k.tsv.gz");
        Path moby = SharedData.corpus("moby-dick.txt");
        Path lee = SharedData.corpus("lee_background.cor");
        IncrementalIngestStage.Options opts = options(landing, out);

        // Run 1: first IMDB reviews and the first chapters of Moby-Dick; the Lee folder is still empty.
        Files.createDirectories(landing.resolve("lee"));
        IngestLanding.slice(imdb, landing.resolve("imdb/a.tsv"), 0, 300, true, false);
        IngestLanding.slice(moby, landing.resolve("books/moby-1.txt"), 0, 3000, false, false);
        StageReport r1 = IncrementalIngestStage.run(spark, opts);
        assertEquals(0, r1.get("batch"));
        assertEquals(2, r1.get("files_new"));
        assertEquals(0L, r1.get("duplicates_across_batches"));
        long batch0 = (Long) r1.get("documents_committed");
        assertTrue(batch0 > 250, "batch 0 documents: " + batch0);

        // Run 2 gains reviews overlapping run 1's (rows 250-299 again) and Lee; killed after the shard
        // commit, before the manifest commit: batch=1 is an orphan.
        IngestLanding.slice(imdb, landing.resolve("imdb/b.tsv.gz"), 250, 600, true, true);
        IngestLanding.slice(lee, landing.resolve("lee/lee-1.cor"), 0, 150, false, false);
        assertThrows(Killed.class, () -> IncrementalIngestStage.run(spark, opts, new IncrementalIngestStage.Hooks() {
            @Override
            public void beforeManifestCommit(int batch) {
                throw new Killed("before manifest commit of batch " + batch);
            }
        }));
        assertTrue(Files.isDirectory(out.resolve("batch=1")));
        assertEquals(1, IngestManifest.load(out.toString(), spark.sparkContext().hadoopConfiguration()).batches().size());

        // More files land; the re-run deletes the orphan and ingests all three new files as batch 1.
        IngestLanding.slice(moby, landing.resolve("books/moby-2.txt"), 3000, 6000, false, false);
        StageReport r2 = IncrementalIngestStage.run(spark, opts);
        assertEquals(1, r2.get("batch"));
        assertEquals(3, r2.get("files_new"));
        assertEquals(2, r2.get("files_already_ingested"));
        List<?> orphans = (List<?>) r2.get("orphans_deleted");
        assertEquals(1, orphans.size());
        assertTrue(orphans.get(0).toString().endsWith("/incremental/batch=1"), orphans.toString());
        long dup2 = (Long) r2.get("duplicates_across_batches");
        assertTrue(dup2 >= 45 && dup2 <= 50, "the 50 overlapping reviews are duplicates of batch 0: " + dup2);

        // Run 3 gains a file whose name holds glob characters and more Lee; killed before the shard commit.
        IngestLanding.slice(imdb, landing.resolve("imdb/c [x]{1}.tsv"), 600, 800, true, false);
        IngestLanding.slice(lee, landing.resolve("lee/lee-2.cor"), 150, 299, false, false);
        assertThrows(Killed.class, () -> IncrementalIngestStage.run(spark, opts, new IncrementalIngestStage.Hooks() {
            @Override
            public void beforeShardsCommit(int batch) {
                throw new Killed("before shards commit of batch " + batch);
            }
        }));
        assertFalse(Files.exists(out.resolve("batch=2")));
        assertTrue(Files.isDirectory(out.resolve(IncrementalIngestStage.STAGING)));
        StageReport r3 = IncrementalIngestStage.run(spark, opts);
        assertEquals(2, r3.get("batch"));
        assertEquals(2, r3.get("files_new"));
        assertEquals(List.of(), r3.get("orphans_deleted"));
        assertFalse(Files.exists(out.resolve(IncrementalIngestStage.STAGING)));

        // Nothing new: a no-op that writes nothing.
        Map<String, Long> before = tree(out);
        StageReport r4 = IncrementalIngestStage.run(spark, opts);
        assertNull(r4.get("batch"));
        assertEquals(0, r4.get("files_new"));
        assertEquals(7, r4.get("files_already_ingested"));
        assertEquals(before, tree(out));

        // The manifest lists each of the 7 files once, with its length.
        IngestManifest manifest = IngestManifest.load(out.toString(), spark.sparkContext().hadoopConfiguration());
        assertEquals(3, manifest.batches().size());
        Set<String> listed = new HashSet<>();
        for (IngestManifest.IngestedFile f : manifest.files()) {
            assertTrue(listed.add(f.path()), "listed twice: " + f.path());
            assertEquals(Files.size(Path.of(new org.apache.hadoop.fs.Path(f.path()).toUri().getPath())), f.length());
        }
        assertEquals(7, listed.size());

        // One ingest over all the files: the same documents, each once.
        Path single = tmp.resolve("single");
        StageReport all = IngestStage.run(spark, new IngestStage.Options(sources(landing), single.toString(), "en", 20,
                1, 1 << 20));
        List<String> expected = IngestLanding.docs(spark.read().parquet(single.toString()));
        List<String> incremental = IngestLanding.docs(spark.read().parquet(out.toString()));
        assertEquals(expected.size(), incremental.size());
        assertEquals(expected, incremental);
        assertEquals(all.get("documents_kept"), r4.get("documents_total"));
        assertEquals(expected.size(), spark.read().parquet(out.toString()).select("doc_id").distinct().count());
        List<Integer> batches = spark.read().parquet(out.toString()).select("batch").distinct().collectAsList()
                .stream().map(r -> r.getInt(0)).sorted().collect(Collectors.toList());
        assertEquals(List.of(0, 1, 2), batches);
    }

    @Test
    void changedFilesAreReportedNotReingestedAndForeignOutputsRefused() throws IOException {
        Path landing = tmp.resolve("landing2");
        Path out = tmp.resolve("incremental2");
        Path lee = IngestLanding.slice(SharedData.corpus("lee_background.cor"), landing.resolve("lee/l.cor"), 0, 20,
                false, false);
        IncrementalIngestStage.Options opts = new IncrementalIngestStage.Options(
                List.of(SourceSpec.lines("lee", landing.resolve("lee").toString())), out.toString(), "en", 20, 1, 1 << 20, 0);
        assertEquals(0, IncrementalIngestStage.run(spark, opts).get("batch"));
        Files.writeString(lee, "An appended line that makes a new document for sure.\n",
                java.nio.file.StandardOpenOption.APPEND);
        StageReport again = IncrementalIngestStage.run(spark, opts);
        assertNull(again.get("batch"));
        assertEquals(1, ((List<?>) again.get("files_changed")).size());

        // Files still being written (younger than the minimum age) wait for a later run.
        IngestLanding.slice(SharedData.corpus("lee_background.cor"), landing.resolve("lee/m.cor"), 20, 40, false, false);
        StageReport young = IncrementalIngestStage.run(spark, new IncrementalIngestStage.Options(opts.sources(),
                opts.output(), "en", 20, 1, 1 << 20, 3_600_000));
        assertNull(young.get("batch"));
        assertEquals(1, ((List<?>) young.get("files_too_recent")).size());

        assertEquals(20L, IncrementalIngestStage.run(spark, opts).get("documents_committed"), "m.cor, old enough now");

        // A file without any document that passes the filters is a batch of 0 documents.
        Files.writeString(landing.resolve("lee/short.cor"), "Too short.\n");
        StageReport empty = IncrementalIngestStage.run(spark, opts);
        assertEquals(2, empty.get("batch"));
        assertEquals(0L, empty.get("documents_committed"));
        assertEquals(40L, spark.read().parquet(out.toString()).count());

        // A folder written by plain ingest is not an incremental output.
        Path plain = tmp.resolve("plain");
        IngestStage.run(spark, new IngestStage.Options(opts.sources(), plain.toString(), "en", 20, 1, 1 << 20));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> IncrementalIngestStage.run(spark,
                new IncrementalIngestStage.Options(opts.sources(), plain.toString(), "en", 20, 1, 1 << 20, 0)));
        assertTrue(e.getMessage().contains("not an incremental ingest output"), e.getMessage());

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> IncrementalIngestStage.run(
                spark, new IncrementalIngestStage.Options(List.of(SourceSpec.lines("x", tmp.resolve("nope").toString())),
                        tmp.resolve("o3").toString(), "en", 20, 1, 1 << 20, 0)));
        assertTrue(missing.getMessage().contains("landing path not found"), missing.getMessage());
    }
}
