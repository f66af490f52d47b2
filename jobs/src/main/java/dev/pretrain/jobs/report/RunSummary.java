package dev.pretrain.jobs.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The few figures a person looks at after a run, picked out of the stage reports, and the
 * walking-skeleton quality checks: every document accounted for, WordSim-353 Spearman ≥ 0.30,
 * non-zero analogy accuracy, held-out MLM loss ≥ 25% below its value at step 0.
 */
public final class RunSummary {
    private RunSummary() {}

    public static Map<String, Object> headline(Map<String, Object> stages) {
        Map<String, Object> h = new LinkedHashMap<>();
        put(h, "documents_in", get(stages, "ingest", "documents_in"));
        put(h, "documents_kept", get(stages, "ingest", "documents_kept"));
        put(h, "duplicates_exact", get(stages, "ingest", "duplicates_exact"));
        put(h, "dropped", get(stages, "ingest", "dropped"));
        put(h, "vocab_size", get(stages, "vocab", "vocab_size"));
        put(h, "tokens", get(stages, "tokenize", "tokens"));
        put(h, "unk_rate", get(stages, "tokenize", "unk_rate"));
        put(h, "mlm_train_instances", get(stages, "examples-mlm", "statistics", "train", "instances"));
        put(h, "mlm_heldout_instances", get(stages, "examples-mlm", "statistics", "heldout", "instances"));
        put(h, "word2vec_words_per_second", get(stages, "train-word2vec", "words_per_second"));
        put(h, "wordsim353_spearman", get(stages, "evaluate", "word2vec", "similarity", "wordsim353", "spearman"));
        put(h, "simlex999_spearman", get(stages, "evaluate", "word2vec", "similarity", "simlex999", "spearman"));
        put(h, "men_spearman", get(stages, "evaluate", "word2vec", "similarity", "men", "spearman"));
        put(h, "analogy_accuracy", get(stages, "evaluate", "word2vec", "analogy", "accuracy"));
        put(h, "analogy_questions_evaluated", get(stages, "evaluate", "word2vec", "analogy", "evaluated"));
        put(h, "bert_mlm_loss_step0", get(stages, "evaluate", "bert", "mlm_loss_step0"));
        put(h, "bert_mlm_loss", get(stages, "evaluate", "bert", "mlm_loss"));
        put(h, "bert_mlm_loss_reduction", get(stages, "evaluate", "bert", "mlm_loss_reduction"));
        put(h, "bert_mlm_accuracy", get(stages, "evaluate", "bert", "mlm_accuracy"));
        put(h, "bert_nsp_accuracy", get(stages, "evaluate", "bert", "nsp_accuracy"));
        List<String> reused = reused(stages);
        if (!reused.isEmpty()) {
            h.put("reused_stages", String.join(", ", reused));
        }
        Map<String, Object> seconds = new LinkedHashMap<>();
        // this run's wall time: a reused stage took none (its report keeps the seconds of the run that made it)
        stages.forEach((name, r) -> seconds.put(name, reused.contains(name) ? 0.0 : get(stages, name, "seconds")));
        h.put("stage_seconds", seconds);

        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("every_document_accounted_for", Boolean.TRUE.equals(get(stages, "ingest", "accounted")));
        checks.put("wordsim353_spearman_at_least_0.30", num(h.get("wordsim353_spearman")) >= 0.30);
        checks.put("analogy_accuracy_above_0", num(h.get("analogy_accuracy")) > 0);
        checks.put("bert_mlm_loss_25pct_below_step0", num(h.get("bert_mlm_loss_reduction")) >= 0.25);
        h.put("checks", checks);
        return h;
    }

    /** The stages whose report says {@code "reused": true} ({@code pipeline --resume}), in order. */
    public static List<String> reused(Map<String, Object> stages) {
        List<String> out = new ArrayList<>();
        if (stages == null) {
            return out;
        }
        stages.forEach((name, r) -> {
            if (Boolean.TRUE.equals(get(stages, name, "reused"))) {
                out.add(name);
            }
        });
        return out;
    }

    /** A short Markdown page of the headline figures. */
    @SuppressWarnings("unchecked")
    public static String markdown(Map<String, Object> report) {
        Map<String, Object> h = (Map<String, Object>) report.get("summary");
        StringBuilder sb = new StringBuilder("# Pretraining run summary\n\n");
        Map<String, Object> run = (Map<String, Object>) report.get("run");
        sb.append("Run folder `").append(run.get("output")).append("`, ").append(run.get("seconds"))
                .append(" s on `").append(run.get("spark_master")).append("`")
                .append(run.get("driver_nd4j_natives") == null ? "" : "; driver `" + run.get("driver_nd4j_natives") + "`")
                .append(".\n\n| figure | value |\n|---|---|\n");
        h.forEach((k, v) -> {
            if (!(v instanceof Map)) {
                sb.append("| ").append(k).append(" | ").append(format(v)).append(" |\n");
            }
        });
        sb.append("\n## Stage wall times (s)\n\n| stage | seconds |\n|---|---|\n");
        List<String> reused = reused((Map<String, Object>) report.get("stages"));
        ((Map<String, Object>) h.get("stage_seconds")).forEach((k, v) ->
                sb.append("| ").append(k).append(" | ").append(v).append(reused.contains(k) ? " (reused)" : "")
                        .append(" |\n"));
        if (!reused.isEmpty()) {
            sb.append("\n## Reused stages\n\nOutputs of an earlier run, complete and with the same fingerprint "
                    + "(config, inputs, code version), reused by `--resume`: ")
                    .append(String.join(", ", reused)).append(".\n");
        }
        sb.append("\n## Checks\n\n");
        ((Map<String, Object>) h.get("checks")).forEach((k, v) ->
                sb.append("- ").append(Boolean.TRUE.equals(v) ? "[x] " : "[ ] ").append(k).append('\n'));
        return sb.toString();
    }

    private static String format(Object v) {
        if (v instanceof Double d) {
            return String.format("%.4f", d);
        }
        return String.valueOf(v);
    }

    private static void put(Map<String, Object> m, String key, Object v) {
        if (v != null) {
            m.put(key, v);
        }
    }

    private static double num(Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** A value at a path of nested maps, or null. */
    @SuppressWarnings("unchecked")
    public static Object get(Map<String, Object> root, String... path) {
        Object cur = root;
        for (String p : path) {
            if (!(cur instanceof Map)) {
                return null;
            }
            cur = ((Map<String, Object>) cur).get(p);
        }
        return cur;
    }
}
