package dev.pretrain.jobs.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

import org.apache.hadoop.conf.Configuration;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;

import org.apache.spark.SparkContext;

import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.report.TaskFailureCounter;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.OutputMarker;

/**
 * Runs the pipeline's stages one by one and decides, with {@code --resume}, which ones to reuse.
 *
 * <p>A stage is reused when (1) no stage whose output it reads ran in this run, (2) its output folder holds a
 * {@link StageCompletion} marker (the stage finished there), (3) the marker's fingerprint equals the stage's
 * {@link StageFingerprint} now (config section, inputs' fingerprints, outside files, code version), and (4) its
 * report {@code reports/<stage>.json} can be read back. A reused stage's report enters {@code report.json} with
 * {@code "reused": true}; its output and report files are left untouched. Otherwise the stage runs (its marker is
 * deleted first, and written again once it finished and its report is written), and so does every later stage
 * that reads its output. Without {@code --resume} every stage runs, and markers are still written so that a later
 * run can resume.
 */
final class StageRunner {
    private final RunLayout run;
    private final Configuration hconf;
    private final boolean resume;
    private final TaskFailureCounter tasks;
    private final SparkContext sc;
    private final Map<String, String> fingerprints = new HashMap<>();
    private final Set<String> ran = new HashSet<>();
    private final List<String> reused = new ArrayList<>();
    private final Map<String, Object> reports = new LinkedHashMap<>();

    StageRunner(RunLayout run, Configuration hconf, boolean resume) {
        this(run, hconf, resume, null, null);
    }

    /**
     * @param tasks a counter installed on {@code sc}: each stage that runs gets its failed and retried tasks and its
     *              lost executors in its report's {@code tasks} section ({@link TaskFailureCounter}); null: none
     */
    StageRunner(RunLayout run, Configuration hconf, boolean resume, SparkContext sc, TaskFailureCounter tasks) {
        this.run = run;
        this.hconf = hconf;
        this.resume = resume;
        this.sc = sc;
        this.tasks = tasks;
    }

    /** Every stage's report so far, in order, by stage name. */
    Map<String, Object> reports() {
        return reports;
    }

    /** The stages reused so far, in order. */
    List<String> reused() {
        return reused;
    }

    /**
     * Runs (or, with resume, reuses) one stage.
     *
     * @param stage  the stage name, as its report names it
     * @param folder the stage's output folder, where its completion marker lives
     * @param inputs the stages whose outputs it reads (each must have run or been reused before)
     * @param config the config values it reads ({@link StageFingerprint#config})
     * @param files  the files outside the run it reads ({@link StageFingerprint#files})
     * @param body   runs the stage, given its fingerprint (hex SHA-256); returns its finished report
     */
    void stage(String stage, String folder, List<String> inputs, JsonNode config, Map<String, Object> files,
               Function<String, StageReport> body) {
        Map<String, String> in = new LinkedHashMap<>();
        for (String i : inputs) {
            String f = fingerprints.get(i);
            if (f == null) {
                throw new IllegalStateException("stage " + stage + " reads " + i + ", which has not run before it");
            }
            in.put(i, f);
        }
        StageFingerprint fp = new StageFingerprint(stage, config, in, files, OutputMarker.version());
        String sha = fp.sha256();
        if (resume) {
            String why = whyNotReusable(stage, folder, inputs, fp, sha);
            if (why == null) {
                Map<String, Object> report = readReport(stage);
                report.put("reused", true);
                reports.put(stage, report);
                reused.add(stage);
                fingerprints.put(stage, sha);
                System.out.printf("[pipeline] %s reused (fingerprint %s)%n", stage, sha.substring(0, 12));
                return;
            }
            System.out.printf("[pipeline] %s runs: %s%n", stage, why);
        }
        StageCompletion.clear(folder, hconf);
        TaskFailureCounter.Counts before = tasks == null ? null : countTasks();
        StageReport r = body.apply(sha);
        if (!stage.equals(r.stage())) {
            throw new IllegalStateException("stage " + stage + " returned the report of " + r.stage());
        }
        if (tasks != null) {
            r.put("tasks", countTasks().minus(before).toReport());
        }
        r.write(run.reports(), hconf);
        reports.put(stage, r.values());
        StageCompletion.write(folder, fp, hconf);
        fingerprints.put(stage, sha);
        ran.add(stage);
        System.out.printf("[pipeline] %s done in %.1f s%n", stage, r.seconds());
    }

    private TaskFailureCounter.Counts countTasks() {
        if (sc != null) {
            TaskFailureCounter.drain(sc, 10_000);
        }
        return tasks.snapshot();
    }

    /** Why the stage cannot be reused, or null if it can. */
    private String whyNotReusable(String stage, String folder, List<String> inputs, StageFingerprint fp, String sha) {
        List<String> rerun = inputs.stream().filter(ran::contains).toList();
        if (!rerun.isEmpty()) {
            return "its input " + String.join(", ", rerun) + " ran again";
        }
        Map<String, Object> marker = StageCompletion.readAll(folder, hconf);
        if (marker == null) {
            return "no completion marker " + StageCompletion.file(folder) + " (never finished there)";
        }
        if (!sha.equals(marker.get("fingerprint"))) {
            List<String> changed = new ArrayList<>();
            Map<String, Object> now = StageFingerprint.CANONICAL.convertValue(
                    Map.of("config", fp.config(), "inputs", fp.inputs(), "files", fp.files(), "version", fp.version()),
                    new TypeReference<Map<String, Object>>() {});
            for (String k : List.of("config", "inputs", "files", "version")) {
                if (!Objects.equals(now.get(k), marker.get(k))) {
                    changed.add(k);
                }
            }
            return "fingerprint changed" + (changed.isEmpty() ? "" : " (" + String.join(", ", changed) + ")");
        }
        if (readReport(stage) == null) {
            return "its report " + reportFile(stage) + " is missing or unreadable";
        }
        return null;
    }

    private String reportFile(String stage) {
        return HadoopFiles.join(run.reports(), stage + ".json");
    }

    private Map<String, Object> readReport(String stage) {
        String f = reportFile(stage);
        if (!HadoopFiles.exists(f, hconf)) {
            return null;
        }
        try {
            return StageReport.JSON.readValue(HadoopFiles.readString(f, hconf),
                    new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }
}
