package dev.pretrain.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pretrain.corpus.tokenize.BertTokenizer;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.jobs.cli.PretrainCli;

/** The command line: every stage documents itself, bad input fails clearly, tokenize's text contract. */
class CliTest {
    @TempDir
    Path tmp;

    private static String capture(boolean err, Runnable r) {
        PrintStream old = err ? System.err : System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        if (err) {
            System.setErr(ps);
        } else {
            System.setOut(ps);
        }
        try {
            r.run();
        } finally {
            if (err) {
                System.setErr(old);
            } else {
                System.setOut(old);
            }
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ingest", "vocab", "tokenize", "examples mlm", "examples skipgram", "train-word2vec",
            "train-bert", "evaluate", "export", "pipeline"})
    void everyStageHasHelp(String command) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.add("--help");
        int[] code = new int[1];
        String out = capture(false, () -> code[0] = PretrainCli.execute(args.toArray(String[]::new)));
        assertEquals(0, code[0]);
        assertTrue(out.startsWith("Usage: pretrain " + command), out);
        assertTrue(out.contains("--output") || out.contains("--config"), out);
    }

    @Test
    void missingInputIsAClearError() {
        int[] code = new int[1];
        String err = capture(true, () -> code[0] = PretrainCli.execute("ingest",
                "--source", "name=x,uri=" + tmp.resolve("nope.txt") + ",format=line",
                "--output", tmp.resolve("out").toString()));
        assertEquals(2, code[0]);
        assertTrue(err.contains("input not found") && err.contains("nope.txt"), err);
    }

    @Test
    void tokenizeIdsTextKeepsLineOrder() throws IOException {
        Path vocabFile = SharedData.DATA.resolve("bert/bert-base-uncased-vocab.txt");
        List<String> lines = Files.readAllLines(SharedData.DATA.resolve("bert/sample_text.txt"));
        Path input = Files.write(tmp.resolve("in.txt"), lines);
        Path out = tmp.resolve("ids");
        int code = PretrainCli.execute("tokenize", "--vocab", vocabFile.toString(), "--input", input.toString(),
                "--output", out.toString(), "--ids-text");
        assertEquals(0, code);
        List<String> got = new ArrayList<>();
        try (Stream<Path> parts = Files.list(out)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
                got.addAll(Files.readAllLines(p));
            }
        }
        BertTokenizer tok = new BertTokenizer(Vocab.read(new StringReader(Files.readString(vocabFile))), true);
        assertEquals(lines.size(), got.size());
        for (int i = 0; i < lines.size(); i++) {
            int[] expected = tok.encode(lines.get(i));
            int[] actual = got.get(i).isEmpty() ? new int[0]
                    : Stream.of(got.get(i).split(" ")).mapToInt(Integer::parseInt).toArray();
            assertArrayEquals(expected, actual, "line " + i);
        }
    }
}
