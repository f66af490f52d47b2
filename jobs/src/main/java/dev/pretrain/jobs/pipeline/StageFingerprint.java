package dev.pretrain.jobs.pipeline;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.pretrain.jobs.spark.HadoopFiles;

/**
 * What a pipeline stage's output was computed from, hashed: the idea of HF {@code datasets}' fingerprinted cache (a
 * transform's fingerprint hashes the previous fingerprint and the transform's arguments), applied to a stage.
 *
 * <p>{@link #sha256()} is the SHA-256 (64 lowercase hex digits) of the canonical JSON (object keys sorted, no
 * whitespace) of: the stage name, the config values the stage reads ({@code config}, snake_case keys as in the YAML),
 * the fingerprints of the stages whose outputs it reads ({@code inputs}, by stage name), the files outside the run it
 * reads ({@code files}: each file's qualified path, length in bytes and modification time in ms; a path that does not
 * exist is recorded as {@code "missing"}), and the code version ({@code version}, the Maven project version that
 * {@link dev.pretrain.jobs.spark.OutputMarker} writes). A change to any of them changes the fingerprint.
 */
public record StageFingerprint(String stage, JsonNode config, Map<String, String> inputs,
                               Map<String, Object> files, String version) {
    /** Canonical JSON: snake_case fields, sorted properties and map keys. */
    static final ObjectMapper CANONICAL = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    public StageFingerprint {
        inputs = new TreeMap<>(inputs);
        files = new TreeMap<>(files);
    }

    /**
     * The config values a stage reads, as a canonical JSON tree: {@code values} maps a name (a YAML section or key)
     * to a config object or value.
     */
    public static JsonNode config(Map<String, ?> values) {
        return CANONICAL.valueToTree(new TreeMap<>(values));
    }

    /** The hex SHA-256 of {@link #canonicalJson()}. */
    public String sha256() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(canonicalJson().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The hashed text: one JSON object with keys config, files, inputs, stage, version (sorted, compact). */
    public String canonicalJson() {
        Map<String, Object> m = new TreeMap<>();
        m.put("stage", stage);
        // re-read through the canonical mapper so that nested object keys are sorted too
        m.put("config", sorted(config));
        m.put("inputs", inputs);
        m.put("files", files);
        m.put("version", version);
        try {
            return CANONICAL.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("fingerprint of " + stage + " is not serializable", e);
        }
    }

    private static Object sorted(JsonNode node) {
        return CANONICAL.convertValue(node, Object.class);
    }

    /**
     * The identity of the files a stage reads from outside the run (sources, evaluation sets): for each path or
     * glob, every file it expands to (recursively, as {@link HadoopFiles#expand}) with its length and modification
     * time, or {@code "missing"}; null and blank paths are skipped.
     *
     * @throws UncheckedIOException if a file system cannot be listed
     */
    public static Map<String, Object> files(List<String> paths, Configuration conf) {
        Map<String, Object> out = new TreeMap<>();
        for (String p : paths) {
            if (p == null || p.isBlank()) {
                continue;
            }
            Path path = new Path(p);
            FileSystem fs = HadoopFiles.fs(path, conf);
            try {
                FileStatus[] matches = fs.globStatus(path);
                if (matches == null || matches.length == 0) {
                    out.put(p, "missing");
                    continue;
                }
                List<FileStatus> found = new ArrayList<>();
                for (FileStatus st : matches) {
                    if (st.isDirectory()) {
                        HadoopFiles.collectFiles(fs, st, found);
                    } else {
                        found.add(st);
                    }
                }
                Map<String, Object> each = new TreeMap<>();
                for (FileStatus st : found) {
                    each.put(st.getPath().toString(), List.of(st.getLen(), st.getModificationTime()));
                }
                out.put(p, each);
            } catch (FileNotFoundException e) {
                out.put(p, "missing");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + p + " for the fingerprint", e);
            }
        }
        return out;
    }
}
