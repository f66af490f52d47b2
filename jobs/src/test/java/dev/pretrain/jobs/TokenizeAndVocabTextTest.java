package dev.pretrain.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pretrain.corpus.tokenize.BasicTokenizer;
import dev.pretrain.corpus.tokenize.BertTokenizer;
import dev.pretrain.corpus.tokenize.SpecialTokens;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.corpus.tokenize.WordPieceTrainer;
import dev.pretrain.jobs.cli.PretrainCli;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.SparkSessions;
import dev.pretrain.jobs.stages.TokenizeStage;
import dev.pretrain.jobs.stages.VocabStage;

/**
 * tokenize --ids-text splits lines on '\n' only (as HF's harness does: a lone '\r' is no line break, CRLF's '\r'
 * stays in the line), across partitions, with malformed UTF-8 and NUL bytes; vocab over a text file.
 */
class TokenizeAndVocabTextTest {
    @TempDir
    Path tmp;

    /** A file mixing lone '\r', CRLF, empty lines, malformed UTF-8 and NUL bytes, ~40 KB. */
    private static byte[] awkwardBytes() throws IOException {
        List<String> base = Files.readAllLines(SharedData.DATA.resolve("bert/sample_text.txt"), StandardCharsets.UTF_8);
        Random rnd = new Random(7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[][] oddities = {
            {'\r'}, {'\r', '\n'}, {'\n'}, {'\n', '\n'}, {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82}, {0}, {0, 0},
            {(byte) 0xC3}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "caf\u00e9 \u00c9T\u00c9".getBytes(StandardCharsets.UTF_8),
        };
        while (out.size() < 40_000) {
            String line = base.get(rnd.nextInt(base.size()));
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            int cut = b.length == 0 ? 0 : rnd.nextInt(b.length + 1);
            out.write(b, 0, cut);
            out.write(oddities[rnd.nextInt(oddities.length)]);
            out.write(b, cut, b.length - cut);
            out.write(rnd.nextInt(5) == 0 ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
        }
        out.write("last line without newline\rstill the same line".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** The '\n'-split lines as HF's harness reads them (one trailing '\n' dropped, then split), decoded. */
    private static List<String> splitOnLf(byte[] bytes) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                lines.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            lines.add(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8));
        }
        return lines;
    }

    private static List<String> readParts(Path dir) throws IOException {
        List<String> got = new ArrayList<>();
        try (Stream<Path> parts = Files.list(dir)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
                // read as bytes split on '\n': the output itself must not contain any other line break
                got.addAll(splitOnLf(Files.readAllBytes(p)));
            }
        }
        return got;
    }

    private static void assertIds(List<String> lines, List<String> got, BertTokenizer tok) {
        assertEquals(lines.size(), got.size(), "line count");
        for (int i = 0; i < lines.size(); i++) {
            int[] expected = tok.encode(lines.get(i));
            int[] actual = got.get(i).isEmpty() ? new int[0]
                    : Stream.of(got.get(i).split(" ")).mapToInt(Integer::parseInt).toArray();
            assertArrayEquals(expected, actual, "line " + i);
        }
    }

