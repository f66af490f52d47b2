package dev.pretrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pretrain.corpus.ingest.BalancedShards;
import dev.pretrain.corpus.ingest.DocumentProcessor;
import dev.pretrain.corpus.ingest.QualityFilters;
import dev.pretrain.corpus.ingest.SentenceSegmenter;
import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.SparkSessions;
import dev.pretrain.jobs.stages.IngestStage;

/**
 * The ingest stage on slices of every real shared corpus format, on damaged inputs, on near-duplicate IMDB
 * reviews, and its balanced shards.
 */
class IngestStageTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSessions.getOrCreate("ingest-test", "local[2]");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** The review column of the first {@code n} data rows of the labeled IMDB file. */
    static List<String> imdbReviews(int skip, int n) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                Files.newInputStream(SharedData.corpus("imdb-aclImdb-v1-labeled-50k.tsv.gz"))), StandardCharsets.UTF_8))) {
            r.readLine(); // header
            String line;
            for (int i = 0; out.size() < n && (line = r.readLine()) != null; i++) {
                if (i >= skip) {
                    out.add(line.split("\t", 5)[4]);
                }
            }
        }
        return out;
    }

    static long num(StageReport r, String key) {
        return ((Number) r.get(key)).longValue();
    }

    @SuppressWarnings("unchecked")
    static long droppedTotal(StageReport r) {
        return ((Map<String, Long>) r.get("dropped")).values().stream().mapToLong(Long::longValue).sum();
    }

    static void assertAccounted(StageReport r) {
        assertEquals(num(r, "documents_in"), num(r, "documents_kept") + droppedTotal(r) + num(r, "duplicates_exact")
                + num(r, "duplicates_near"), "documents_in = kept + dropped + duplicates");
        assertEquals(Boolean.TRUE, r.get("accounted"));
        assertEquals(num(r, "documents_kept"), spark.read().parquet((String) r.get("output")).count());
    }

    /** The whole pages in the first {@code xmlBytes} of the real Wikipedia dump, closed, re-compressed with bzip2. */
    static Path wikiSlice(Path dst, int xmlBytes) throws IOException {
        Path src = SharedData.corpus("enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2");
        String xml;
        try (InputStream in = new BZip2CompressorInputStream(new BufferedInputStream(Files.newInputStream(src)), true)) {
            xml = new String(in.readNBytes(xmlBytes), StandardCharsets.UTF_8);
        }
        int end = xml.lastIndexOf("</page>") + "</page>".length();
        try (OutputStream out = new BZip2CompressorOutputStream(Files.newOutputStream(dst))) {
            out.write((xml.substring(0, end) + "\n</mediawiki>\n").getBytes(StandardCharsets.UTF_8));
        }
        return dst;
    }

    /** The first {@code members} tagged text members (ca01, ...) of the Brown tarball, as a new tar.gz. */
    static Path brownSlice(Path dst, int members) throws IOException {
        try (TarArchiveInputStream in = new TarArchiveInputStream(new GZIPInputStream(new BufferedInputStream(
                Files.newInputStream(SharedData.corpus("brown-corpus-nltk-tagged.tar.gz")))));
             TarArchiveOutputStream out = new TarArchiveOutputStream(new GZIPOutputStream(Files.newOutputStream(dst)))) {
            TarArchiveEntry e;
            int n = 0;
            while ((e = in.getNextTarEntry()) != null && n < members + 2) { // + CONTENTS and README
                if (!e.isFile()) {
                    continue;
                }
                byte[] data = in.readAllBytes();
                TarArchiveEntry copy = new TarArchiveEntry(e.getName());
                copy.setSize(data.length);
                out.putArchiveEntry(copy);
                out.write(data);
                out.closeArchiveEntry();
                n++;
            }
        }
        return dst;
    }

    @Test
    void everyRealCorpusFormat() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("formats"));
        Path imdb = SharedData.head(SharedData.corpus("imdb-aclImdb-v1-unsup-50k.tsv.gz"), in.resolve("imdb.tsv.gz"),
                201, true);
        Path wikitext = SharedData.head(SharedData.corpus("wikitext-2-raw-test.hf-crlf.raw"), in.resolve("wt.raw"),
                300, false);
        Path moby = SharedData.head(SharedData.corpus("moby-dick.txt"), in.resolve("moby.txt"), 2000, false);
        Path wiki = wikiSlice(in.resolve("enwiki.xml.bz2"), 1_000_000);
        Path brown = brownSlice(in.resolve("brown.tar.gz"), 4);
        List<String> reviews = imdbReviews(0, 60);
        // JSON lines and CSV (quoted, multi-line fields) of real reviews; a .zst copy of JSON lines
        Path jsonl = in.resolve("reviews.jsonl");
        ObjectMapper json = new ObjectMapper();
        try (Writer w = Files.newBufferedWriter(jsonl)) {
            for (String r : reviews.subList(0, 20)) {
                w.write(json.writeValueAsString(Map.of("id", r.length(), "text", r)) + "\n");
            }
        }
        Path csv = in.resolve("reviews.csv");
        try (Writer w = Files.newBufferedWriter(csv)) {
            w.write("id,review,label\r\n");
            int i = 0;
            for (String r : reviews.subList(20, 40)) {
                String field = r.replace("<br /><br />", "\n\n").replace("\"", "\"\"");
                w.write(i++ + ",\"" + field + "\",pos\r\n");
            }
        }
        Path zst = in.resolve("more.jsonl.zst");
        try (OutputStream out = new com.github.luben.zstd.ZstdOutputStream(Files.newOutputStream(zst))) {
            for (String r : reviews.subList(40, 60)) {
                out.write((json.writeValueAsString(Map.of("text", r)) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        List<SourceSpec> specs = List.of(
                SourceSpec.imdb("imdb", imdb.toString()),
                SourceSpec.wikitext("wikitext", wikitext.toString()),
                SourceSpec.gutenbergChapters("moby", moby.toString()),
                SourceSpec.lines("lee", SharedData.corpus("lee_background.cor").toString()),
                SourceSpec.wikipediaXml("wikipedia", wiki.toString()),
                SourceSpec.brown("brown", brown.toString()),
                SourceSpec.jsonLines("jsonl", in.resolve("*.jsonl*").toString(), "text").withHtml(true),
                SourceSpec.csv("csv", csv.toString(), "review", ','));
        Path out = tmp.resolve("formats-out/documents");
        StageReport r = IngestStage.run(spark, new IngestStage.Options(specs, out.toString(), "en", 20, 1, 1 << 20));
        assertAccounted(r);
        assertEquals(9L, num(r, "files_read")); // the glob matches reviews.jsonl and more.jsonl.zst
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> byCorpus = (Map<String, Map<String, Object>>) r.get("by_corpus");
        Map<String, Long> expectedIn = Map.of("imdb", 200L, "lee", 300L, "brown", 4L, "jsonl", 40L, "csv", 20L);
        for (SourceSpec s : specs) {
            Map<String, Object> c = byCorpus.get(s.name());
            long docsIn = ((Number) c.get("documents_in")).longValue();
            assertTrue(((Number) c.get("kept_before_dedup")).longValue() > 0, s.name() + ": " + c);
            if (expectedIn.containsKey(s.name())) {
                assertEquals(expectedIn.get(s.name()), docsIn, s.name());
            }
        }
        // the Wikipedia slice: its namespace-0, non-redirect pages, counted independently
        String xml;
        try (InputStream is = new BZip2CompressorInputStream(Files.newInputStream(wiki))) {
            xml = new String(is.readAllBytes(), StandardCharsets.UTF_8);
        }
        long articles = Arrays.stream(xml.split("<page>")).skip(1)
                .filter(p -> p.contains("<ns>0</ns>") && !p.contains("<redirect")).count();
        assertEquals(articles, ((Number) byCorpus.get("wikipedia").get("documents_in")).longValue());
        // the report next to the output
        Map<?, ?> written = new ObjectMapper().readValue(out.resolveSibling(IngestStage.REPORT_FILE).toFile(), Map.class);
        assertEquals(r.get("documents_kept"), ((Number) written.get("documents_kept")).longValue());
        // multi-line CSV fields arrive as several sentences; Brown tags are gone
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
        for (Row row : rows) {
            String text = String.join(" ", row.<String>getList(3));
            assertFalse(text.contains("<br"), text);
            if (row.getString(1).equals("brown")) {
                assertFalse(text.contains("/at ") || text.contains("/nn "), text);
            }
            if (row.getString(1).equals("wikipedia")) {
                assertFalse(text.contains("[[") || text.contains("{{"), text);
            }
        }
    }

    @Test
    void badInputsAreCountedByReasonAndNeverAbortTheRun() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("bad"));
        Files.write(in.resolve("invalid-utf8.txt"), new byte[] {'B', 'a', 'd', ' ', (byte) 0xC3, (byte) 0x28,
                ' ', 'b', 'y', 't', 'e', 's', ' ', 'i', 'n', ' ', 't', 'h', 'i', 's', ' ', 'l', 'i', 'n', 'e', '.', '\n',
                'A', ' ', 'g', 'o', 'o', 'd', ' ', 'l', 'i', 'n', 'e', ' ', 'o', 'f', ' ', 't', 'e', 'x', 't', '.', '\n'});
        byte[] binary = new byte[4096];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 31);
        }
        Files.write(in.resolve("binary.txt"), binary);
        Files.write(in.resolve("empty.txt"), new byte[0]);
        Files.write(in.resolve("bom-crlf.txt"), ("\uFEFFFirst line with a BOM before it.\r\nSecond line, CRLF ended.\r\n")
                .getBytes(StandardCharsets.UTF_8));
        // truncated archives made by cutting real files
        try (InputStream s = Files.newInputStream(SharedData.corpus("imdb-aclImdb-v1-unsup-50k.tsv.gz"))) {
            Files.write(in.resolve("cut.tsv.gz"), s.readNBytes(150_000));
        }
        Path wikiFull = SharedData.corpus("enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2");
        try (InputStream s = Files.newInputStream(wikiFull)) {
            Files.write(in.resolve("cut.xml.bz2"), s.readNBytes(400_000));
        }
        // a 100 MB single line
        Path huge = in.resolve("huge-line.txt");
        try (OutputStream o = Files.newOutputStream(huge)) {
            byte[] chunk = "all work and no play ".repeat(50_000).getBytes(StandardCharsets.US_ASCII);
            for (long w = 0; w < 100L << 20; w += chunk.length) {
                o.write(chunk);
            }
        }
        List<SourceSpec> specs = List.of(
                SourceSpec.lines("text", in.resolve("*.txt").toString()),
                SourceSpec.imdb("imdb", in.resolve("cut.tsv.gz").toString()),
                SourceSpec.wikipediaXml("wiki", in.resolve("cut.xml.bz2").toString()));
        Path out = tmp.resolve("bad-out/documents");
        StageReport r = IngestStage.run(spark, new IngestStage.Options(specs, out.toString(), "en", 10, 1, 1 << 20));
        Files.delete(huge);
        assertAccounted(r);
        @SuppressWarnings("unchecked")
        Map<String, Long> problems = (Map<String, Long>) r.get("file_problems");
        assertEquals(Map.of("binary_file", 1L, "empty_file", 1L, "truncated", 2L), problems, r.toJson());
        @SuppressWarnings("unchecked")
        Map<String, Long> dropped = (Map<String, Long>) r.get("dropped");
        assertEquals(1L, dropped.get("invalid_utf8"));
        assertEquals(1L, dropped.get("oversized"));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> byCorpus = (Map<String, Map<String, Object>>) r.get("by_corpus");
        assertTrue(((Number) byCorpus.get("imdb").get("kept_before_dedup")).longValue() > 50, "documents before the cut");
        assertTrue(((Number) byCorpus.get("wiki").get("kept_before_dedup")).longValue() > 0, "pages before the cut");
        List<String> text = spark.read().parquet(out.toString()).filter("corpus = 'text'").collectAsList().stream()
                .map(row -> String.join(" ", row.<String>getList(3))).sorted().collect(Collectors.toList());
        assertEquals(List.of("A good line of text.", "First line with a BOM before it.", "Second line, CRLF ended."),
                text);

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> IngestStage.run(spark,
                new IngestStage.Options(List.of(SourceSpec.lines("gone", in.resolve("no-such-dir/x.txt").toString())),
                        tmp.resolve("never").toString(), "en", 10, 1, 1 << 20)));
        assertTrue(missing.getMessage().contains("no-such-dir/x.txt") && missing.getMessage().contains("gone"),
                missing.getMessage());
    }

    @Test
    void nearDuplicateReviewsAreDroppedDistinctOnesKept() throws IOException {
        List<String> reviews = imdbReviews(1000, 300);
        // copies of 12 long reviews with two words replaced each: Jaccard of word 5-grams well above 0.8
        List<String> copies = new ArrayList<>();
        Map<String, String> copyOf = new HashMap<>();
        for (String r : reviews) {
            String[] words = r.split(" ");
            if (words.length < 200 || copies.size() == 12) {
                continue;
            }
            words[words.length / 3] = "zebra";
            words[2 * words.length / 3] = "quokka";
            String c = String.join(" ", words);
            copies.add(c);
            copyOf.put(c, r);
        }
        assertEquals(12, copies.size());
        Path in = Files.createDirectories(tmp.resolve("near"));
        Path tsv = in.resolve("reviews.tsv");
        try (Writer w = Files.newBufferedWriter(tsv)) {
            w.write("split\tlabel\tid\trating\treview\n");
            int id = 0;
            for (String r : reviews) {
                w.write("train\tneg\t" + id++ + "\t1\t" + r + "\n");
            }
            for (String c : copies) {
                w.write("train\tneg\t" + id++ + "\t1\t" + c + "\n");
            }
        }
        List<SourceSpec> specs = List.of(SourceSpec.imdb("imdb", tsv.toString()));
        IngestStage.Options base = new IngestStage.Options(specs, tmp.resolve("near-off/docs").toString(), "en", 20, 1,
                1 << 20);
        StageReport off = IngestStage.run(spark, base);
        assertAccounted(off);
        assertEquals(0L, num(off, "duplicates_near"));
        long keptWithout = num(off, "documents_kept");

        Path outOn = tmp.resolve("near-on/docs");
        StageReport on = IngestStage.run(spark, new IngestStage.Options(specs, outOn.toString(), "en", 20, 1, 1 << 20)
                .withNearDup(IngestStage.NearDup.DEFAULT));
        assertAccounted(on);
        assertEquals(12L, num(on, "duplicates_near"), "exactly the modified copies, no distinct review");
        assertEquals(keptWithout - 12, num(on, "documents_kept"));
        // each pair keeps exactly one member: the one with the smaller doc_id (ids computed as ingest does)
        Set<String> keptIds = new HashSet<>(spark.read().parquet(outOn.toString()).select("doc_id").as(
                org.apache.spark.sql.Encoders.STRING()).collectAsList());
        Set<String> allIds = new HashSet<>(spark.read().parquet(base.output()).select("doc_id").as(
                org.apache.spark.sql.Encoders.STRING()).collectAsList());
        DocumentProcessor proc = new DocumentProcessor(specs.get(0).cleaner(), new SentenceSegmenter("en"),
                QualityFilters.DEFAULT);
        Set<String> dropped = new HashSet<>();
        for (String c : copies) {
            String a = proc.process("imdb", copyOf.get(c)).document().docId();
            String b = proc.process("imdb", c).document().docId();
            assertNotEquals(a, b);
            assertTrue(allIds.contains(a) && allIds.contains(b));
            String smaller = a.compareTo(b) < 0 ? a : b;
            String larger = a.compareTo(b) < 0 ? b : a;
            assertTrue(keptIds.contains(smaller) && !keptIds.contains(larger), "pair " + a + " / " + b);
            dropped.add(larger);
        }
        Set<String> lost = new HashSet<>(allIds);
        lost.removeAll(keptIds);
        assertEquals(dropped, lost, "nothing but the larger id of each pair is dropped");
    }

    @Test
    void shardsHaveEqualBytesWithinOneDocument() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("shards"));
        Path imdb = SharedData.head(SharedData.corpus("imdb-aclImdb-v1-unsup-50k.tsv.gz"), in.resolve("imdb.tsv.gz"),
                801, true);
        Path out = tmp.resolve("shards-out/documents");
        long target = 150_000;
        StageReport r = IngestStage.run(spark, new IngestStage.Options(List.of(SourceSpec.imdb("imdb",
                imdb.toString())), out.toString(), "en", 20, 1, target));
        assertAccounted(r);
        long total = num(r, "bytes_kept");
        int n = (int) ((total + target - 1) / target);
        assertEquals(n, num(r, "shards"));
        assertTrue(n >= 3, "several shards: " + n);
        // read each shard file back: its bytes, its doc_id range
        List<Path> files;
        try (var s = Files.list(out)) {
            files = s.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().collect(Collectors.toList());
        }
        assertEquals(n, files.size());
        long largest = 0;
        long[] bytes = new long[n];
        String previousLast = "";
        for (int i = 0; i < n; i++) {
            List<Row> rows = spark.read().parquet(files.get(i).toString()).collectAsList();
            String prev = null;
            for (Row row : rows) {
                long b = BalancedShards.documentBytes(row.<String>getList(3));
                bytes[i] += b;
                largest = Math.max(largest, b);
                String id = row.getString(0);
                assertTrue(prev == null || prev.compareTo(id) < 0, "sorted within a shard");
                assertTrue(previousLast.compareTo(id) < 0, "shards are consecutive doc_id ranges");
                prev = id;
            }
            previousLast = prev;
        }
        double mean = (double) total / n;
        for (int i = 0; i < n; i++) {
            assertTrue(Math.abs(bytes[i] - mean) <= largest, "shard " + i + ": " + bytes[i] + " vs mean " + mean);
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> sizes = (List<Map<String, Object>>) r.get("shard_sizes");
        for (int i = 0; i < n; i++) {
            assertEquals(bytes[i], ((Number) sizes.get(i).get("bytes")).longValue());
        }
    }

    /** Byte offsets of the bzip2 block headers (the 48-bit magic 0x314159265359, at any bit offset). */
    static List<Long> bzip2BlockStarts(byte[] b) {
        List<Long> out = new ArrayList<>();
        long window = 0;
        long mask = (1L << 48) - 1;
        for (long bit = 0; bit < 8L * b.length; bit++) {
            window = ((window << 1) | ((b[(int) (bit >>> 3)] >>> (7 - (bit & 7))) & 1)) & mask;
            if (bit >= 47 && window == 0x314159265359L) {
                out.add((bit - 47) >>> 3);
            }
        }
        return out;
    }

    /** The rows of an ingest output, sorted by doc_id, as comparable strings. */
    static List<String> outputRows(String output) {
        return spark.read().parquet(output).orderBy("doc_id").collectAsList().stream()
                .map(r -> r.getString(0) + "\t" + r.getString(1) + "\t" + r.getString(2) + "\t"
                        + String.join("\u001f", r.<String>getList(3)))
                .collect(Collectors.toList());
    }

    @Test
    void splitReadsGiveTheSameDocumentsAndAccountingAsWholeFiles() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("split-in"));
        Path labeled = SharedData.corpus("imdb-aclImdb-v1-labeled-50k.tsv.gz");
        Path tsv = IngestLanding.slice(labeled, in.resolve("imdb.tsv"), 0, 800, true, false);
        Path src = IngestLanding.slice(labeled, tmp.resolve("split-src/b.tsv"), 800, 1600, true, false);
        Path bz2 = in.resolve("imdb.tsv.bz2");
        try (OutputStream out = new BZip2CompressorOutputStream(Files.newOutputStream(bz2), 1)) { // 100k blocks
            Files.copy(src, out);
        }
        Path gz = IngestLanding.slice(labeled, in.resolve("imdb-gz.tsv.gz"), 1600, 2000, true, true);
        // a bzip2 file cut 5000 bytes into the first block that starts in its third split: the second split fails
        // reading its last line on into that block, the third reading the block; one problem for the file
        long split = 128 << 10;
        Path cutSrc = IngestLanding.slice(labeled, tmp.resolve("split-src/c.tsv"), 2000, 3000, true, false);
        ByteArrayOutputStream full = new ByteArrayOutputStream();
        try (OutputStream out = new BZip2CompressorOutputStream(full, 1)) {
            Files.copy(cutSrc, out);
        }
        long blockStart = bzip2BlockStarts(full.toByteArray()).stream().filter(p -> p > 2 * split).findFirst()
                .orElseThrow();
        assertTrue(blockStart < 3 * split - 5000, "block at " + blockStart);
        Files.write(in.resolve("cut.tsv.bz2"), Arrays.copyOf(full.toByteArray(), (int) blockStart + 5000));
        // and a binary file
        byte[] binary = new byte[300_000];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 31);
        }
        Files.write(in.resolve("binary.txt"), binary);
        List<String> reviews = imdbReviews(3000, 600);
        ObjectMapper json = new ObjectMapper();
        Path jsonl = in.resolve("reviews.jsonl");
        Path csv = in.resolve("reviews.csv");
        try (Writer j = Files.newBufferedWriter(jsonl); Writer c = Files.newBufferedWriter(csv)) {
            c.write("id,review,label\r\n");
            for (int i = 0; i < reviews.size(); i++) {
                j.write(json.writeValueAsString(Map.of("id", i, "text", reviews.get(i))) + "\n");
                if (i < 300) {
                    c.write(i + ",\"" + reviews.get(i).replace("\"", "\"\"") + "\",pos\r\n");
                }
            }
        }
        List<SourceSpec> specs = List.of(
                SourceSpec.imdb("imdb", in.resolve("*.tsv*").toString()),
                SourceSpec.lines("text", in.resolve("*.txt").toString()),
                SourceSpec.jsonLines("jsonl", jsonl.toString(), "text").withHtml(true),
                SourceSpec.csv("csv", csv.toString(), "review", ',').withSingleLineRecords(true).withHtml(true));
        IngestStage.Options whole = new IngestStage.Options(specs, tmp.resolve("split-whole/documents").toString(),
                "en", 20, 1, 1 << 20);
        StageReport a = IngestStage.run(spark, whole);
        StageReport b = IngestStage.run(spark, new IngestStage.Options(specs, tmp.resolve("split-cut/documents")
                .toString(), "en", 20, 1, 1 << 20).withSplitBytes(split));
        assertAccounted(a);
        assertAccounted(b);
        // identical documents, shards and accounting
        List<String> rowsA = outputRows((String) a.get("output"));
        assertTrue(rowsA.size() > 2500, "documents " + rowsA.size());
        assertEquals(rowsA, outputRows((String) b.get("output")));
        for (String k : List.of("files_read", "bytes_in", "documents_in", "documents_kept", "dropped",
                "duplicates_exact", "duplicates_near", "read_errors", "file_problems", "problem_files", "bytes_kept",
                "shard_sizes", "by_corpus")) {
            assertEquals(String.valueOf(a.get(k)), String.valueOf(b.get(k)), k);
        }
        assertEquals(Map.of("binary_file", 1L, "truncated", 1L), b.get("file_problems"), b.toJson());
        assertEquals(7L, num(a, "files_read"));
        // what was split: every file above 128 KiB but the gzip one
        assertEquals(0L, num(a, "splits"));
        assertEquals(7L, num(a, "read_tasks"));
        assertEquals(List.of(), a.get("unsplittable_files"));
        long splits = 0;
        int splitFiles = 0;
        for (Path f : List.of(tsv, bz2, in.resolve("cut.tsv.bz2"), in.resolve("binary.txt"), jsonl, csv)) {
            long n = (Files.size(f) + split - 1) / split;
            assertTrue(n >= 2, f + ": " + Files.size(f) + " bytes");
            splits += n;
            splitFiles++;
        }
        assertEquals(splits, num(b, "splits"));
        assertEquals(splitFiles, num(b, "split_files"));
        assertEquals(splits + 1, num(b, "read_tasks")); // + the gzip file, read whole
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> unsplittable = (List<Map<String, Object>>) b.get("unsplittable_files");
        assertEquals(1, unsplittable.size(), b.toJson());
        assertTrue(((String) unsplittable.get(0).get("file")).endsWith("imdb-gz.tsv.gz"));
        assertEquals(Files.size(gz), ((Number) unsplittable.get(0).get("bytes")).longValue());
        assertEquals("gzip is not splittable", unsplittable.get(0).get("reason"));
    }
}
