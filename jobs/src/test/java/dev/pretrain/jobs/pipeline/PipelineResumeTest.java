package dev.pretrain.jobs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pretrain.jobs.SharedData;
import dev.pretrain.jobs.report.RunSummary;
import dev.pretrain.jobs.spark.SparkSessions;

/**
 * {@code pipeline --resume} on a tiny real pipeline: a rerun reuses every stage and touches no output; changing one
 * config key reruns exactly the stages that read it and the stages after them that read their outputs; a stage
 * without its completion marker runs again, and train-bert then resumes from its newest checkpoint.
 */
class PipelineResumeTest {
    static final List<String> ALL = List.of("ingest", "vocab", "tokenize", "examples-mlm", "examples-skipgram",
            "train-word2vec", "train-bert", "evaluate", "export");
    /** Files a resumed run rewrites by design: the run's own report and summaries. */
    static final Set<String> RUN_FILES = Set.of("report.json", "summary.md", "summary.html");

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path runDir;
    static String yaml;

    @BeforeAll
    static void setUp() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Path imdb = SharedData.head(SharedData.corpus("imdb-aclImdb-v1-unsup-50k.tsv.gz"),
                in.resolve("imdb.tsv.gz"), 301, true);
        Path moby = SharedData.head(SharedData.corpus("moby-dick.txt"), in.resolve("moby.txt"), 1500, false);
        runDir = tmp.resolve("run");
        yaml = """
                output: %s
                ingest:
                  near_dup: false
                  sources:
                    - {name: imdb, uri: '%s', format: tsv, column: 4, header: true, html: true}
                    - {name: moby, uri: '%s', format: headings, heading_regex: '^CHAPTER \\d+'}
                vocab: {size: VOCAB_SIZE}
                examples: {shards: 2, target_shard_tokens: 0, heldout_fraction: 0.1, skipgram: {enabled: true, fraction: 0.05}}
                word2vec: {epochs: W2V_EPOCHS, rounds_per_epoch: 1, min_count: 3, dim: 8, partitions: 1}
                bert: {batch_size_per_worker: 8, averaging_frequency: 2, max_train_examples: 32, max_heldout_examples: 16, validation_examples: 0, warmup_steps: 1, eval_every_rounds: 0, checkpoint_every: 1}
                evaluate:
                  analogies: '%s'
                  similarity: {wordsim353: '%s'}
                """.formatted(runDir, imdb, moby, SharedData.DATA.resolve("analogy/questions-words.txt"),
                SharedData.DATA.resolve("similarity/wordsim353.tsv"));
        spark = SparkSessions.getOrCreate("pipeline-resume-test", "local[2]");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** Runs the pipeline with this vocab.size and word2vec.epochs. */
    private static Map<String, Object> run(int vocabSize, int word2vecEpochs, boolean resume) {
        String text = yaml.replace("VOCAB_SIZE", Integer.toString(vocabSize))
                .replace("W2V_EPOCHS", Integer.toString(word2vecEpochs));
        return PipelineRunner.run(spark, PipelineConfig.parse(text, "test"), resume);
    }

    @SuppressWarnings("unchecked")
    private static List<String> reused(Map<String, Object> report) {
        return RunSummary.reused((Map<String, Object>) report.get("stages"));
    }

    @SuppressWarnings("unchecked")
    private static List<String> ran(Map<String, Object> report) {
        Map<String, Object> stages = (Map<String, Object>) report.get("stages");
        assertEquals(ALL, List.copyOf(stages.keySet()), "every stage is in the report");
        List<String> out = new ArrayList<>(ALL);
        out.removeAll(reused(report));
        return out;
    }

