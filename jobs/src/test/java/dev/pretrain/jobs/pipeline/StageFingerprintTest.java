package dev.pretrain.jobs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stage fingerprint: canonical JSON, its SHA-256, what changes it; the completion marker's life cycle. */
class StageFingerprintTest {
    @TempDir
    Path tmp;

    private static StageFingerprint vocab(Map<String, Object> section, String ingest, String version) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("seed", 7);
        cfg.put("a", section);
        return new StageFingerprint("vocab", StageFingerprint.config(cfg), Map.of("ingest", ingest), Map.of(), version);
    }

    @Test
    void canonicalJsonAndItsSha256() {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("y", List.of(2, 3)); // inserted out of order: the canonical form sorts keys
        section.put("x", 1);
        StageFingerprint f = vocab(section, "abc", "1.0");
        String json = "{\"config\":{\"a\":{\"x\":1,\"y\":[2,3]},\"seed\":7},\"files\":{},\"inputs\":{\"ingest\":\"abc\"},"
                + "\"stage\":\"vocab\",\"version\":\"1.0\"}";
        assertEquals(json, f.canonicalJson());
        // `printf '%s' "$json" | sha256sum` (coreutils), computed outside this code
        assertEquals("6dac2cca12d3d8e1a3cecb37f72d4eedcd42940015eb4d46fea68d8fbfcac646", f.sha256());
    }

    @Test
    void everyComponentChangesTheFingerprint() {
        Map<String, Object> section = Map.of("x", 1, "y", List.of(2, 3));
        String base = vocab(section, "abc", "1.0").sha256();
        assertEquals(base, vocab(new LinkedHashMap<>(section), "abc", "1.0").sha256(), "same values, same fingerprint");
        assertNotEquals(base, vocab(Map.of("x", 2, "y", List.of(2, 3)), "abc", "1.0").sha256(), "config value");
        assertNotEquals(base, vocab(Map.of("x", 1, "y", List.of(3, 2)), "abc", "1.0").sha256(), "list order");
        assertNotEquals(base, vocab(section, "abd", "1.0").sha256(), "input fingerprint");
        assertNotEquals(base, vocab(section, "abc", "1.1").sha256(), "code version");
        StageFingerprint other = new StageFingerprint("tokenize", vocab(section, "abc", "1.0").config(),
                Map.of("ingest", "abc"), Map.of(), "1.0");
        assertNotEquals(base, other.sha256(), "stage name");
    }

    @Test
    void configSectionsUseTheYamlKeys() {
        PipelineConfig.Word2Vec w = new PipelineConfig.Word2Vec();
        String json = StageFingerprint.config(Map.of("word2vec", w)).toString();
        assertTrue(json.contains("\"min_count\":5") && json.contains("\"rounds_per_epoch\":16"), json);
        w.minCount = 6;
        assertNotEquals(json, StageFingerprint.config(Map.of("word2vec", w)).toString());
    }

    @Test
    void outsideFilesByLengthAndModificationTime() throws IOException {
        Configuration conf = new Configuration();
        Path f = Files.writeString(tmp.resolve("a.txt"), "hello");
        String missing = tmp.resolve("none.txt").toString();
        Map<String, Object> files = StageFingerprint.files(java.util.Arrays.asList(f.toString(), missing, null), conf);
        assertEquals("missing", files.get(missing));
        Map<?, ?> a = (Map<?, ?>) files.get(f.toString());
        assertEquals(1, a.size());
        assertEquals(List.of(5L, Files.getLastModifiedTime(f).toMillis()), a.values().iterator().next());
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() - 60_000));
        assertNotEquals(files, StageFingerprint.files(List.of(f.toString(), missing), conf), "touched file");
    }

    @Test
    void completionMarkerIsWrittenReadAndCleared() {
        Configuration conf = new Configuration();
        String folder = tmp.resolve("stage").toString();
        assertNull(StageCompletion.readAll(folder, conf), "no marker: not finished");
        StageFingerprint f = vocab(Map.of("x", 1), "abc", "1.0");
        StageCompletion.write(folder, f, conf);
        Map<String, Object> m = StageCompletion.readAll(folder, conf);
        assertEquals(f.sha256(), m.get("fingerprint"));
        assertEquals("vocab", m.get("stage"));
        StageCompletion.clear(folder, conf);
        assertNull(StageCompletion.readAll(folder, conf));
    }
}
