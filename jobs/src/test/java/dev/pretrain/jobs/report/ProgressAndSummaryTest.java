package dev.pretrain.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The console progress listener (on a real local Spark job) and the HTML summary page. */
class ProgressAndSummaryTest {

    @Test
    void progressLineHasTasksElapsedAndEta() {
        // 2 of 8 tasks in 10 s: 6 left at 5 s each
        assertEquals("[progress] stage 3 (map at X.java:1): 2/8 tasks, 10 s elapsed, ETA 30 s",
                ConsoleProgress.line(3, "map at X.java:1", 2, 8, 0, 10.0));
        assertTrue(ConsoleProgress.line(3, "s", 0, 8, 1, 4).endsWith("(1 failed attempts), 4 s elapsed, ETA ?"));
        assertEquals("3 min 05 s", ConsoleProgress.duration(185));
        assertEquals("1 h 02 min", ConsoleProgress.duration(3725));
        assertThrows(IllegalArgumentException.class, () -> new ConsoleProgress(System.err, -1));
    }

    @Test
    void listenerReportsARealSparkStage() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("progress-test")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            ConsoleProgress p = new ConsoleProgress(out, 0); // every task end prints
            spark.sparkContext().addSparkListener(p);
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            long n = jsc.parallelize(List.of(1, 2, 3, 4, 5, 6), 6).map(x -> {
                Thread.sleep(20);
                return x;
            }).count();
            assertEquals(6, n);
            // listener events are asynchronous: wait until the bus has delivered the stage end
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!bytes.toString(StandardCharsets.UTF_8).contains("done, 6/6 tasks") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            spark.sparkContext().removeSparkListener(p);
        } finally {
            spark.stop();
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\\[progress\\] stage \\d+ \\(count at .*\\): (\\d)/6 tasks, \\d+ s elapsed, ETA ")
                .matcher(text);
        int lines = 0;
        int last = 0;
        while (m.find()) {
            int done = Integer.parseInt(m.group(1));
            assertTrue(done >= last, "tasks done never decreases: " + text);
            last = done;
            lines++;
        }
        assertEquals(6, lines, text);
        assertTrue(text.contains("done, 6/6 tasks in"), text);
    }

    @Test
    void htmlSummaryHasTheFiguresChecksAndPlots() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("documents_in", 1200);
        summary.put("unk_rate", 5.9e-6);
        summary.put("note", "a<b & \"c\"");
        summary.put("stage_seconds", Map.of("ingest", 12.5));
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("every_document_accounted_for", true);
        checks.put("analogy_accuracy_above_0", false);
        summary.put("checks", checks);
        List<Map<String, Object>> rounds = List.of(
                Map.of("examples_seen", 0, "heldout_mlm_loss", 10.3),
                Map.of("examples_seen", 640, "heldout_mlm_loss", 8.9),
                Map.of("examples_seen", 1280, "heldout_mlm_loss", 7.7));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("run", Map.of("output", "runs/x", "seconds", 42.0, "spark_master", "spark://h:7077", "seed", 1));
        report.put("stages", Map.of("train-bert", Map.of("rounds", rounds)));
        report.put("summary", summary);

        String html = SummaryHtml.render(report);
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("<td>documents_in</td><td class=\"n\">1200</td>"), html);
        assertTrue(html.contains("a&lt;b &amp; &quot;c&quot;"), "escaped: " + html);
        assertTrue(html.contains("class=\"ok\">&#10004; every_document_accounted_for"));
        assertTrue(html.contains("class=\"bad\">&#10008; analogy_accuracy_above_0"));
        assertEquals(2, html.split("<svg", -1).length - 1, "stage bars and the BERT curve");
        Matcher points = Pattern.compile("points=\"([^\"]*)\"").matcher(html);
        assertTrue(points.find());
        String[] xy = points.group(1).split(" ");
        assertEquals(3, xy.length);
        // the loss falls: y in SVG grows downwards
        double y0 = Double.parseDouble(xy[0].split(",")[1]);
        double y2 = Double.parseDouble(xy[2].split(",")[1]);
        assertTrue(y2 > y0, points.group(1));
    }

    @Test
    void htmlSummaryPlotsIngestDropsByRuleAndLanguages() {
        Map<String, Object> ingest = new LinkedHashMap<>();
        ingest.put("dropped", Map.of("gopher_short_doc", 30L, "language_not_kept", 6L));
        ingest.put("languages", Map.of("en", Map.of("documents", 152L, "kept_before_dedup", 120L),
                "de", Map.of("documents", 3L, "kept_before_dedup", 0L)));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("run", Map.of("output", "runs/x", "seconds", 1.0, "spark_master", "local", "seed", 1));
        report.put("stages", Map.of("ingest", ingest));
        report.put("summary", new LinkedHashMap<String, Object>());
        String html = SummaryHtml.render(report);
        assertEquals(2, html.split("<svg", -1).length - 1, "drops by rule and documents by language: " + html);
        assertTrue(html.contains(">gopher_short_doc</text>") && html.contains(">30 docs</text>"), html);
        assertTrue(html.contains(">en</text>") && html.contains(">152 docs</text>"), html);
    }
}
