package dev.pretrain.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.pretrain.jobs.SharedData;
import dev.pretrain.jobs.report.RunSummary;

/**
 * Fault injection on a real standalone cluster (issue 20): a Master and two Workers on 127.0.0.1
 * ({@link LocalStandaloneCluster}), the fat jar under {@code SparkSubmit} in client mode, as {@link StandaloneClusterIT}
 * runs it, on small slices of the shared corpora.
 *
 * <ol>
 *   <li><b>Lost executors.</b> The pipeline runs once undisturbed ({@code clean/}), then once more ({@code lost/})
 *       while the test kills (SIGKILL) one executor JVM of this cluster in the middle of each of ingest,
 *       examples-mlm, train-word2vec and train-bert; the Worker starts a replacement. "Middle": ingest and
 *       examples-mlm when the driver prints a progress line of a Spark stage of theirs with some but not all of its
 *       tasks done (after the previous pipeline stage's "done" line; progress every 0.01 s, so even short Spark
 *       stages print), train-word2vec when it prints round 1 of 4, train-bert 0.7 s into the worker tasks of its
 *       third round (of 4; they take 2-7 s). Each stage's report in the disturbed run must count the lost executor
 *       ({@code tasks.executors_lost}), which it only does if the executor died while that stage ran, and a failed
 *       task ({@code tasks.failed}) redone ({@code retried}, or {@code stages_resubmitted} when the lost shuffle
 *       outputs made Spark rerun a stage), so the executor was running one of the stage's tasks. The outputs must
 *       equal the undisturbed run's: documents, token ids, MLM/NSP examples (rows, after sorting) and the word
 *       vectors (bytes); BERT's final held-out MLM loss within 5 % (StandaloneClusterIT's cluster-vs-local bound; a
 *       retried worker task trains on the same seeded instances from the same broadcast parameters, so it is in
 *       fact equal up to the float order of averaging).</li>
 *   <li><b>Killed driver.</b> A third run ({@code resumed/}) of the same config, starting from a copy of the
 *       undisturbed run's finished stages up to examples-mlm (with their completion markers and reports; saves a
 *       minute): the driver (the SparkSubmit JVM, client mode) is killed during train-word2vec (at its round 1), the
 *       command is rerun with {@code --resume} and
 *       its driver killed again during train-bert (once a checkpoint exists), then rerun with {@code --resume} to the
 *       end. train-word2vec cannot resume mid-stage: it reruns from its start. The resumed runs must reuse the stages
 *       finished before (their reports say so), train-bert must resume from its checkpoint, and the outputs must equal
 *       the undisturbed run's: the word vectors byte for byte, BERT's held-out losses within 1e-4 (BertCheckpointTest's
 *       tolerance for a resumed run: only the float order of averaging may differ).</li>
 * </ol>
 *
 * <p>The time each injected failure costs (disturbed seconds minus undisturbed) is printed on lines starting with
 * {@code [fault]}. Runs only in the {@code cluster} profile ({@code mvn -Pcluster verify}); folders stay in
 * {@code jobs/target/fault-run/}.
 */
class ExecutorLossIT {
    static final Path ROOT = Path.of(System.getProperty("pretrain.fault.run", "target/fault-run")).toAbsolutePath();
    static final Path JAR = StandaloneClusterIT.JAR;
    static final Path SPARK_HOME = StandaloneClusterIT.SPARK_HOME;
    static final Path CONF = StandaloneClusterIT.CONF;
    static final Path DATA = StandaloneClusterIT.DATA;
    static final List<String> DISTURBED = List.of("ingest", "examples-mlm", "train-word2vec", "train-bert");
    static final Pattern PROGRESS = Pattern.compile("^\\[progress\\] stage \\d+ .*: (\\d+)/(\\d+) tasks");
    static final String W2V_ROUND_1 = "[train-word2vec] epoch 1/1 round 1/4";

    static Path clean;
    static Path lost;
    static Path resumed;
    static Run cleanRun;
    static Run lostRun;
    static final List<Run> resumedRuns = new ArrayList<>();
    static final Map<String, Long> killedExecutors = new ConcurrentHashMap<>();
    static SparkSession spark;

    /** One SparkSubmit run: its exit code, wall seconds and when (seconds after its start) log lines first appeared. */
    record Run(String name, int exit, double seconds, Map<String, Double> seen, Path log) {}

