package dev.pretrain.jobs.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;

import com.fasterxml.jackson.core.type.TypeReference;

import dev.pretrain.jobs.spark.HadoopFiles;

/**
 * The completion marker of a pipeline stage: {@value #FILE} in the stage's output folder, written by the pipeline
 * (atomically, {@link HadoopFiles#writeString}) after the stage returned and its report was written, and deleted
 * before the stage runs again. Its presence therefore means the stage finished: a folder left by a killed run has
 * none. It holds the stage's {@link StageFingerprint}: {@code fingerprint} (the SHA-256), and for a person reading it,
 * {@code stage}, {@code version}, {@code inputs}, {@code config} and {@code written_at}. The name starts with '_' so
 * that Spark, Parquet and {@link HadoopFiles#collectFiles} skip it.
 */
public final class StageCompletion {
    /** The marker's file name. */
    public static final String FILE = "_PRETRAIN_FINGERPRINT.json";

    private StageCompletion() {}

    public static String file(String folder) {
        return HadoopFiles.join(folder, FILE);
    }

    /** Writes the marker of a finished stage into {@code folder}. */
    public static void write(String folder, StageFingerprint f, Configuration conf) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", f.stage());
        m.put("fingerprint", f.sha256());
        m.put("version", f.version());
        m.put("inputs", f.inputs());
        m.put("config", f.config());
        m.put("files", f.files());
        m.put("written_at", Instant.now().toString());
        try {
            HadoopFiles.writeString(file(folder), conf,
                    StageFingerprint.CANONICAL.writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file(folder), e);
        }
    }

    /** Deletes the marker in {@code folder}, if any: the stage is about to run again. */
    public static void clear(String folder, Configuration conf) {
        if (HadoopFiles.exists(file(folder), conf)) {
            HadoopFiles.delete(file(folder), conf);
            if (HadoopFiles.exists(file(folder), conf)) {
                throw new IllegalStateException("cannot delete the completion marker " + file(folder));
            }
        }
    }

    /**
     * The marker in {@code folder} as a map ({@code fingerprint}, {@code config}, {@code inputs}, {@code files},
     * {@code version}, ...), or null when there is none (the stage never finished there) or it cannot be parsed
     * (then the stage does not count as finished either).
     */
    public static Map<String, Object> readAll(String folder, Configuration conf) {
        String f = file(folder);
        if (!HadoopFiles.exists(f, conf)) {
            return null;
        }
        try {
            Map<String, Object> m = StageFingerprint.CANONICAL.readValue(HadoopFiles.readString(f, conf),
                    new TypeReference<Map<String, Object>>() {});
            return m != null && m.get("fingerprint") instanceof String ? m : null;
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }
}
