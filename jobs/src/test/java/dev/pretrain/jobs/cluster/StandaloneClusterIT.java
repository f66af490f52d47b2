package dev.pretrain.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pretrain.model.natives.CpuFlags;
import dev.pretrain.model.natives.Nd4jNativeBuild;
import dev.pretrain.model.natives.Nd4jNatives;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Set;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pretrain.jobs.SharedData;
import dev.pretrain.jobs.report.RunSummary;

/**
 * The pipeline on a real Spark standalone cluster: a Master and two Workers (one core, 3 GiB each)
 * as separate JVMs on 127.0.0.1, the fat jar submitted with Spark's own {@code SparkSubmit} in
 * client mode with {@code cluster-conf/spark-defaults.conf}; then the same config in local mode
 * ({@code local[2]}, as {@code bin/pretrain} runs it). The outputs must agree: documents, word
 * counts, vocabulary, token ids, MLM/NSP and skip-gram examples identical; word-vector and BERT
 * metrics within noise. ND4J must have loaded from the fat jar inside the executors (BERT trains
 * there).
 *
 * <p>Runs only in the {@code cluster} profile ({@code mvn -Pcluster verify}, after package). Both run
 * folders stay in {@code jobs/target/cluster-run/} ({@code cluster/}, {@code local/}, with
 * {@code logs/} and the Workers' {@code work/} folders holding each executor's stderr) for the
 * notebooks that CI executes next.
 */
class StandaloneClusterIT {
    static final Path ROOT = Path.of(System.getProperty("pretrain.cluster.run", "target/cluster-run")).toAbsolutePath();
    static final Path JAR = Path.of(System.getProperty("pretrain.jar", "target/jobs-0.1.0-SNAPSHOT-all.jar")).toAbsolutePath();
    static final Path SPARK_HOME = Path.of(System.getProperty("pretrain.spark.home", "target/spark-home")).toAbsolutePath();
    static final Path CONF = Path.of(System.getProperty("pretrain.cluster.conf", "../cluster-conf")).toAbsolutePath();
    static final Path DATA = Path.of(System.getProperty("shared.dir", "../shared")).resolve("data").toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();

    /** Java 17 opens Spark needs (the parent pom's spark.jvm.opens, Spark's JavaModuleOptions). */
    static final String OPENS = "-XX:+IgnoreUnrecognizedVMOptions"
            + " --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED"
            + " --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED"
            + " --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"
            + " --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED"
            + " --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED"
            + " --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
            + " --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED"
            + " --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false";
    /** ND4J off-heap caps of the small test JVMs (javacpp system properties). */
    static final String OFFHEAP = "-Dorg.bytedeco.javacpp.maxbytes=1G -Dorg.bytedeco.javacpp.maxphysicalbytes=3G";
    static final String TIME_SOURCE =
            "-Dorg.deeplearning4j.spark.time.TimeSource=org.deeplearning4j.spark.time.SystemClockTimeSource";

    static Path clusterRun;
    static Path localRun;
    static String masterUrl;
    static int clusterExit = -1;
    static int localExit = -1;
    static double clusterSeconds;
    static double localSeconds;
    static List<Long> survivors = List.of();
    static SparkSession spark;

