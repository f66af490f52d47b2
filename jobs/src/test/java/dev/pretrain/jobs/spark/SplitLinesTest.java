package dev.pretrain.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pretrain.corpus.ingest.BoundedLines;
import dev.pretrain.corpus.ingest.SourceReader;
import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.jobs.IngestLanding;
import dev.pretrain.jobs.SharedData;
import dev.pretrain.jobs.stages.IngestSplits;

/**
 * Byte-range splits read with Hadoop's LineRecordReader give, together, exactly the lines that the whole-file reader
 * ({@link BoundedLines}) gives: on a slice of the real IMDB TSV, uncompressed and bzip2'd, and on a small file of
 * edge cases cut at every byte; and how {@link IngestSplits} plans the splits.
 */
class SplitLinesTest {
    @TempDir
    static Path tmp;
    static final Configuration CONF = new Configuration();

    /** The lines of the whole file as the stream reader sees them (bzip2 decoded by Commons Compress). */
    static List<String> wholeLines(Path file, int maxChars) throws IOException {
        List<String> out = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".bz2") ? new BZip2CompressorInputStream(raw, true) : raw) {
            new BoundedLines(SourceReader.utf8(in), file.toString(), maxChars).forEachRemaining(out::add);
        }
        return out;
    }

    /** The lines of every split of {@code splitBytes}, in order, and the number of splits. */
    static List<String> splitLines(Path file, long splitBytes, int maxChars, int[] splits) throws IOException {
        long len = Files.size(file);
        List<IngestSplits.ReadTask> tasks = IngestSplits.tasks(0, file.toString(), len, splitBytes, true);
        List<String> out = new ArrayList<>();
        for (IngestSplits.ReadTask t : tasks) {
            try (SplitLines lines = new SplitLines(t.file(), t.start(), t.length(), CONF, maxChars)) {
                lines.forEachRemaining(out::add);
            }
        }
        splits[0] = tasks.size();
        return out;
    }

    @Test
    void splitsOfARealTsvAndItsBzip2GiveEveryLineOnce() throws IOException {
        Path tsv = IngestLanding.slice(SharedData.corpus("imdb-aclImdb-v1-labeled-50k.tsv.gz"),
                tmp.resolve("imdb.tsv"), 0, 1500, true, false);
        Path bz2 = tmp.resolve("imdb.tsv.bz2");
        try (OutputStream out = new BZip2CompressorOutputStream(Files.newOutputStream(bz2), 1)) { // 100k blocks
            Files.copy(tsv, out);
        }
        List<String> expected = wholeLines(tsv, 1_000_000);
        assertEquals(1501, expected.size());
        assertEquals(expected, wholeLines(bz2, 1_000_000));
        int[] n = new int[1];
        for (long split : new long[] {65_537, 100_000, 333_333, 1 << 20}) {
            assertEquals(expected, splitLines(tsv, split, 1_000_000, n), "tsv, splits of " + split);
            assertTrue(n[0] == (Files.size(tsv) + split - 1) / split && n[0] > 1, "splits " + n[0]);
            assertEquals(expected, splitLines(bz2, split / 3, 1_000_000, n), "bz2, splits of " + split / 3);
            assertTrue(n[0] > 1, "bz2 splits " + n[0]);
        }
        // lines over the cap come cut to cap + 1 chars, as from the stream reader
        assertEquals(wholeLines(tsv, 500), splitLines(tsv, 100_000, 500, n));
        assertEquals(wholeLines(bz2, 500), splitLines(bz2, 30_000, 500, n));
    }

    @Test
    void everyCutOfASmallFileOfEdgeCases() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}); // a BOM
        b.writeBytes("first line\r\nsecond\rline with a lone CR\n\n\nshort\n".getBytes(StandardCharsets.UTF_8));
        b.writeBytes(new byte[] {'b', 'a', 'd', (byte) 0xC3, '\n', (byte) 0xE2, (byte) 0x82, 'x', '\n'}); // bad UTF-8
        b.writeBytes("caf\u00e9 \u00fcber \ud83d\ude00 emoji\n".getBytes(StandardCharsets.UTF_8));
        b.writeBytes(("a long line " + "0123456789".repeat(8) + "\n").getBytes(StandardCharsets.UTF_8));
        b.writeBytes("last line without a newline".getBytes(StandardCharsets.UTF_8));
        Path file = tmp.resolve("edge.txt");
        Files.write(file, b.toByteArray());
        List<String> expected = wholeLines(file, 40);
        assertEquals("first line\r", expected.get(0)); // the BOM is gone, the CR stays
        assertEquals(41, expected.get(expected.size() - 2).length()); // the long line cut to 40 + 1
        int[] n = new int[1];
        for (long split = 1; split <= b.size(); split++) {
            assertEquals(expected, splitLines(file, split, 40, n), "splits of " + split);
        }
    }

    @Test
    void aTruncatedBzip2SplitFailsNamingTheFile() throws IOException {
        Path tsv = IngestLanding.slice(SharedData.corpus("imdb-aclImdb-v1-labeled-50k.tsv.gz"),
                tmp.resolve("cut-src.tsv"), 0, 600, true, false);
        ByteArrayOutputStream full = new ByteArrayOutputStream();
        try (OutputStream out = new BZip2CompressorOutputStream(full, 1)) {
            Files.copy(tsv, out);
        }
        Path cut = tmp.resolve("cut.tsv.bz2");
        Files.write(cut, java.util.Arrays.copyOf(full.toByteArray(), full.size() * 2 / 3));
        long len = Files.size(cut);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> {
            try (SplitLines lines = new SplitLines(cut.toString(), len / 2, len - len / 2, CONF, 1000)) {
                lines.forEachRemaining(l -> { });
            }
        });
        assertTrue(e.getMessage().contains("cut.tsv.bz2") && e.getMessage().contains("unexpected end"),
                e.getMessage());
    }

    @Test
    void planningSplitsOnlyLineSplittableSplittableCompression() {
        List<IngestSplits.ReadTask> t = IngestSplits.tasks(3, "f.txt", 1000, 300, true);
        assertEquals(4, t.size());
        long next = 0;
        for (int i = 0; i < t.size(); i++) {
            assertEquals(next, t.get(i).start());
            assertEquals(i, t.get(i).split());
            assertEquals(4, t.get(i).splits());
            assertEquals(3, t.get(i).spec());
            next += t.get(i).length();
        }
        assertEquals(1000, next);
        assertEquals(1, IngestSplits.tasks(0, "f.txt", 300, 300, true).size());
        assertTrue(IngestSplits.tasks(0, "f.txt", 300, 300, true).get(0).wholeFile());
        assertEquals(1, IngestSplits.tasks(0, "f.gz", 1000, 300, false).size());

        SourceSpec lines = SourceSpec.lines("l", "u");
        assertNull(IngestSplits.unsplittableReason(lines, "/d/a.txt", CONF));
        assertNull(IngestSplits.unsplittableReason(lines, "/d/a.txt.bz2", CONF));
        assertNull(IngestSplits.unsplittableReason(SourceSpec.jsonLines("j", "u", "text"), "a.jsonl", CONF));
        assertNull(IngestSplits.unsplittableReason(SourceSpec.imdb("i", "u"), "a.tsv", CONF));
        assertEquals("gzip is not splittable", IngestSplits.unsplittableReason(lines, "/d/a.txt.gz", CONF));
        assertEquals("zstd is not splittable", IngestSplits.unsplittableReason(lines, "a.jsonl.zst", CONF));
        assertEquals("deflate is not splittable", IngestSplits.unsplittableReason(lines, "a.deflate", CONF));
        SourceSpec csv = SourceSpec.csv("c", "u", "review", ',');
        assertTrue(IngestSplits.unsplittableReason(csv, "a.csv", CONF).contains("single_line_records"));
        assertNull(IngestSplits.unsplittableReason(csv.withSingleLineRecords(true), "a.csv", CONF));
        assertEquals("format wikipedia_xml has documents that span lines",
                IngestSplits.unsplittableReason(SourceSpec.wikipediaXml("w", "u"), "w.xml.bz2", CONF));
        assertEquals("format headings has documents that span lines",
                IngestSplits.unsplittableReason(SourceSpec.wikitext("w", "u"), "w.raw", CONF));
        assertThrows(IllegalArgumentException.class, () -> IngestSplits.tasks(0, "f", 10, 0, true));
    }
}
