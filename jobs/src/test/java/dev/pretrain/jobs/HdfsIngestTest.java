package dev.pretrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.SparkSessions;
import dev.pretrain.jobs.stages.IncrementalIngestStage;
import dev.pretrain.jobs.stages.IngestStage;

/**
 * Ingest and incremental ingest reading and writing {@code hdfs://} paths on a real (in-process)
 * HDFS: a {@link MiniDFSCluster} (one NameNode, one DataNode, on loopback, storage in a temp folder)
 * from Hadoop 3.3.4's shaded {@code hadoop-client-minicluster}, the Hadoop version of Spark 3.5.7.
 */
class HdfsIngestTest {
    @TempDir
    static Path tmp;
    static MiniDFSCluster cluster;
    static FileSystem hdfs;
    static String root;
    static SparkSession spark;

    @BeforeAll
    static void start() throws IOException {
        Configuration conf = new Configuration();
        conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        cluster = new MiniDFSCluster.Builder(conf, tmp.resolve("dfs").toFile())
                .numDataNodes(1)
                .build();
        cluster.waitActive();
        hdfs = cluster.getFileSystem();
        root = hdfs.getUri().toString();
        assertTrue(root.startsWith("hdfs://"), root);
        spark = SparkSessions.getOrCreate("hdfs-ingest-test", "local[2]");
    }

    @AfterAll
    static void stop() throws IOException {
        if (spark != null) {
            spark.stop();
        }
        if (hdfs != null) {
            hdfs.close();
        }
        if (cluster != null) {
            cluster.shutdown(true);
        }
    }

    private static String put(Path local, String hdfsPath) throws IOException {
        org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(root + hdfsPath);
        hdfs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), dst);
        return dst.toString();
    }

    private static List<SourceSpec> sources(String landing) {
        return List.of(SourceSpec.gutenbergChapters("moby", landing + "/books"),
                SourceSpec.imdb("imdb", landing + "/imdb/*.tsv.gz"));
    }

    @Test
    void ingestAndIncrementalIngestOnHdfs() throws IOException {
        Path local = tmp.resolve("local");
        Path moby = IngestLanding.slice(SharedData.corpus("moby-dick.txt"), local.resolve("books/moby.txt"),
                0, 2500, false, false);
        Path imdb1 = IngestLanding.slice(SharedData.corpus("imdb-aclImdb-v1-unsup-50k.tsv.gz"),
                local.resolve("imdb/a.tsv.gz"), 0, 200, true, true);
        Path imdb2 = IngestLanding.slice(SharedData.corpus("imdb-aclImdb-v1-unsup-50k.tsv.gz"),
                local.resolve("imdb/b.tsv.gz"), 150, 300, true, true);

        // The reference: ingest of the local copies.
        StageReport localRun = IngestStage.run(spark, new IngestStage.Options(sources(local.toString()),
                tmp.resolve("local-out").toString(), "en", 20, 1, 1 << 20));
        List<String> expected = IngestLanding.docs(spark.read().parquet(tmp.resolve("local-out").toString()));
        assertTrue(expected.size() > 250, "documents: " + expected.size());

        // Plain ingest, hdfs:// in and out.
        put(moby, "/landing/books/moby.txt");
        put(imdb1, "/landing/imdb/a.tsv.gz");
        put(imdb2, "/landing/imdb/b.tsv.gz");
        StageReport hdfsRun = IngestStage.run(spark, new IngestStage.Options(sources(root + "/landing"),
                root + "/corpus/documents", "en", 20, 1, 1 << 20));
        assertEquals(localRun.get("documents_kept"), hdfsRun.get("documents_kept"));
        assertEquals(3, hdfsRun.get("files_read"));
        FileStatus[] shards = hdfs.globStatus(new org.apache.hadoop.fs.Path(root + "/corpus/documents/part-*.parquet"));
        assertTrue(shards.length >= 1);
        List<Row> sourcesSeen = spark.read().parquet(root + "/corpus/documents").select("source").distinct().collectAsList();
        for (Row r : sourcesSeen) {
            assertTrue(r.getString(0).startsWith(root + "/landing/"), r.getString(0));
        }
        assertEquals(expected, IngestLanding.docs(spark.read().parquet(root + "/corpus/documents")));

        // Byte-range splits of a file on HDFS (Hadoop's LineRecordReader over hdfs://) against the local file read
        // whole: an uncompressed TSV in splits of 64 KiB.
        Path plain = IngestLanding.slice(SharedData.corpus("imdb-aclImdb-v1-unsup-50k.tsv.gz"),
                local.resolve("plain/c.tsv"), 300, 500, true, false);
        IngestStage.run(spark, new IngestStage.Options(List.of(SourceSpec.imdb("imdb", plain.toString())),
                tmp.resolve("plain-out").toString(), "en", 20, 1, 1 << 20));
        put(plain, "/plain/c.tsv");
        StageReport split = IngestStage.run(spark, new IngestStage.Options(List.of(SourceSpec.imdb("imdb",
                root + "/plain/c.tsv")), root + "/plain-out", "en", 20, 1, 1 << 20).withSplitBytes(64 << 10));
        assertEquals((java.nio.file.Files.size(plain) + (64 << 10) - 1) / (64 << 10),
                ((Number) split.get("splits")).longValue());
        assertEquals(IngestLanding.docs(spark.read().parquet(tmp.resolve("plain-out").toString())),
                IngestLanding.docs(spark.read().parquet(root + "/plain-out")));
        assertEquals(200L, ((Number) split.get("documents_in")).longValue());

        // Incremental ingest on HDFS: the second IMDB file lands after the first run.
        hdfs.delete(new org.apache.hadoop.fs.Path(root + "/landing/imdb/b.tsv.gz"), false);
        IncrementalIngestStage.Options opts = new IncrementalIngestStage.Options(sources(root + "/landing"),
                root + "/corpus/incremental", "en", 20, 1, 1 << 20, 0);
        StageReport first = IncrementalIngestStage.run(spark, opts);
        assertEquals(0, first.get("batch"));
        assertEquals(2, first.get("files_new"));
        put(imdb2, "/landing/imdb/b.tsv.gz");
        StageReport second = IncrementalIngestStage.run(spark, opts);
        assertEquals(1, second.get("batch"));
        assertEquals(1, second.get("files_new"));
        assertTrue((Long) second.get("duplicates_across_batches") > 0, "overlapping reviews 150-199 are duplicates");
        assertNull(IncrementalIngestStage.run(spark, opts).get("batch"));
        assertTrue(hdfs.exists(new org.apache.hadoop.fs.Path(root + "/corpus/incremental/_manifest/batch-00001.json")));
        assertEquals(expected, IngestLanding.docs(spark.read().parquet(root + "/corpus/incremental")));
    }
}
