package dev.pretrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pretrain.jobs.cli.PretrainCli;

/** {@code pretrain ingest-incremental}: help, a first run, and a second run that finds nothing new. */
class IngestIncrementalCliTest {
    @TempDir
    Path tmp;

    private static String stdout(int[] code, String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            code[0] = PretrainCli.execute(args);
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** The report: the JSON object printed last (stages may print progress lines before it). */
    private static String report(String stdout) {
        int at = stdout.startsWith("{") ? 0 : stdout.lastIndexOf("\n{\n") + 1;
        return stdout.substring(at);
    }

    @Test
    void helpAndTwoRuns() throws IOException {
        int[] code = new int[1];
        String help = stdout(code, "ingest-incremental", "--help");
        assertEquals(0, code[0]);
        assertTrue(help.startsWith("Usage: pretrain ingest-incremental") && help.contains("--min-file-age-s"), help);

        Path landing = tmp.resolve("landing");
        IngestLanding.slice(SharedData.corpus("lee_background.cor"), landing.resolve("lee-1.cor"), 0, 40, false, false);
        String[] args = {"ingest-incremental", "--source", "name=lee,uri=" + landing + ",format=line",
                "--output", tmp.resolve("out").toString(), "--report", tmp.resolve("report.json").toString()};
        ObjectMapper json = new ObjectMapper();
        Map<?, ?> first = json.readValue(report(stdout(code, args)), Map.class);
        assertEquals(0, code[0]);
        assertEquals(0, first.get("batch"));
        assertEquals(1, first.get("files_new"));
        assertEquals(40, ((Number) first.get("documents_committed")).intValue(), "Lee: one document per line");
        assertTrue(Files.isDirectory(tmp.resolve("out/batch=0")));

        Map<?, ?> second = json.readValue(report(stdout(code, args)), Map.class);
        assertEquals(0, code[0]);
        assertEquals(null, second.get("batch"));
        assertEquals(1, second.get("files_already_ingested"));
        assertEquals(second, json.readValue(tmp.resolve("report.json").toFile(), Map.class));
    }
}