    /** Every file under the run folder (hidden temporaries aside): relative path to (size, mtime in ns). */
    private static Map<String, List<Long>> snapshot() throws IOException {
        Map<String, List<Long>> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(runDir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String rel = runDir.relativize(p).toString();
                if (!RUN_FILES.contains(rel) && !p.getFileName().toString().startsWith(".")) {
                    m.put(rel, List.of(Files.size(p), Files.getLastModifiedTime(p).to(java.util.concurrent.TimeUnit.NANOSECONDS)));
                }
            }
        }
        return m;
    }

    private static Map<String, List<Long>> under(Map<String, List<Long>> snap, String folder) {
        Map<String, List<Long>> m = new TreeMap<>();
        snap.forEach((k, v) -> {
            if (k.startsWith(folder + "/")) {
                m.put(k, v);
            }
        });
        assertTrue(!m.isEmpty(), "files under " + folder);
        return m;
    }

    @Test
    @SuppressWarnings("unchecked")
    void resumeReusesExactlyTheStagesWhoseFingerprintHolds() throws IOException {
        // 1. a plain run: every stage runs and leaves its completion marker
        Map<String, Object> first = run(600, 1, false);
        assertEquals(ALL, ran(first));
        for (String folder : List.of("documents", "vocab", "tokenized", "examples/mlm", "examples/skipgram",
                "word2vec", "bert", "eval", "export")) {
            assertTrue(Files.isRegularFile(runDir.resolve(folder).resolve(StageCompletion.FILE)), folder);
        }
        assertNull(RunSummary.get((Map<String, Object>) first.get("stages"), "train-bert", "resumed_from_checkpoint"));
        Map<String, List<Long>> before = snapshot();

        // 2. --resume with the same config: everything reused, no output file rewritten
        Map<String, Object> again = run(600, 1, true);
        assertEquals(List.of(), ran(again));
        assertEquals(before, snapshot(), "a fully reused run touches no output");
        Map<String, Object> stages = (Map<String, Object>) again.get("stages");
        assertEquals(((Number) RunSummary.get((Map<String, Object>) first.get("stages"), "ingest", "documents_kept"))
                .longValue(), ((Number) RunSummary.get(stages, "ingest", "documents_kept")).longValue(),
                "the reused report is read back");
        assertEquals(Boolean.TRUE, RunSummary.get(stages, "evaluate", "reused"));
        assertEquals(ALL, again.get("reused_stages"));
        String md = Files.readString(runDir.resolve("summary.md"));
        assertTrue(md.contains("## Reused stages") && md.contains("| train-bert | 0.0 (reused) |"), md);
        assertTrue(Files.readString(runDir.resolve("summary.html")).contains("<h2>Reused stages</h2>"));
        assertTrue(Files.readString(runDir.resolve("report.json")).contains("\"reused\" : true"));

        // 3. one word2vec key (epochs): word2vec and the stages reading its output run, nothing else
        Map<String, Object> w2v = run(600, 2, true);
        assertEquals(List.of("train-word2vec", "evaluate", "export"), ran(w2v));
        Map<String, List<Long>> afterW2v = snapshot();
        for (String folder : List.of("documents", "vocab", "tokenized", "examples", "bert")) {
            assertEquals(under(before, folder), under(afterW2v, folder), folder + " untouched");
        }
        assertNotEquals(under(before, "word2vec"), under(afterW2v, "word2vec"), "word2vec rewritten");

        // 4. one vocab key (size): vocab and everything downstream of it run; ingest, skip-gram pairs, word2vec
        // are reused. train-bert's checkpoints belong to the old vocabulary: deleted, not resumed from (the
        // trainer would refuse them: another model config)
        Map<String, Object> vocab = run(500, 2, true);
        assertEquals(List.of("vocab", "tokenize", "examples-mlm", "train-bert", "evaluate", "export"), ran(vocab));
        assertEquals(List.of("ingest", "examples-skipgram", "train-word2vec"), reused(vocab));
        assertNull(RunSummary.get((Map<String, Object>) vocab.get("stages"), "train-bert", "resumed_from_checkpoint"));
        long size0 = ((Number) RunSummary.get((Map<String, Object>) first.get("stages"), "vocab", "vocab_size"))
                .longValue();
        long size1 = ((Number) RunSummary.get((Map<String, Object>) vocab.get("stages"), "vocab", "vocab_size"))
                .longValue();
        assertTrue(size1 <= 500 && size1 < size0, "the vocabulary was trained again: " + size0 + " -> " + size1);
        Map<String, List<Long>> afterVocab = snapshot();
        for (String folder : List.of("documents", "examples/skipgram", "word2vec")) {
            assertEquals(under(afterW2v, folder), under(afterVocab, folder), folder + " untouched");
        }

        // 5. a stage whose completion marker is gone (as after a killed run) runs again, with the stages reading
        // its output; train-bert resumes from its newest checkpoint (written at the end of the finished run), so it
        // reports the same held-out figures
        Files.delete(runDir.resolve("bert").resolve(StageCompletion.FILE));
        Map<String, Object> bert = run(500, 2, true);
        assertEquals(List.of("train-bert", "evaluate", "export"), ran(bert));
        Map<String, Object> bertStages = (Map<String, Object>) bert.get("stages");
        Object resumedFrom = RunSummary.get(bertStages, "train-bert", "resumed_from_checkpoint");
        assertNotNull(resumedFrom);
        assertTrue(resumedFrom.toString().matches("checkpoint-\\d{8}\\.zip"), resumedFrom.toString());
        assertEquals(((Number) RunSummary.get((Map<String, Object>) vocab.get("stages"), "train-bert",
                "heldout_mlm_loss_final")).doubleValue(),
                ((Number) RunSummary.get(bertStages, "train-bert", "heldout_mlm_loss_final")).doubleValue());
    }
}
