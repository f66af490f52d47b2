package dev.pretrain.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pretrain.jobs.spark.OutputMarker;
import dev.pretrain.jobs.spark.SparkSessions;

/**
 * Issue 15, part 3: no stage deletes what it did not write. An existing output folder that pretrain did not write
 * (no {@code _PRETRAIN_OUTPUT.json}) is left byte-identical and the command exits 2 naming it, for every stage and
 * the pipeline; a re-run over pretrain's own output replaces it; {@code --overwrite} replaces an unrelated folder.
 */
class OutputSafetyTest {
    @TempDir
    Path tmp;
    Path moby;
    Path home;
    Map<String, byte[]> homeBefore;

    @BeforeEach
    void setUp() throws IOException {
        moby = SharedData.head(SharedData.corpus("moby-dick.txt"), tmp.resolve("in/moby.txt"), 1500, false);
        // someone's folder: files at two levels, one of them binary, and a hidden one
        home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(home.resolve("notes.txt"), "do not delete\n");
        Files.createDirectories(home.resolve("thesis"));
        byte[] binary = new byte[4096];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 31 + 7);
        }
        Files.write(home.resolve("thesis/data.bin"), binary);
        Files.writeString(home.resolve(".profile"), "export X=1\n");
        homeBefore = tree(home);
    }

    /** Every regular file below {@code root} (relative path) with its bytes. */
    static Map<String, byte[]> tree(Path root) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    static void assertSameTree(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet(), "files");
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
    }

    /** Runs the CLI in-process; returns {exit code, stderr}. */
    static Object[] cli(String... args) {
        CliRun.Result r = CliRun.run(args);
        return new Object[] {r.code(), r.stderr()};
    }

    /** The one error line the CLI prints for {@code command}. */
    static String errorLine(String stderr, String command) {
        List<String> lines = stderr.lines().filter(l -> l.startsWith("pretrain " + command + ": error: ")).toList();
        assertEquals(1, lines.size(), stderr);
        return lines.get(0);
    }

    String[] ingest(Path output, String... extra) {
        List<String> a = new ArrayList<>(List.of("ingest", "--source",
                "name=moby,uri=" + moby + ",format=headings,heading=^CHAPTER \\d+", "--no-near-dup",
                "--output", output.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    static long documents(Path parquet) {
        SparkSession spark = SparkSessions.getOrCreate("test", "local[2]");
        try {
            return spark.read().parquet(parquet.toString()).count();
        } finally {
            spark.stop();
        }
    }

    static Map<?, ?> marker(Path folder) throws IOException {
        return new ObjectMapper().readValue(folder.resolve(OutputMarker.FILE).toFile(), Map.class);
    }

    @Test
    void ingestLeavesAnUnrelatedFolderIntactAndExits2() throws IOException {
        Object[] r = cli(ingest(home));
        assertEquals(2, r[0], (String) r[1]);
        String line = errorLine((String) r[1], "ingest");
        assertTrue(line.contains(home.toString()) && line.contains("not written by pretrain")
                && line.contains("--overwrite"), line);
        assertSameTree(homeBefore, tree(home));
        // nothing next to it either: no report, no temporary sibling
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("home", "in"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void everyStageAndThePipelineRefuseAnUnrelatedFolderBeforeDoingAnything() throws IOException {
        // The inputs need not exist: the output is checked first.
        String nope = tmp.resolve("nope").toString();
        String out = home.toString();
        List<String[]> commands = List.of(
                new String[] {"ingest-incremental", "--source", "name=m,uri=" + moby + ",format=line", "--output", out},
                new String[] {"vocab", "--documents", nope, "--output", out},
                new String[] {"tokenize", "--vocab", nope, "--input", nope, "--output", out},
                new String[] {"examples", "mlm", "--tokenized", nope, "--vocab", nope, "--output", out},
                new String[] {"examples", "skipgram", "--documents", nope, "--output", out},
                new String[] {"train-word2vec", "--documents", nope, "--output", out},
                new String[] {"train-bert", "--examples", nope, "--vocab", nope, "--output", out},
                new String[] {"evaluate", "--word2vec", nope, "--output", out},
                new String[] {"export", "--word2vec", nope, "--output", out},
                new String[] {"pipeline", "--output", out});
        for (String[] c : commands) {
            Object[] r = cli(c);
            String name = c[0].equals("examples") ? "examples " + c[1] : c[0];
            String command = c[0].equals("examples") ? c[1] : c[0];
            assertEquals(2, r[0], name + ": " + r[1]);
            String line = errorLine((String) r[1], command);
            assertTrue(line.contains(home.toString()) && line.contains("not written by pretrain"), name + ": " + line);
            assertSameTree(homeBefore, tree(home));
        }
    }

    @Test
    void aReRunReplacesItsOwnOutput() throws IOException {
        Path out = tmp.resolve("documents");
        assertEquals(0, cli(ingest(out))[0]);
        Map<?, ?> first = marker(out);
        assertEquals("ingest", first.get("stage"));
        assertEquals(OutputMarker.version(), first.get("version"));
        assertNotEquals("unknown", first.get("version"));
        long docs = documents(out);
        assertTrue(docs > 5, "chapters: " + docs);
        Files.writeString(out.resolve("stale.txt"), "left by an earlier run\n");

        Object[] again = cli(ingest(out));
        assertEquals(0, again[0], (String) again[1]);
        assertFalse(Files.exists(out.resolve("stale.txt")), "the old output was replaced as a whole");
        assertEquals(docs, documents(out));
        assertNotEquals(first.get("written_at"), marker(out).get("written_at"));
        // the report next to the output is replaced too, and no temporary sibling is left (.crc: Hadoop's checksums)
        assertTrue(Files.readString(tmp.resolve("ingest-report.json")).contains("\"stage\" : \"ingest\""));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("documents", "home", "in", "ingest-report.json"),
                    s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList());
        }
    }

    @Test
    void overwriteReplacesAnUnrelatedFolder() throws IOException {
        Object[] r = cli(ingest(home, "--overwrite"));
        assertEquals(0, r[0], (String) r[1]);
        assertFalse(Files.exists(home.resolve("notes.txt")));
        assertFalse(Files.exists(home.resolve("thesis")));
        assertEquals("ingest", marker(home).get("stage"));
        assertTrue(documents(home) > 5);
    }

    @Test
    void inPlaceStagesMarkTheirFolderAndReRunOverIt() throws IOException {
        Path text = Files.write(tmp.resolve("in/lines.txt"), Files.readAllLines(moby).subList(500, 1500));
        Path out = tmp.resolve("vocab");
        String[] vocab = {"vocab", "--text", text.toString(), "--output", out.toString(), "--size", "300",
                "--min-frequency", "1"};
        assertEquals(0, cli(vocab)[0]);
        assertEquals("vocab", marker(out).get("stage"));
        assertEquals("vocab", marker(out.resolve("word_counts")).get("stage"), "a committed sub-folder is marked");
        byte[] vocabTxt = Files.readAllBytes(out.resolve("vocab.txt"));
        assertEquals(0, cli(vocab)[0], "a re-run over its own output");
        assertArrayEquals(vocabTxt, Files.readAllBytes(out.resolve("vocab.txt")));

        // an unrelated folder where the stage commits a sub-folder is left intact too
        Path counts = out.resolve("word_counts");
        deleteTree(counts);
        Files.createDirectories(counts);
        Files.writeString(counts.resolve("mine.csv"), "a,1\n");
        Object[] r = cli(vocab);
        assertEquals(2, r[0], (String) r[1]);
        assertTrue(errorLine((String) r[1], "vocab").contains(counts.toString()), (String) r[1]);
        assertEquals("a,1\n", Files.readString(counts.resolve("mine.csv")));
        try (Stream<Path> s = Files.list(out)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".word_counts.tmp")),
                    "the refused temporary folder is cleaned up");
        }
    }

    @Test
    void aReportFileIsNeverWrittenOverAFolder() throws IOException {
        Path text = Files.write(tmp.resolve("in/lines.txt"), Files.readAllLines(moby).subList(500, 1000));
        Object[] r = cli("vocab", "--text", text.toString(), "--output", tmp.resolve("v").toString(), "--size", "200",
                "--min-frequency", "1", "--report", home.toString());
        assertEquals(2, r[0], (String) r[1]);
        assertTrue(errorLine((String) r[1], "vocab").contains(home.toString()), (String) r[1]);
        assertSameTree(homeBefore, tree(home));
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