    @BeforeAll
    static void runOnClusterAndLocally() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "fat jar missing: " + JAR + " (mvn -Pcluster verify builds it)");
        deleteRecursively(ROOT);
        Path logs = Files.createDirectories(ROOT.resolve("logs"));
        Path config = writeConfig(Files.createDirectories(ROOT.resolve("input")));
        clusterRun = ROOT.resolve("cluster");
        localRun = ROOT.resolve("local");
        String log4j = "-Dlog4j2.configurationFile=" + CONF.resolve("log4j2.properties").toUri();

        try (LocalStandaloneCluster cluster = new LocalStandaloneCluster(SPARK_HOME, logs)) {
            long t0 = System.nanoTime();
            // Worker 2 plays an older machine: its executor is told to take the generic ND4J natives (as a CPU
            // without AVX2 would choose), worker 1's chooses by this CPU; the outputs must still equal local mode.
            cluster.workerEnvironment(2, Map.of(Nd4jNatives.BUILD_ENV, "generic"));
            cluster.start(2, 1, "3g", ROOT.resolve("work"), "-Xmx256m " + OPENS, 120);
            masterUrl = cluster.masterUrl();
            System.out.printf("[cluster] %s up with 2 Workers in %.1f s%n", masterUrl, (System.nanoTime() - t0) / 1e9);
            long t1 = System.nanoTime();
            List<String> args = new ArrayList<>(List.of("--master", masterUrl, "--deploy-mode", "client",
                    "--properties-file", CONF.resolve("spark-defaults.conf").toString(),
                    // the test cluster is small: 2 executors of 1 core, 1.5 GiB heap + 1 GiB off-heap
                    "--conf", "spark.executor.cores=1",
                    "--conf", "spark.cores.max=2",
                    "--conf", "spark.executor.memory=1536m",
                    "--conf", "spark.executor.memoryOverhead=1g",
                    "--conf", "spark.executor.extraJavaOptions=" + OPENS + " " + OFFHEAP + " " + TIME_SOURCE,
                    "--conf", "spark.driver.host=" + LocalStandaloneCluster.LOOPBACK,
                    "--conf", "spark.driver.bindAddress=" + LocalStandaloneCluster.LOOPBACK,
                    "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
                    "--conf", "spark.sql.shuffle.partitions=8",
                    "--conf", "spark.ui.enabled=false"));
            // a debugging aid, never set in CI: -Dpretrain.cluster.extraConf='k=v;k2=v2' adds --conf settings
            for (String kv : System.getProperty("pretrain.cluster.extraConf", "").split(";")) {
                if (!kv.isBlank()) {
                    args.addAll(List.of("--conf", kv.trim()));
                }
            }
            args.addAll(List.of("--class", "dev.pretrain.jobs.cli.PretrainCli",
                    JAR.toString(), "pipeline", "--config", config.toString(), "--output", clusterRun.toString()));
            Process submit = cluster.launch(logs.resolve("submit.log"),
                    "-Xmx2g " + OPENS + " " + OFFHEAP + " " + TIME_SOURCE + " " + log4j,
                    "org.apache.spark.deploy.SparkSubmit", args.toArray(String[]::new));
            clusterExit = waitFor(submit, 900, logs.resolve("submit.log"));
            clusterSeconds = (System.nanoTime() - t1) / 1e9;
            System.out.printf("[cluster] spark-submit exited %d after %.1f s%n", clusterExit, clusterSeconds);
            cluster.close();
            survivors = cluster.survivors();
        }

        long t2 = System.nanoTime();
        Path localLog = logs.resolve("local.log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(("-Xmx3g " + OPENS + " " + OFFHEAP + " " + TIME_SOURCE + " " + log4j).split(" ")));
        cmd.addAll(List.of("-cp", JAR + ":" + SPARK_HOME.resolve("jars") + "/*", "dev.pretrain.jobs.cli.PretrainCli",
                "pipeline", "--config", config.toString(), "--output", localRun.toString(), "--master", "local[2]"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(localLog.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process local = pb.start();
        try {
            localExit = waitFor(local, 600, localLog);
        } finally {
            local.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            local.destroyForcibly();
        }
        localSeconds = (System.nanoTime() - t2) / 1e9;
        System.out.printf("[cluster] local[2] run exited %d after %.1f s%n", localExit, localSeconds);

        spark = SparkSession.builder().master("local[1]").appName("cluster-it-compare")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** Slices of three real corpora and a small config (tiny BERT, a few averaging rounds). */
    static Path writeConfig(Path in) throws IOException {
        Path imdb = SharedData.head(DATA.resolve("corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz"), in.resolve("imdb.tsv.gz"), 501, true);
        Path wiki = SharedData.head(DATA.resolve("corpora/wikitext-2-raw-test.hf-crlf.raw"), in.resolve("wiki.raw"), 250, false);
        Path moby = SharedData.head(DATA.resolve("corpora/moby-dick.txt"), in.resolve("moby.txt"), 2000, false);
        String yaml = """
                # Pipeline config of the standalone-cluster test (StandaloneClusterIT): slices of the shared corpora.
                seed: 20261122
                ingest:
                  sources:
                    - {name: imdb, uri: '%s', format: tsv, column: 4, header: true, html: true}
                    - {name: wikitext, uri: '%s', format: headings, heading_regex: '^ = [^=].* = $', skip_regex: '^ = = .* = = *$', wikitext: true, line_per_paragraph: true}
                    - {name: moby, uri: '%s', format: headings, heading_regex: '^CHAPTER \\d+'}
                vocab: {size: 2000}
                examples: {shards: 4, heldout_fraction: 0.05, skipgram: {enabled: true, fraction: 0.1}}
                word2vec: {epochs: 1, rounds_per_epoch: 2, min_count: 3, dim: 32, partitions: 2}
                bert: {workers: 2, batch_size_per_worker: 16, averaging_frequency: 3, max_train_examples: 192,
                       max_heldout_examples: 64, validation_examples: 64, warmup_steps: 2, eval_every_rounds: 1}
                evaluate:
                  analogies: '%s'
                  similarity: {wordsim353: '%s', simlex999: '%s'}
                """.formatted(imdb, wiki, moby, DATA.resolve("analogy/questions-words.txt"),
                DATA.resolve("similarity/wordsim353.tsv"), DATA.resolve("similarity/simlex999.txt"));
        Path config = in.resolve("pipeline.yaml");
        Files.writeString(config, yaml);
        return config;
    }

    // ---- the runs ----

    @Test
    void clusterRunSucceedsAndAccountsForEveryDocument() throws IOException {
        assertEquals(0, clusterExit, "spark-submit exit code; log tail:\n" + tail(ROOT.resolve("logs/submit.log")));
        Map<String, Object> report = report(clusterRun);
        assertEquals(masterUrl, RunSummary.get(report, "run", "spark_master"));
        assertEquals(Boolean.TRUE, RunSummary.get(report, "stages", "ingest", "accounted"));
        assertEquals(Boolean.TRUE, RunSummary.get(report, "summary", "checks", "every_document_accounted_for"));
        assertTrue(Files.exists(clusterRun.resolve("summary.md")));
        assertTrue(Files.readString(clusterRun.resolve("summary.html")).contains("<svg"), "summary.html with plots");
    }

    @Test
    void everyClusterJvmIsGoneAfterTheRun() {
        assertEquals(List.of(), survivors, "cluster JVMs still alive after close()");
    }

    @Test
    void executorsLoadedNd4jNativesFromTheFatJar() throws IOException {
        // Each executor's stderr is <work>/worker-N/<app-id>/<executor-id>/stderr; cluster-conf's log4j2
        // logs ND4J's backend line at INFO. BERT's parameter averaging trains inside the executors.
        List<Path> stderr;
        try (Stream<Path> files = Files.walk(ROOT.resolve("work"))) {
            stderr = files.filter(f -> f.getFileName().toString().equals("stderr")).toList();
        }
        assertEquals(2, stderr.size(), "one executor per Worker: " + stderr);
        int loaded = 0;
        for (Path f : stderr) {
            String log = Files.readString(f);
            if (log.contains("Loaded [CpuBackend] backend")) {
                loaded++;
            }
            assertTrue(!log.contains("UnsatisfiedLinkError"), "native load failure in " + f);
        }
        assertTrue(loaded >= 1, "no executor loaded ND4J's CPU backend; executor logs: " + stderr);
        // Nd4jNativePlugin chose per executor: worker 1's by this CPU among the builds the fat jar ships, worker 2's
        // generic (its environment)
        Set<Nd4jNativeBuild> shipped;
        try (URLClassLoader jar = new URLClassLoader(new URL[] {JAR.toUri().toURL()}, null)) {
            shipped = Nd4jNatives.shipped(jar);
        }
        assertTrue(shipped.contains(Nd4jNativeBuild.GENERIC), "the fat jar ships the generic natives: " + shipped);
        Nd4jNativeBuild best = Nd4jNativeBuild.best(CpuFlags.ofThisMachine(), shipped);
        for (Path f : stderr) {
            String log = Files.readString(f);
            String expected = f.toString().contains("worker-2") ? Nd4jNativeBuild.GENERIC.platformDir() : best.platformDir();
            assertTrue(log.contains("nd4j_natives=" + expected + " "), "executor log " + f + " lacks nd4j_natives="
                    + expected + ": " + log.lines().filter(l -> l.contains("nd4j_natives")).toList());
        }
        System.out.printf("[cluster] ND4J loaded in %d of %d executors%n", loaded, stderr.size());
    }

    @Test
    void sparkHomeHoldsSparkButNotTheProjectStack() throws IOException {
        List<String> jars;
        try (Stream<Path> files = Files.list(SPARK_HOME.resolve("jars"))) {
            jars = files.map(f -> f.getFileName().toString()).toList();
        }
        assertTrue(jars.stream().anyMatch(j -> j.startsWith("spark-core_2.12-")), "Spark core in " + jars);
        for (String j : jars) {
            assertTrue(!j.matches("(nd4j|deeplearning4j|dl4j|javacpp|openblas|datavec|corpus-prep|model|jobs)-.*"),
                    "the executors must load " + j + " from the fat jar, not from SPARK_HOME");
        }
    }

    @Test
    void localRunSucceeds() throws IOException {
        assertEquals(0, localExit, "local run exit code; log tail:\n" + tail(ROOT.resolve("logs/local.log")));
        assertEquals("local[2]", RunSummary.get(report(localRun), "run", "spark_master"));
    }

    // ---- cluster outputs = local outputs ----

    @Test
    void documentsAreIdentical() {
        assertSameRows("documents");
    }

    @Test
    void wordCountsAndVocabAreIdentical() throws IOException {
        List<String> cluster = rows(spark, clusterRun.resolve("vocab/word_counts"));
        assertTrue(cluster.size() > 1000, "word counts: " + cluster.size());
        assertEquals(rows(spark, localRun.resolve("vocab/word_counts")), cluster, "word_counts, in their written order");
        assertEquals(Files.readAllLines(localRun.resolve("vocab/vocab.txt")),
                Files.readAllLines(clusterRun.resolve("vocab/vocab.txt")));
    }

    @Test
    void tokenIdsAreIdentical() {
        assertSameRows("tokenized");
    }

    @Test
    void mlmNspExamplesAreBitIdenticalAfterSorting() {
        assertSameRows("examples/mlm/train");
        assertSameRows("examples/mlm/heldout");
    }

    @Test
    void skipGramExamplesAreIdentical() {
        assertSameRows("examples/skipgram/pairs");
    }

    @Test
    void countsInTheReportsAreIdentical() throws IOException {
        Map<String, Object> c = report(clusterRun);
        Map<String, Object> l = report(localRun);
        for (String[] path : List.of(
                new String[] {"stages", "ingest", "documents_in"}, new String[] {"stages", "ingest", "documents_kept"},
                new String[] {"stages", "ingest", "duplicates_exact"}, new String[] {"stages", "tokenize", "tokens"},
                new String[] {"stages", "tokenize", "unk_tokens"},
                new String[] {"stages", "examples-mlm", "statistics", "train", "instances"},
                new String[] {"stages", "examples-skipgram", "pairs"},
                new String[] {"stages", "train-word2vec", "vocab_size"},
                new String[] {"stages", "train-word2vec", "corpus_words"},
                new String[] {"stages", "train-bert", "train_instances"})) {
            Object value = RunSummary.get(c, path);
            assertTrue(value instanceof Number, String.join(".", path) + " missing: " + value);
            assertEquals(RunSummary.get(l, path), value, String.join(".", path));
        }
    }

    @Test
    void wordVectorMetricsAgreeWithinNoise() throws IOException {
        Map<String, Object> c = report(clusterRun);
        Map<String, Object> l = report(localRun);
        assertEquals(Files.readAllLines(localRun.resolve("word2vec/vocab.txt")),
                Files.readAllLines(clusterRun.resolve("word2vec/vocab.txt")));
        // Spearman over ~300 pairs: differences of a few hundredths are sampling noise of SGNS
        for (String set : List.of("wordsim353", "simlex999")) {
            double rc = num(RunSummary.get(c, "stages", "evaluate", "word2vec", "similarity", set, "spearman"));
            double rl = num(RunSummary.get(l, "stages", "evaluate", "word2vec", "similarity", set, "spearman"));
            assertTrue(Math.abs(rc - rl) <= 0.1, set + " Spearman cluster " + rc + " vs local " + rl);
        }
        assertEquals(RunSummary.get(l, "stages", "evaluate", "word2vec", "analogy", "evaluated"),
                RunSummary.get(c, "stages", "evaluate", "word2vec", "analogy", "evaluated"));
    }

    @Test
    void bertMetricsAgreeWithinNoise() throws IOException {
        Map<String, Object> c = report(clusterRun);
        Map<String, Object> l = report(localRun);
        // step 0: the same seeded initialisation on the same held-out instances
        double s0c = num(RunSummary.get(c, "stages", "train-bert", "heldout_mlm_loss_step0"));
        double s0l = num(RunSummary.get(l, "stages", "train-bert", "heldout_mlm_loss_step0"));
        assertEquals(s0l, s0c, 1e-3 * s0l, "held-out MLM loss at step 0");
        double fc = num(RunSummary.get(c, "stages", "train-bert", "heldout_mlm_loss_final"));
        double fl = num(RunSummary.get(l, "stages", "train-bert", "heldout_mlm_loss_final"));
        assertTrue(fc < s0c, "cluster BERT must learn: " + s0c + " -> " + fc);
        assertEquals(fl, fc, 0.05 * fl, "final held-out MLM loss, cluster vs local");
    }

    // ---- helpers ----

    private static void assertSameRows(String dir) {
        List<String> cluster = sortedRows(spark, clusterRun.resolve(dir));
        List<String> local = sortedRows(spark, localRun.resolve(dir));
        assertTrue(!cluster.isEmpty(), dir + " is empty");
        assertEquals(local.size(), cluster.size(), dir + " row count");
        for (int i = 0; i < local.size(); i++) {
            if (!local.get(i).equals(cluster.get(i))) {
                assertEquals(local.get(i), cluster.get(i), dir + ": first differing row (sorted) at " + i);
            }
        }
    }

    /** The rows of a Parquet folder as strings, in their written order (also used by ExecutorLossIT). */
    static List<String> rows(SparkSession session, Path parquet) {
        return session.read().parquet(parquet.toString()).collectAsList().stream().map(Row::toString).toList();
    }

    /** {@link #rows}, sorted. */
    static List<String> sortedRows(SparkSession session, Path parquet) {
        List<String> rows = new ArrayList<>(rows(session, parquet));
        rows.sort(Comparator.naturalOrder());
        return rows;
    }

    /** A run folder's report.json. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> report(Path run) throws IOException {
        Path f = run.resolve("report.json");
        assertTrue(Files.exists(f), "no report: " + f);
        return JSON.readValue(f.toFile(), Map.class);
    }

    static double num(Object v) {
        assertTrue(v instanceof Number, "not a number: " + v);
        return ((Number) v).doubleValue();
    }

    private static int waitFor(Process p, long seconds, Path log) throws InterruptedException, IOException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException("timed out after " + seconds + " s; log tail:\n" + tail(log));
        }
        return p.exitValue();
    }

    static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log " + log + ")";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

}
