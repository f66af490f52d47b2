package dev.pretrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import dev.pretrain.corpus.ingest.DocumentFormat;
import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.SparkSessions;
import dev.pretrain.jobs.stages.IngestStage;

/** The ingest stage on the shared web archives, on Parquet/ORC datasets written here, and on .xz files. */
class IngestWebAndDatasetsTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static final Path WEB = SharedData.DATA.resolve("web");

    @BeforeAll
    static void start() {
        spark = SparkSessions.getOrCreate("ingest-web-test", "local[2]");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    static long num(StageReport r, String key) {
        return ((Number) r.get(key)).longValue();
    }

    @SuppressWarnings("unchecked")
    static long droppedSum(StageReport r) {
        return ((Map<String, Long>) r.get("dropped")).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Content records (response, resource, conversion) of a web archive, counted like zcat | grep -c. */
    static int contentRecords(Path f) throws IOException {
        byte[] b;
        try (InputStream raw = Files.newInputStream(f);
             InputStream in = f.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            b = in.readAllBytes();
        }
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int n = 0;
        Matcher m = Pattern.compile("^(WARC-Type: (response|resource|conversion)\r?$|http://\\S+ \\S+ \\d{14} \\S+ \\d+$)",
                Pattern.MULTILINE).matcher(s);
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void webArchivesEveryRecordAccountedForWithUrlAndDate() throws IOException {
        List<String> names = List.of("cc-whirlwind.warc.gz", "warcio-example-iana.org-chunked.warc",
                "warcio-example-resource.warc.gz", "warcio-example-trunc.warc", "warcio-example.arc",
                "warcio-example.arc.gz", "warcio-example.warc", "warcio-example.warc.gz");
        long expected = 0;
        for (String n : names) {
            expected += contentRecords(WEB.resolve(n));
        }
        assertEquals(8, expected, "one page per file");
        Path out = tmp.resolve("web-out");
        StageReport r = IngestStage.run(spark, new IngestStage.Options(
                List.of(SourceSpec.warc("web", WEB.toString())), out.toString(), "en", 20, 1, 1 << 20));
        assertEquals(names.size(), num(r, "files_read"));
        assertEquals(expected, num(r, "documents_in"));
        assertEquals(Boolean.TRUE, r.get("accounted"));
        assertEquals(num(r, "documents_in"), num(r, "documents_kept") + droppedSum(r) + num(r, "duplicates_exact")
                + num(r, "duplicates_near"));
        @SuppressWarnings("unchecked")
        Map<String, Long> problems = (Map<String, Long>) r.get("file_problems");
        assertEquals(Map.of(IngestStage.MALFORMED_RECORD, 1L), problems, "the truncated warcio file, once");
        // and its response record, whose gzip payload lost its last 2 bytes to the short Content-Length
        assertEquals(1L, ((Map<?, ?>) r.get("dropped")).get("truncated_record"));
        // example.com is captured in six of the files: one copy kept
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
        assertEquals(num(r, "documents_kept"), rows.size());
        Map<String, Row> byUrl = new HashMap<>();
        for (Row row : rows) {
            byUrl.put((String) row.getAs("url"), row);
            assertNotNull((String) row.getAs("date"));
            assertNotNull((String) row.getAs("record_id"));
            assertNull((String) row.getAs("language"), "set by language identification, not by the readers");
        }
        Row wiki = byUrl.get("https://an.wikipedia.org/wiki/Escopete");
        assertNotNull(wiki, byUrl.keySet().toString());
        assertTrue(String.join(" ", wiki.<String>getList(wiki.fieldIndex("sentences")))
                .contains("Escopete ye un municipio d'a provincia de Guadalachara"));
        assertTrue(((String) wiki.getAs("source")).endsWith("cc-whirlwind.warc.gz"));
        assertNotNull(byUrl.get("http://example.com/"));
        assertNotNull(byUrl.get("http://www.iana.org/"));
    }

    @Test
    void aCutGzipWarcIsCountedAsTruncated() throws IOException {
        byte[] all = Files.readAllBytes(WEB.resolve("cc-whirlwind.warc.gz"));
        Path cut = tmp.resolve("cut").resolve("cut.warc.gz");
        Files.createDirectories(cut.getParent());
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        Path out = tmp.resolve("cut-out");
        StageReport r = IngestStage.run(spark, new IngestStage.Options(
                List.of(SourceSpec.warc("cut", cut.getParent().toString())), out.toString(), "en", 20, 1, 1 << 20));
        assertEquals(Map.of("truncated", 1L), r.get("file_problems"));
        assertEquals(Boolean.TRUE, r.get("accounted"));
        assertEquals(num(r, "documents_in"), num(r, "documents_kept") + droppedSum(r) + num(r, "duplicates_exact"));
    }

    @Test
    void parquetAndOrcDatasetsWithIdAndUrlColumns() {
        StructType schema = new StructType().add("id", DataTypes.LongType).add("text", DataTypes.StringType)
                .add("link", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            rows.add(RowFactory.create((long) i, "Row number " + i + " is a sentence of the dataset. It has a second"
                    + " sentence too.", "https://d.example/" + i));
        }
        rows.add(RowFactory.create(100L, null, "https://d.example/null"));
        rows.add(RowFactory.create(101L, "Short.", null));
        Path pq = tmp.resolve("ds-parquet");
        Path orc = tmp.resolve("ds-orc");
        spark.createDataFrame(rows, schema).repartition(3).write().parquet(pq.toString());
        spark.createDataFrame(rows, schema).write().orc(orc.toString());
        for (Object[] c : new Object[][] {{DocumentFormat.PARQUET, pq}, {DocumentFormat.ORC, orc}}) {
            Path out = tmp.resolve("ds-out-" + c[0]);
            StageReport r = IngestStage.run(spark, new IngestStage.Options(List.of(SourceSpec.dataset("ds",
                    c[1].toString(), (DocumentFormat) c[0], "text", "id", "link")), out.toString(), "en", 20, 1,
                    1 << 20));
            assertEquals(22, num(r, "documents_in"), c[0].toString());
            assertEquals(20, num(r, "documents_kept"));
            assertEquals(Map.of("bad_record", 1L, "too_short", 1L), r.get("dropped"));
            assertEquals(Boolean.TRUE, r.get("accounted"));
            for (Row row : spark.read().parquet(out.toString()).collectAsList()) {
                String id = row.getAs("record_id");
                assertEquals("https://d.example/" + id, (String) row.getAs("url"));
                assertTrue(String.join(" ", row.<String>getList(row.fieldIndex("sentences")))
                        .startsWith("Row number " + id + " is"));
                assertTrue(((String) row.getAs("source")).contains(c[1].toString()), (String) row.getAs("source"));
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IngestStage.run(spark,
                new IngestStage.Options(List.of(SourceSpec.dataset("ds", pq.toString(), DocumentFormat.PARQUET,
                        "content", null, null)), tmp.resolve("x").toString(), "en", 20, 1, 1 << 20)));
        assertTrue(e.getMessage().contains("no column 'content'") && e.getMessage().contains("text"),
                e.getMessage());
    }

    @Test
    void xzFilesAreReadAndNotSplit() throws IOException {
        Path f = tmp.resolve("lines.txt.xz");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            text.append("Line ").append(i).append(" of the compressed file holds a sentence.\n");
        }
        try (OutputStream o = new XZOutputStream(Files.newOutputStream(f), new LZMA2Options())) {
            o.write(text.toString().getBytes(StandardCharsets.UTF_8));
        }
        Path out = tmp.resolve("xz-out");
        StageReport r = IngestStage.run(spark, new IngestStage.Options(List.of(SourceSpec.lines("xz", f.toString())),
                out.toString(), "en", 20, 1, 1 << 20).withSplitBytes(100));
        assertEquals(300, num(r, "documents_kept"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> unsplittable = (List<Map<String, Object>>) r.get("unsplittable_files");
        assertEquals("xz is not splittable", unsplittable.get(0).get("reason"));
        assertEquals(1, num(r, "read_tasks"));
    }
}
