package dev.pretrain.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pretrain.corpus.tokenize.BasicTokenizer;
import dev.pretrain.corpus.tokenize.BertTokenizer;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.corpus.tokenize.WordPieceTrainer;
import dev.pretrain.jobs.SharedData;
import dev.pretrain.jobs.report.ConsoleProgress;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.stages.TokenizeStage;
import dev.pretrain.jobs.stages.VocabStage;

/**
 * Report counts stay exact when tasks are retried: every task reading through {@link FlakyFileSystem} fails its first
 * attempt part-way through its input (master {@code local[2,4]}: up to 4 attempts), and the stages' counts must
 * still equal counts taken directly on the input; the console progress counts each partition once.
 */
class TaskRetryCountsTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static final AtomicInteger failedAttempts = new AtomicInteger();
    static List<String> lines;
    static Path input;

    @BeforeAll
    static void start() throws IOException {
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
        spark = SparkSession.builder().master("local[2,4]").appName("task-retry-test")
                .config("spark.ui.enabled", "false")
                .config("spark.hadoop.fs.flaky.impl", FlakyFileSystem.class.getName())
                .config("spark.hadoop.fs.flaky.impl.disable.cache", "true")
                // several input splits, so that several tasks fail and are retried
                .config("spark.hadoop.mapreduce.input.fileinputformat.split.maxsize", "40000")
                .config("spark.sql.files.maxPartitionBytes", "40000")
                .config("spark.sql.files.openCostInBytes", "0")
                .getOrCreate();
        assertEquals("local[2,4]", spark.sparkContext().master(), "a session allowing task retries");
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd event) {
                if (!event.taskInfo().successful()) {
                    failedAttempts.incrementAndGet();
                }
            }
        });
        lines = Files.readAllLines(SharedData.corpus("moby-dick.txt"), StandardCharsets.UTF_8).subList(0, 4000);
        input = Files.write(tmp.resolve("moby.txt"), lines);
        assertTrue(Files.size(input) > 4 * 40_000, "several splits: " + Files.size(input));
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static String flaky(Path p) {
        return "flaky://" + p.toAbsolutePath();
    }

    /** Waits until the listener bus has delivered the events so far. */
    private static void drainEvents() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int seen = -1;
        while (seen != failedAttempts.get() && System.nanoTime() < deadline) {
            seen = failedAttempts.get();
            Thread.sleep(300);
        }
    }

    @Test
    void vocabCountsAreExactUnderRetries() throws Exception {
        int before = failedAttempts.get();
        BasicTokenizer basic = new BasicTokenizer(true);
        Map<String, Long> counts = new HashMap<>();
        for (String l : lines) {
            for (String w : basic.tokenize(l)) {
                counts.merge(w, 1L, Long::sum);
            }
        }
        long words = counts.values().stream().mapToLong(Long::longValue).sum();
        StageReport r = VocabStage.run(spark, new VocabStage.Options(flaky(input), tmp.resolve("vocab").toString(),
                2000, 1, true, 0, null, WordPieceTrainer.Algorithm.BPE, true));
        drainEvents();
        assertTrue(failedAttempts.get() - before >= 5, "first attempts failed: " + (failedAttempts.get() - before));
        assertEquals(words, ((Number) r.get("words")).longValue());
        assertEquals((long) counts.size(), ((Number) r.get("distinct_words")).longValue());
    }

    @Test
    @SuppressWarnings("unchecked")
    void tokenizeCountsAreExactUnderRetries() throws Exception {
        int before = failedAttempts.get();
        Path vocabFile = SharedData.DATA.resolve("bert/bert-base-uncased-vocab.txt");
        BertTokenizer tok = new BertTokenizer(Vocab.read(new StringReader(Files.readString(vocabFile))), true);
        long tokens = 0;
        for (String l : lines) {
            tokens += tok.encode(l).length;
        }
        StageReport r = TokenizeStage.run(spark, new TokenizeStage.Options(flaky(input), vocabFile.toString(),
                tmp.resolve("ids").toString(), true, 100, true));
        drainEvents();
        assertTrue(failedAttempts.get() - before >= 5, "first attempts failed: " + (failedAttempts.get() - before));
        assertEquals((long) lines.size(), ((Number) r.get("lines")).longValue());
        Map<String, Object> totals = (Map<String, Object>) r.get("totals");
        assertEquals(tokens, ((Number) totals.get("tokens")).longValue());
        assertTrue(((List<?>) r.get("shards")).size() >= 5, "one entry per shard: " + r.get("shards"));
    }

    @Test
    void progressCountsEachPartitionOnce() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ConsoleProgress p = new ConsoleProgress(out, 0);
        spark.sparkContext().addSparkListener(p);
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            long n = jsc.parallelize(List.of(1, 2, 3, 4, 5, 6), 6).map(x -> {
                if (TaskContext.get().attemptNumber() == 0 && x % 2 == 0) {
                    throw new IllegalStateException("injected failure of a first attempt");
                }
                return x;
            }).count();
            assertEquals(6, n);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!bytes.toString(StandardCharsets.UTF_8).contains("done, ") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            spark.sparkContext().removeSparkListener(p);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("(3 failed attempts)"), text);
        assertTrue(text.contains("done, 6/6 tasks in"), text);
        assertTrue(!text.matches("(?s).*: [7-9]/6 tasks.*"), text);
    }

    private static <T> scala.collection.Seq<T> nil() {
        return scala.collection.JavaConverters.asScalaBuffer(new java.util.ArrayList<T>()).toSeq();
    }

    /** A finished task attempt of stage 1 for {@code partition}, in {@code state} (TaskState FINISHED or KILLED). */
    private static org.apache.spark.scheduler.SparkListenerTaskEnd taskEnd(long id, int partition, int attempt,
                                                                           scala.Enumeration.Value state) {
        org.apache.spark.scheduler.TaskInfo t = new org.apache.spark.scheduler.TaskInfo(id, partition, attempt,
                partition, 0L, "driver", "localhost", org.apache.spark.scheduler.TaskLocality.PROCESS_LOCAL(), true);
        if (state == org.apache.spark.TaskState.KILLED()) {
            t.markFinished(state, 1L);
            return new org.apache.spark.scheduler.SparkListenerTaskEnd(1, 0, "ResultTask",
                    new org.apache.spark.TaskKilled("another attempt succeeded", nil(),
                            nil(), nil()),
                    t, null, null);
        }
        t.markFinished(state, 1L);
        return new org.apache.spark.scheduler.SparkListenerTaskEnd(1, 0, "ResultTask",
                org.apache.spark.Success$.MODULE$, t, null, null);
    }

    @Test
    void aSecondSuccessOfAPartitionIsNotCountedTwice() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 0);
        org.apache.spark.scheduler.StageInfo info = new org.apache.spark.scheduler.StageInfo(1, 0, "map at X.java:1", 2,
                nil(), nil(), "", null,
                nil(), scala.Option.empty(), 0, false, 0);
        p.onStageSubmitted(new org.apache.spark.scheduler.SparkListenerStageSubmitted(info, null));
        p.onTaskEnd(taskEnd(1, 0, 0, org.apache.spark.TaskState.FINISHED()));
        p.onTaskEnd(taskEnd(2, 0, 1, org.apache.spark.TaskState.FINISHED())); // speculative copy also succeeded
        p.onTaskEnd(taskEnd(3, 1, 0, org.apache.spark.TaskState.KILLED()));   // lost the race: not a failure
        p.onTaskEnd(taskEnd(4, 1, 1, org.apache.spark.TaskState.FINISHED()));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(": 1/2 tasks, ") && text.contains(": 2/2 tasks, "), text);
        assertTrue(!text.contains("3/2") && !text.contains("failed attempts"), text);
    }
}
