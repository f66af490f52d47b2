package dev.pretrain.jobs.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.amazonaws.services.s3.AmazonS3;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pretrain.jobs.IngestLanding;
import dev.pretrain.jobs.SharedData;
import dev.pretrain.jobs.cli.PretrainCli;
import dev.pretrain.jobs.spark.SparkSessions;

/**
 * {@code s3a://} proven on a real S3 server: {@link S3ProxyServer} on 127.0.0.1, Hadoop's S3A connector
 * (hadoop-aws 3.3.4, Spark's Hadoop) as the client, configured only through {@code spark.hadoop.*} settings
 * as {@code spark-submit --conf} passes them. On slices of two real corpora (Moby-Dick as text, IMDB as
 * gzipped TSV) the CLI runs the pipeline from a config that is itself on {@code s3a://}, with every input and
 * output there, then the vocab and tokenize commands again over its outputs (replacing them, reports on S3).
 * Ingest, vocab and tokenize must equal the same CLI stages run on local copies, and no temporary sibling of
 * the rename-based commits may be left in the bucket.
 */
class S3StagesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int VOCAB_SIZE = 2000;

    @TempDir
    static Path tmp;
    static S3ProxyServer server;
    static AmazonS3 s3;
    static Path localRun;

    @BeforeAll
    static void startServerAndRunLocally() throws Exception {
        Path jar = Path.of(System.getProperty("pretrain.s3proxy.jar", "target/s3proxy/s3proxy.jar"));
        server = S3ProxyServer.start(jar, jar.getParent().resolve("run"));
        s3 = server.client();
        for (String bucket : List.of("corpora", "runs", "configs")) {
            s3.createBucket(bucket);
        }
        Path in = tmp.resolve("in");
        Path moby = SharedData.head(SharedData.corpus("moby-dick.txt"), in.resolve("moby.txt"), 2000, false);
        Path imdb = IngestLanding.slice(SharedData.corpus("imdb-aclImdb-v1-unsup-50k.tsv.gz"),
                in.resolve("imdb.tsv.gz"), 0, 300, true, true);
        s3.putObject("corpora", "landing/moby.txt", moby.toFile());
        s3.putObject("corpora", "landing/imdb.tsv.gz", imdb.toFile());
        for (Map.Entry<String, String> e : server.sparkHadoopConf().entrySet()) {
            System.setProperty(e.getKey(), e.getValue());
        }
        localRun = tmp.resolve("local");
        runLocally(in.toString(), localRun.toString());
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.sparkHadoopConf().keySet().forEach(System::clearProperty);
        }
        FileSystem.closeAll();
        if (s3 != null) {
            s3.shutdown();
        }
        if (server != null) {
            server.close();
        }
    }

    private static void cli(String... args) {
        assertEquals(0, PretrainCli.execute(args), "pretrain " + String.join(" ", args));
    }

    /** The reference: ingest, vocab and tokenize with the CLI on local files, outputs and reports under {@code out}. */
    private static void runLocally(String in, String out) {
        cli("ingest", "--output", out + "/documents", "--report", out + "/reports/ingest.json",
                "--source", "name=moby,uri=" + in + "/moby.txt,format=headings,heading=^CHAPTER \\d+",
                "--source", "name=imdb,uri=" + in + "/imdb.tsv.gz,format=tsv,column=4,header=true,html=true");
        cli("vocab", "--documents", out + "/documents", "--output", out + "/vocab", "--size", "" + VOCAB_SIZE,
                "--report", out + "/reports/vocab.json");
        cli("tokenize", "--input", out + "/documents", "--vocab", out + "/vocab/vocab.txt",
                "--output", out + "/tokenized", "--report", out + "/reports/tokenize.json");
    }

    private static String object(String bucket, String key) {
        return s3.getObjectAsString(bucket, key);
    }

    /** doc_id and token ids of every tokenized document, sorted by doc_id. */
    private static List<String> tokenized(SparkSession spark, String dir) {
        List<String> out = new ArrayList<>();
        for (Row r : spark.read().parquet(dir).select("doc_id", "sentences").orderBy("doc_id").collectAsList()) {
            out.add(r.getString(0) + " " + r.getList(1));
        }
        return out;
    }

    /** Every key under {@code prefix}: none may be a temporary sibling (.x.tmp-*, .x.old-*) or a _temporary. */
    private static List<String> assertNoLeftovers(String bucket, String prefix) {
        List<String> keys = S3ProxyServer.keys(s3, bucket).stream().filter(k -> k.startsWith(prefix)).toList();
        for (String k : keys) {
            assertTrue(!k.contains("/.") && !k.contains("_temporary"), "left in the bucket: " + k + " among " + keys);
        }
        return keys;
    }

    /** The outputs of run folder {@code s3a://runs/<run>} equal the local run's: documents, vocab.txt, token ids. */
    private static void assertSameAsLocal(String run) {
        String s3Root = "s3a://runs/" + run;
        List<String> vocab = object("runs", run + "/vocab/vocab.txt").lines().toList();
        assertEquals(VOCAB_SIZE, vocab.size());
        assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"), vocab.subList(0, 5));
        try {
            assertEquals(Files.readAllLines(localRun.resolve("vocab/vocab.txt")), vocab);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        SparkSession spark = SparkSessions.getOrCreate("s3-check", "local[2]");
        try {
            List<String> docs = IngestLanding.docs(spark.read().parquet(s3Root + "/documents"));
            assertEquals(IngestLanding.docs(spark.read().parquet(localRun.resolve("documents").toString())), docs);
            List<String> ids = tokenized(spark, s3Root + "/tokenized");
            assertEquals(docs.size(), ids.size());
            assertEquals(tokenized(spark, localRun.resolve("tokenized").toString()), ids);
        } finally {
            spark.stop();
        }
    }

    @Test
    void pipelineFromAConfigOnS3ThenStageCommandsReplaceItsOutputs() throws IOException {
        s3.putObject("corpora", "eval/questions-words.txt", SharedData.DATA.resolve("analogy/questions-words.txt").toFile());
        s3.putObject("corpora", "eval/wordsim353.tsv", SharedData.DATA.resolve("similarity/wordsim353.tsv").toFile());
        // The endpoint and credentials are only in spark.hadoop.*: the config must be read through the Spark session's
        // Hadoop configuration (a fresh Hadoop Configuration would not find this server).
        s3.putObject("configs", "pipeline.yaml", """
                output: s3a://runs/r1
                ingest:
                  sources:
                    - {name: moby, uri: 's3a://corpora/landing/moby.txt', format: headings, heading_regex: '^CHAPTER \\d+'}
                    - {name: imdb, uri: 's3a://corpora/landing/imdb.tsv.gz', format: tsv, column: 4, header: true, html: true}
                vocab: {size: %d}
                examples: {shards: 2, heldout_fraction: 0.05, skipgram: {enabled: false}}
                word2vec: {epochs: 1, rounds_per_epoch: 1, min_count: 3, dim: 16}
                bert: {batch_size_per_worker: 8, averaging_frequency: 2, max_train_examples: 32, max_heldout_examples: 16,
                       validation_examples: 0, warmup_steps: 1, eval_every_rounds: 0}
                evaluate:
                  analogies: 's3a://corpora/eval/questions-words.txt'
                  similarity: {wordsim353: 's3a://corpora/eval/wordsim353.tsv'}
                """.formatted(VOCAB_SIZE));
        cli("pipeline", "--config", "s3a://configs/pipeline.yaml");

        JsonNode report = JSON.readTree(object("runs", "r1/report.json"));
        assertEquals("s3a://runs/r1", report.at("/run/output").asText());
        List<String> stages = new ArrayList<>();
        report.get("stages").fieldNames().forEachRemaining(stages::add);
        assertEquals(List.of("ingest", "vocab", "tokenize", "examples-mlm", "train-word2vec", "train-bert", "evaluate",
                "export"), stages);
        JsonNode ingest = report.at("/stages/ingest");
        JsonNode localIngest = JSON.readTree(localRun.resolve("reports/ingest.json").toFile());
        long kept = ingest.get("documents_kept").asLong();
        assertTrue(kept > 250, "documents kept: " + kept); // 300 reviews and Moby-Dick's first chapters
        assertEquals(localIngest.get("documents_kept").asLong(), kept);
        assertEquals(2, ingest.get("files_read").asInt());
        assertTrue(ingest.get("accounted").asBoolean(), ingest.toString());
        assertTrue(report.at("/stages/evaluate/word2vec/analogy/total").asLong() > 10_000,
                "analogies read from S3: " + report.at("/stages/evaluate"));
        assertSameAsLocal("r1");
        List<String> keys = assertNoLeftovers("runs", "r1/");
        for (String f : List.of("r1/ingest-report.json", "r1/vocab/vocab.txt", "r1/bert/model.zip",
                "r1/export/word2vec/vectors.bin", "r1/export/bert/model.zip", "r1/summary.md")) {
            assertTrue(keys.contains(f), f + " in " + keys);
        }

        // The stage commands on the run's S3 folders, replacing existing outputs (old folder moved aside, new one
        // renamed in, old deleted: copies and deletes on S3): the same outputs again, nothing nested or left behind.
        List<String> tokenizedBefore = keys.stream().filter(k -> k.startsWith("r1/tokenized/")).toList();
        assertTrue(tokenizedBefore.stream().anyMatch(k -> k.endsWith(".parquet")), tokenizedBefore.toString());
        cli("vocab", "--documents", "s3a://runs/r1/documents", "--output", "s3a://runs/r1/vocab",
                "--size", "" + VOCAB_SIZE, "--report", "s3a://runs/r1/cli-reports/vocab.json");
        cli("tokenize", "--input", "s3a://runs/r1/documents", "--vocab", "s3a://runs/r1/vocab/vocab.txt",
                "--output", "s3a://runs/r1/tokenized", "--report", "s3a://runs/r1/cli-reports/tokenize.json");
        assertEquals(kept, JSON.readTree(object("runs", "r1/cli-reports/tokenize.json")).get("documents").asLong());
        List<String> after = assertNoLeftovers("runs", "r1/");
        // the pipeline's completion fingerprint does not survive a stage command's new output (pipeline --resume
        // then reruns tokenize and what reads it); every other file is there again
        String fingerprint = "r1/tokenized/" + dev.pretrain.jobs.pipeline.StageCompletion.FILE;
        assertTrue(tokenizedBefore.contains(fingerprint), tokenizedBefore.toString());
        assertFalse(after.contains(fingerprint), after.toString());
        assertEquals(tokenizedBefore.size() - 1, after.stream().filter(k -> k.startsWith("r1/tokenized/")).count(),
                tokenizedBefore + " vs " + after);
        assertSameAsLocal("r1");
    }

    @Test
    void badConfigOnS3IsAClearError() {
        s3.putObject("configs", "typo.yaml", "output: s3a://runs/typo\nvocab: {sise: 100}\n");
        String err = stderrOf("pipeline", "--config", "s3a://configs/typo.yaml");
        assertTrue(err.contains("invalid pipeline config s3a://configs/typo.yaml") && err.contains("sise"), err);
        err = stderrOf("pipeline", "--config", "s3a://configs/missing.yaml");
        assertTrue(err.contains("cannot read s3a://configs/missing.yaml"), err);
        assertTrue(S3ProxyServer.keys(s3, "runs").stream().noneMatch(k -> k.startsWith("typo/")));
    }

    /** Runs the CLI, expecting exit code 2, and returns what it printed on stderr. */
    private static String stderrOf(String... args) {
        dev.pretrain.jobs.CliRun.Result r = dev.pretrain.jobs.CliRun.run(args);
        assertEquals(2, r.code(), r.stderr());
        return r.stderr();
    }
}
