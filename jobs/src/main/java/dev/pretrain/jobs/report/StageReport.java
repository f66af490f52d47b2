package dev.pretrain.jobs.report;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.pretrain.jobs.spark.HadoopFiles;

/**
 * What one stage did: its inputs and outputs, counts, metrics and wall time, kept in insertion
 * order and written as {@code <stage>.json}. The pipeline gathers every stage's report into
 * {@code report.json}.
 */
public final class StageReport {
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final String stage;
    private final long startNanos = System.nanoTime();
    private final Map<String, Object> values = new LinkedHashMap<>();

    public StageReport(String stage) {
        this.stage = stage;
        values.put("stage", stage);
        values.put("started_at", Instant.now().toString());
    }

    public String stage() {
        return stage;
    }

    /** Records a value (numbers, strings, lists and maps of them); returns this. */
    public StageReport put(String key, Object value) {
        values.put(key, value);
        return this;
    }

    /** A nested section, created on first use. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> section(String key) {
        return (Map<String, Object>) values.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
    }

    public Object get(String key) {
        return values.get(key);
    }

    /** Stops the clock: records {@code seconds} of wall time since construction. */
    public StageReport finish() {
        values.put("seconds", Math.round((System.nanoTime() - startNanos) / 1e7) / 100.0);
        return this;
    }

    public double seconds() {
        Object s = values.get("seconds");
        return s instanceof Number n ? n.doubleValue() : (System.nanoTime() - startNanos) / 1e9;
    }

    public Map<String, Object> values() {
        return values;
    }

    public String toJson() {
        return toJson(values);
    }

    public static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("report is not serializable as JSON", e);
        }
    }

    /** Writes {@code <dir>/<stage>.json} atomically. */
    public void write(String dir, Configuration conf) {
        HadoopFiles.writeString(HadoopFiles.join(dir, stage + ".json"), conf, toJson() + "\n");
    }
}