    @Test
    void idsTextSplitsOnLineFeedOnlyAcrossPartitions() throws IOException {
        Path vocabFile = SharedData.DATA.resolve("bert/bert-base-uncased-vocab.txt");
        BertTokenizer tok = new BertTokenizer(Vocab.read(new StringReader(Files.readString(vocabFile))), true);
        byte[] bytes = awkwardBytes();
        Path input = Files.write(tmp.resolve("awkward.txt"), bytes);
        List<String> lines = splitOnLf(bytes);
        long lone = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\r' && (i + 1 == bytes.length || bytes[i + 1] != '\n')) {
                lone++;
            }
        }
        assertTrue(lone > 10, "the file has lone CRs: " + lone);

        // the real CLI (one partition for so small a file)
        Path out = tmp.resolve("cli");
        int code = PretrainCli.execute("tokenize", "--vocab", vocabFile.toString(), "--input", input.toString(),
                "--output", out.toString(), "--ids-text");
        assertEquals(0, code);
        assertIds(lines, readParts(out), tok);

        // the stage with small file splits: boundaries fall anywhere, including between '\r' and '\n'
        SparkSession spark = SparkSessions.getOrCreate("test", "local[2]");
        try {
            spark.conf().set("spark.sql.files.maxPartitionBytes", "3000");
            spark.conf().set("spark.sql.files.openCostInBytes", "0");
            Path out2 = tmp.resolve("split");
            StageReport r = TokenizeStage.run(spark, new TokenizeStage.Options(input.toString(), vocabFile.toString(),
                    out2.toString(), true, 100, true));
            long parts;
            try (Stream<Path> s = Files.list(out2)) {
                parts = s.filter(p -> p.getFileName().toString().startsWith("part-")).count();
            }
            assertTrue(parts > 5, "partitions: " + parts);
            assertIds(lines, readParts(out2), tok);
            assertTrue(r.toJson().replace(" ", "").contains("\"lines\":" + lines.size() + ","), r.toJson());
        } finally {
            spark.conf().unset("spark.sql.files.maxPartitionBytes");
            spark.conf().unset("spark.sql.files.openCostInBytes");
            spark.stop();
        }
    }

    @Test
    void vocabFromTextFileWithEitherAlgorithm() throws IOException {
        List<String> lines = Files.readAllLines(SharedData.corpus("moby-dick.txt"), StandardCharsets.UTF_8)
                .subList(0, 4000);
        Path input = Files.write(tmp.resolve("moby.txt"), lines);
        BasicTokenizer basic = new BasicTokenizer(true);
        Map<String, Long> counts = new HashMap<>();
        for (String l : lines) {
            for (String w : basic.tokenize(l)) {
                counts.merge(w, 1L, Long::sum);
            }
        }
        long words = counts.values().stream().mapToLong(Long::longValue).sum();
        for (String alg : List.of("bpe", "likelihood")) {
            Path out = tmp.resolve("vocab-" + alg);
            Path report = tmp.resolve("report-" + alg + ".json");
            int code = PretrainCli.execute("vocab", "--text", input.toString(), "--output", out.toString(),
                    "--size", "2000", "--min-frequency", "1", "--algorithm", alg, "--report", report.toString());
            assertEquals(0, code);
            String json = Files.readString(report).replace(" ", "");
            assertTrue(json.contains("\"words\":" + words + ",") && json.contains("\"distinct_words\":" + counts.size() + ",")
                    && json.contains("\"algorithm\":\"" + alg + "\""), json);
            // the same vocabulary as the trainer on the directly counted words
            List<String> expected = new WordPieceTrainer(2000, 1, SpecialTokens.bertDefaults(), 0,
                    WordPieceTrainer.Algorithm.parse(alg)).train(counts);
            assertEquals(expected, Files.readAllLines(out.resolve("vocab.txt"), StandardCharsets.UTF_8), alg);
        }
        // word_counts/: every word with its count, most frequent first, ties by word
        SparkSession spark = SparkSessions.getOrCreate("test", "local[2]");
        try {
            List<org.apache.spark.sql.Row> rows = spark.read().parquet(tmp.resolve("vocab-bpe/word_counts").toString())
                    .collectAsList();
            assertEquals(counts.size(), rows.size());
            for (int i = 0; i < rows.size(); i++) {
                String w = rows.get(i).getString(0);
                long c = rows.get(i).getLong(1);
                assertEquals(counts.get(w), c, w);
                if (i > 0) {
                    long pc = rows.get(i - 1).getLong(1);
                    assertTrue(pc > c || (pc == c && rows.get(i - 1).getString(0).compareTo(w) < 0), "order at " + i);
                }
            }
        } finally {
            spark.stop();
        }
        int bad = PretrainCli.execute("vocab", "--text", input.toString(), "--output", tmp.resolve("x").toString(),
                "--algorithm", "unigram");
        assertTrue(bad != 0);
    }
}