    @BeforeAll
    static void runAll() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "fat jar missing: " + JAR + " (mvn -Pcluster verify builds it)");
        StandaloneClusterIT.deleteRecursively(ROOT);
        Path logs = Files.createDirectories(ROOT.resolve("logs"));
        Path config = writeConfig(Files.createDirectories(ROOT.resolve("input")));
        clean = ROOT.resolve("clean");
        lost = ROOT.resolve("lost");
        resumed = ROOT.resolve("resumed");
        try (LocalStandaloneCluster cluster = new LocalStandaloneCluster(SPARK_HOME, logs)) {
            cluster.start(2, 1, "3g", ROOT.resolve("work"), "-Xmx256m " + StandaloneClusterIT.OPENS, 120);
            cleanRun = submit(cluster, "clean", config, clean, false, logs, (log, t) -> false);
            System.out.printf("[fault] undisturbed pipeline: exit %d, %.1f s%n", cleanRun.exit(), cleanRun.seconds());

            ExecutorKiller killer = new ExecutorKiller(cluster, lost);
            lostRun = submit(cluster, "lost", config, lost, false, logs, killer);
            System.out.printf("[fault] pipeline with 4 lost executors: exit %d, %.1f s (executors killed: %s)%n",
                    lostRun.exit(), lostRun.seconds(), killedExecutors);

            // the driver killed during train-word2vec, then (resumed) during train-bert, then resumed to the end;
            // to save the minute they take, the stages before train-word2vec are the undisturbed run's (copied)
            copyFinishedStages(clean, resumed);
            resumedRuns.add(submit(cluster, "resumed-1", config, resumed, true, logs,
                    (log, t) -> log.contains(W2V_ROUND_1)));
            resumedRuns.add(submit(cluster, "resumed-2", config, resumed, true, logs,
                    (log, t) -> log.contains("[pipeline] train-word2vec done") && checkpoints(resumed) > 0));
            resumedRuns.add(submit(cluster, "resumed-3", config, resumed, true, logs, (log, t) -> false));
        }
        spark = SparkSession.builder().master("local[1]").appName("fault-it-compare")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** The stages up to examples-mlm of a finished run, with their completion markers and reports, into a new run. */
    static void copyFinishedStages(Path from, Path to) throws IOException {
        List<String> paths = new ArrayList<>(List.of("_PRETRAIN_OUTPUT.json", "documents", "ingest-report.json",
                "vocab", "tokenized", "examples"));
        for (String stage : List.of("ingest", "vocab", "tokenize", "examples-mlm")) {
            paths.add("reports/" + stage + ".json");
        }
        for (String p : paths) {
            Path src = from.resolve(p);
            try (Stream<Path> walk = Files.walk(src)) {
                for (Path f : walk.toList()) {
                    Path dst = to.resolve(from.relativize(f));
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(dst);
                    } else {
                        Files.createDirectories(dst.getParent());
                        Files.copy(f, dst);
                    }
                }
            }
        }
    }

    /** A small config: 3 corpus slices, BERT-tiny 4 rounds with a checkpoint every round, word2vec 1 epoch. */
    static Path writeConfig(Path in) throws IOException {
        Path imdb = SharedData.head(DATA.resolve("corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz"), in.resolve("imdb.tsv.gz"), 401, true);
        Path wiki = SharedData.head(DATA.resolve("corpora/wikitext-2-raw-test.hf-crlf.raw"), in.resolve("wiki.raw"), 200, false);
        Path moby = SharedData.head(DATA.resolve("corpora/moby-dick.txt"), in.resolve("moby.txt"), 1500, false);
        String yaml = """
                # Pipeline config of the fault-injection test (ExecutorLossIT): slices of the shared corpora.
                seed: 20261208
                ingest:
                  sources:
                    - {name: imdb, uri: '%s', format: tsv, column: 4, header: true, html: true}
                    - {name: wikitext, uri: '%s', format: headings, heading_regex: '^ = [^=].* = $', skip_regex: '^ = = .* = = *$', wikitext: true, line_per_paragraph: true}
                    - {name: moby, uri: '%s', format: headings, heading_regex: '^CHAPTER \\d+'}
                vocab: {size: 2000}
                examples: {shards: 4, heldout_fraction: 0.05, skipgram: {enabled: false}}
                word2vec: {epochs: 1, rounds_per_epoch: 4, min_count: 3, dim: 32, partitions: 2}
                bert: {workers: 2, batch_size_per_worker: 16, averaging_frequency: 3, max_train_examples: 384,
                       max_heldout_examples: 64, validation_examples: 64, warmup_steps: 2, eval_every_rounds: 1,
                       checkpoint_every: 1}
                evaluate:
                  analogies: '%s'
                  similarity: {wordsim353: '%s'}
                """.formatted(imdb, wiki, moby, DATA.resolve("analogy/questions-words.txt"),
                DATA.resolve("similarity/wordsim353.tsv"));
        Path config = in.resolve("pipeline.yaml");
        Files.writeString(config, yaml);
        return config;
    }

    /** Decides, from the driver's log so far and the seconds since the run started, whether to inject a fault now. */
    interface Trigger {
        boolean fire(String log, double seconds) throws IOException;
    }

    /**
     * Runs {@code pipeline} through SparkSubmit and watches its log every 100 ms: the first time each line appears is
     * recorded; when {@code killDriver} fires, the driver JVM is killed (SIGKILL). Returns when the driver exited.
     */
    static Run submit(LocalStandaloneCluster cluster, String name, Path config, Path out, boolean resume, Path logs,
                      Trigger killDriver) throws Exception {
        Path log = logs.resolve(name + ".log");
        List<String> args = new ArrayList<>(List.of("--master", cluster.masterUrl(), "--deploy-mode", "client",
                "--properties-file", CONF.resolve("spark-defaults.conf").toString(),
                "--conf", "spark.executor.cores=1",
                "--conf", "spark.cores.max=2",
                "--conf", "spark.executor.memory=1536m",
                "--conf", "spark.executor.memoryOverhead=1g",
                "--conf", "spark.executor.extraJavaOptions=" + StandaloneClusterIT.OPENS + " "
                        + StandaloneClusterIT.OFFHEAP + " " + StandaloneClusterIT.TIME_SOURCE,
                "--conf", "spark.driver.host=" + LocalStandaloneCluster.LOOPBACK,
                "--conf", "spark.driver.bindAddress=" + LocalStandaloneCluster.LOOPBACK,
                "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
                "--conf", "spark.sql.shuffle.partitions=8",
                "--conf", "spark.ui.enabled=false",
                "--class", "dev.pretrain.jobs.cli.PretrainCli", JAR.toString(),
                "pipeline", "--config", config.toString(), "--output", out.toString()));
        if (resume) {
            args.add("--resume");
        }
        String log4j = "-Dlog4j2.configurationFile=" + CONF.resolve("log4j2.properties").toUri();
        long t0 = System.nanoTime();
        Process submit = cluster.launch(log, "-Xmx2g -Dpretrain.progress.seconds=0.01 " + StandaloneClusterIT.OPENS
                        + " " + StandaloneClusterIT.OFFHEAP + " " + StandaloneClusterIT.TIME_SOURCE + " " + log4j,
                "org.apache.spark.deploy.SparkSubmit", args.toArray(String[]::new));
        Map<String, Double> seen = new LinkedHashMap<>();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(600);
        boolean killed = false;
        while (submit.isAlive()) {
            double t = (System.nanoTime() - t0) / 1e9;
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
            for (String line : text.split("\n")) {
                if (line.startsWith("[pipeline]") || line.startsWith("[train-word2vec]")) {
                    seen.putIfAbsent(line.trim(), t);
                }
            }
            if (!killed && killDriver.fire(text, t)) {
                submit.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook runs
                killed = true;
                System.out.printf("[fault] %s: driver (pid %d) killed at %.1f s%n", name, submit.pid(), t);
            }
            if (System.nanoTime() > deadline) {
                submit.destroyForcibly();
                throw new IllegalStateException(name + " timed out; log tail:\n" + StandaloneClusterIT.tail(log));
            }
            submit.waitFor(100, TimeUnit.MILLISECONDS);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        String text = Files.readString(log, StandardCharsets.ISO_8859_1);
        for (String line : text.split("\n")) {
            if (line.startsWith("[pipeline]")) {
                seen.putIfAbsent(line.trim(), seconds);
            }
        }
        if (killed) {
            // the Master notices the driver is gone and its Workers end the application's executors
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!cluster.executors().isEmpty() && System.nanoTime() < until) {
                Thread.sleep(250);
            }
        }
        System.out.printf("[fault] %s: exit %d after %.1f s%n", name, submit.exitValue(), seconds);
        return new Run(name, submit.exitValue(), seconds, seen, log);
    }

    /**
     * Kills one executor of the cluster in the middle of each stage of {@link #DISTURBED}, in order (see the class
     * comment for "middle"); records each killed PID under its stage.
     */
    static final class ExecutorKiller implements Trigger {
        private final LocalStandaloneCluster cluster;
        private final Path run;
        private int next;
        private double bertRoundSeen = -1;
        private int bertLogOffset;
        private double bertCountDone = -1;

        ExecutorKiller(LocalStandaloneCluster cluster, Path run) {
            this.cluster = cluster;
            this.run = run;
        }

        @Override
        public boolean fire(String log, double seconds) throws IOException {
            if (next >= DISTURBED.size()) {
                return false;
            }
            String stage = DISTURBED.get(next);
            if (log.contains("[pipeline] " + stage + " done")) {
                next++; // missed: the stage's report will show no lost executor and the test fails there
                return false;
            }
            boolean now = switch (stage) {
                case "ingest" -> midStageProgress(log, null);
                case "examples-mlm" -> midStageProgress(log, "[pipeline] tokenize done");
                case "train-word2vec" -> log.contains(W2V_ROUND_1);
                case "train-bert" -> bertMidRound(log, seconds);
                default -> false;
            };
            if (now) {
                List<ProcessHandle> executors = cluster.executors();
                if (executors.isEmpty()) {
                    return false;
                }
                ProcessHandle victim = executors.get(0);
                victim.destroyForcibly(); // SIGKILL
                killedExecutors.put(stage, victim.pid());
                System.out.printf("[fault] lost: executor pid %d killed during %s at %.1f s%n", victim.pid(), stage,
                        seconds);
                next++;
            }
            return false; // never the driver
        }

        /**
         * Inside a training round of train-bert after its second: once rounds.jsonl holds two rounds, the driver
         * evaluates, then runs the next round as a {@code count} job and a {@code treeAggregate} job whose two tasks
         * (one per executor) train for 2-7 s here. The kill comes 0.7 s after the next {@code count} stage's closing
         * progress line (or 8 s after the two rounds, if no such line came), so the executor dies running a task.
         */
        private boolean bertMidRound(String log, double seconds) throws IOException {
            if (bertRoundSeen < 0 && log.contains("[pipeline] train-word2vec done") && rounds(run) >= 2) {
                bertRoundSeen = seconds;
                bertLogOffset = log.length();
            }
            if (bertRoundSeen < 0) {
                return false;
            }
            if (bertCountDone < 0) {
                for (String line : log.substring(Math.min(bertLogOffset, log.length())).split("\n")) {
                    if (line.contains("(count at ParameterAveragingTrainingMaster") && line.contains(": done,")) {
                        bertCountDone = seconds;
                    }
                }
            }
            return (bertCountDone >= 0 && seconds >= bertCountDone + 0.7) || seconds >= bertRoundSeen + 8;
        }

        /** A progress line with some but not all of its tasks done, after the line {@code after} (null: any). */
        private static boolean midStageProgress(String log, String after) {
            int from = 0;
            if (after != null) {
                from = log.indexOf(after);
                if (from < 0) {
                    return false;
                }
            }
            for (String line : log.substring(from).split("\n")) {
                Matcher m = PROGRESS.matcher(line);
                if (m.find()) {
                    int done = Integer.parseInt(m.group(1));
                    int total = Integer.parseInt(m.group(2));
                    if (done > 0 && done < total) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /** Lines of train-bert's rounds.jsonl in a run folder (0 when absent). */
    static int rounds(Path run) throws IOException {
        Path f = run.resolve("bert/rounds.jsonl");
        if (!Files.exists(f)) {
            return 0;
        }
        try {
            return (int) Files.readAllLines(f).stream().filter(l -> !l.isBlank()).count();
        } catch (IOException e) {
            return 0; // being replaced
        }
    }

    /** Number of train-bert checkpoints in a run folder. */
    static int checkpoints(Path run) throws IOException {
        Path dir = run.resolve("bert/checkpoints");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return (int) files.filter(f -> f.getFileName().toString().matches("checkpoint-\\d{8}\\.zip")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    // ---- item 2: lost executors ----

    @Test
    void everyRunWithLostExecutorsCompletes() throws IOException {
        assertEquals(0, cleanRun.exit(), "undisturbed run; log tail:\n" + StandaloneClusterIT.tail(cleanRun.log()));
        assertEquals(0, lostRun.exit(), "run with lost executors; log tail:\n" + StandaloneClusterIT.tail(lostRun.log()));
        assertEquals(DISTURBED, List.copyOf(killedExecutors.keySet().stream()
                .sorted(Comparator.comparingInt(DISTURBED::indexOf)).toList()), "an executor killed in each stage");
    }

    @Test
    void reportsCountTheLostExecutorsAndRetriedTasksOfEachStage() throws IOException {
        Map<String, Object> c = StandaloneClusterIT.report(clean);
        Map<String, Object> l = StandaloneClusterIT.report(lost);
        for (String stage : DISTURBED) {
            assertEquals(0, StandaloneClusterIT.num(RunSummary.get(c, "stages", stage, "tasks", "executors_lost")), stage + " undisturbed");
            assertEquals(0, StandaloneClusterIT.num(RunSummary.get(c, "stages", stage, "tasks", "failed")), stage + " undisturbed");
            double lostExecutors = StandaloneClusterIT.num(RunSummary.get(l, "stages", stage, "tasks", "executors_lost"));
            double failed = StandaloneClusterIT.num(RunSummary.get(l, "stages", stage, "tasks", "failed"));
            double retried = StandaloneClusterIT.num(RunSummary.get(l, "stages", stage, "tasks", "retried"));
            System.out.printf("[fault] lost: %s report tasks %s%n", stage, RunSummary.get(l, "stages", stage, "tasks"));
            double resubmitted = StandaloneClusterIT.num(RunSummary.get(l, "stages", stage, "tasks", "stages_resubmitted"));
            assertEquals(1, lostExecutors, stage + ": the executor killed while it ran");
            assertTrue(failed >= 1, stage + ": the tasks running on the killed executor failed: " + failed);
            // redone as retried attempts, or (its shuffle outputs lost: FetchFailed) by a resubmitted stage attempt,
            // whose tasks are first attempts again
            assertTrue(retried + resubmitted >= 1, stage + ": and were redone: " + retried + " retried, "
                    + resubmitted + " stages resubmitted");
        }
        for (String stage : DISTURBED) {
            double dc = StandaloneClusterIT.num(RunSummary.get(c, "stages", stage, "seconds"));
            double dl = StandaloneClusterIT.num(RunSummary.get(l, "stages", stage, "seconds"));
            System.out.printf("[fault] lost executor during %s: %.1f s undisturbed, %.1f s disturbed, %+.1f s lost%n",
                    stage, dc, dl, dl - dc);
        }
    }

    @Test
    void outputsAfterLostExecutorsEqualTheUndisturbedRun() throws IOException {
        assertSameRows(clean, lost, "documents");
        assertSameRows(clean, lost, "tokenized");
        assertSameRows(clean, lost, "examples/mlm/train");
        assertSameRows(clean, lost, "examples/mlm/heldout");
        assertEquals(Files.readAllLines(clean.resolve("word2vec/vocab.txt")), Files.readAllLines(lost.resolve("word2vec/vocab.txt")));
        assertArrayEquals(Files.readAllBytes(clean.resolve("word2vec/vectors.bin")),
                Files.readAllBytes(lost.resolve("word2vec/vectors.bin")), "word2vec vectors.bin");
    }

    @Test
    void bertAfterLostExecutorsIsWithinNoise() throws IOException {
        Map<String, Object> c = StandaloneClusterIT.report(clean);
        Map<String, Object> l = StandaloneClusterIT.report(lost);
        double s0 = StandaloneClusterIT.num(RunSummary.get(c, "stages", "train-bert", "heldout_mlm_loss_step0"));
        double fc = StandaloneClusterIT.num(RunSummary.get(c, "stages", "train-bert", "heldout_mlm_loss_final"));
        double fl = StandaloneClusterIT.num(RunSummary.get(l, "stages", "train-bert", "heldout_mlm_loss_final"));
        System.out.printf("[fault] lost: BERT held-out MLM loss %.5f undisturbed, %.5f with a lost executor%n", fc, fl);
        assertTrue(fc < s0, "BERT learns: " + s0 + " -> " + fc);
        // a retried worker task trains on the same seeded instances from the same broadcast parameters, so the loss
        // should agree up to the float order of averaging; 5 % is StandaloneClusterIT's cluster-vs-local noise bound
        assertEquals(fc, fl, 0.05 * fc, "final held-out MLM loss");
    }

    // ---- item 3: killed driver, --resume ----

    @Test
    void resumedRunsAfterKilledDriversFinishAndReuseTheCompletedStages() throws IOException {
        assertEquals(3, resumedRuns.size());
        assertTrue(resumedRuns.get(0).exit() != 0, "the first driver was killed");
        assertTrue(resumedRuns.get(1).exit() != 0, "the second driver was killed");
        assertEquals(0, resumedRuns.get(2).exit(), "log tail:\n" + StandaloneClusterIT.tail(resumedRuns.get(2).log()));
        for (Run run : resumedRuns.subList(0, 2)) {
            String log = Files.readString(run.log(), StandardCharsets.ISO_8859_1);
            for (String s : List.of("ingest", "vocab", "tokenize", "examples-mlm")) {
                assertTrue(log.contains("[pipeline] " + s + " reused"), run.name() + ": " + s + " reused");
            }
            assertTrue(log.contains("[pipeline] train-word2vec runs"), run.name() + ": train-word2vec runs (again)");
        }
        Map<String, Object> r = StandaloneClusterIT.report(resumed);
        @SuppressWarnings("unchecked")
        List<String> reused = (List<String>) r.get("reused_stages");
        assertEquals(List.of("ingest", "vocab", "tokenize", "examples-mlm", "train-word2vec"), reused,
                "the last run reuses every stage finished before the driver was killed in train-bert");
        assertNotNull(RunSummary.get(r, "stages", "train-bert", "resumed_from_checkpoint"),
                "train-bert resumed mid-stage from a checkpoint");
        String summary = Files.readString(resumed.resolve("summary.md"));
        assertTrue(summary.contains("reused") || summary.contains("Reused"), "summary lists the reused stages");

        // the resumed runs only ran train-word2vec and later stages: compare with that part of the undisturbed run
        Run c = cleanRun;
        double cleanW2v = at(c, "[pipeline] train-word2vec done") - at(c, "[pipeline] examples-mlm done");
        double cleanRest = c.seconds() - at(c, "[pipeline] train-word2vec done");
        double lostW2v = resumedRuns.get(0).seconds() + at(resumedRuns.get(1), "[pipeline] train-word2vec done")
                - cleanW2v;
        double lostBert = resumedRuns.get(1).seconds() - at(resumedRuns.get(1), "[pipeline] train-word2vec done")
                + resumedRuns.get(2).seconds() - cleanRest;
        System.out.printf("[fault] driver killed during train-word2vec, rerun with --resume: %+.1f s lost%n", lostW2v);
        System.out.printf("[fault] driver killed during train-bert, rerun with --resume: %+.1f s lost%n", lostBert);
        System.out.printf("[fault] killed drivers: runs of %.1f + %.1f + %.1f s vs %.1f s of the undisturbed run "
                        + "from train-word2vec on%n", resumedRuns.get(0).seconds(), resumedRuns.get(1).seconds(),
                resumedRuns.get(2).seconds(), cleanW2v + cleanRest);
    }

    @Test
    void resumedOutputsEqualTheUninterruptedRun() throws IOException {
        assertArrayEquals(Files.readAllBytes(clean.resolve("word2vec/vectors.bin")),
                Files.readAllBytes(resumed.resolve("word2vec/vectors.bin")), "word2vec vectors.bin");
        Map<String, Object> c = StandaloneClusterIT.report(clean);
        Map<String, Object> r = StandaloneClusterIT.report(resumed);
        for (String key : List.of("heldout_mlm_loss_step0", "heldout_mlm_loss_final")) {
            double a = StandaloneClusterIT.num(RunSummary.get(c, "stages", "train-bert", key));
            double b = StandaloneClusterIT.num(RunSummary.get(r, "stages", "train-bert", key));
            assertEquals(a, b, 1e-4, key + ": resumed vs uninterrupted (BertCheckpointTest's tolerance)");
        }
    }

    // ---- helpers ----

    /** When {@code run} first printed a line starting with {@code prefix}, seconds after its start. */
    private static double at(Run run, String prefix) {
        Double t = run.seen().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        assertNotNull(t, run.name() + " never printed " + prefix);
        return t;
    }

    private static void assertSameRows(Path a, Path b, String dir) {
        List<String> ra = StandaloneClusterIT.sortedRows(spark, a.resolve(dir));
        List<String> rb = StandaloneClusterIT.sortedRows(spark, b.resolve(dir));
        assertTrue(!ra.isEmpty(), dir + " is empty");
        assertEquals(ra.size(), rb.size(), dir + " row count");
        for (int i = 0; i < ra.size(); i++) {
            if (!ra.get(i).equals(rb.get(i))) {
                assertEquals(ra.get(i), rb.get(i), dir + ": first differing row (sorted) at " + i);
            }
        }
    }
}
