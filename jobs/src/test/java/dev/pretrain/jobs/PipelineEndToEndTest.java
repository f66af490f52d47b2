package dev.pretrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pretrain.jobs.pipeline.PipelineConfig;
import dev.pretrain.jobs.pipeline.PipelineRunner;
import dev.pretrain.jobs.pipeline.RunLayout;
import dev.pretrain.jobs.report.RunSummary;
import dev.pretrain.jobs.spark.SparkSessions;
import dev.pretrain.model.eval.InMemoryWordEmbeddings;
import dev.pretrain.model.export.Word2VecFormat;

/**
 * The whole pipeline through Spark local mode on slices of the real shared corpora (IMDB,
 * WikiText-2, Moby-Dick), with small settings: every stage runs for real and its outputs are
 * read back and checked.
 */
class PipelineEndToEndTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Map<String, Object> report;
    static RunLayout run;

    @BeforeAll
    static void runPipeline() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Path imdb = SharedData.head(SharedData.corpus("imdb-aclImdb-v1-unsup-50k.tsv.gz"),
                in.resolve("imdb.tsv.gz"), 1201, true);
        Path wiki = SharedData.head(SharedData.corpus("wikitext-2-raw-test.hf-crlf.raw"), in.resolve("wiki.raw"), 400, false);
        Path moby = SharedData.head(SharedData.corpus("moby-dick.txt"), in.resolve("moby.txt"), 3000, false);

        String yaml = """
                output: %s
                ingest:
                  sources:
                    - {name: imdb, uri: '%s', format: tsv, column: 4, header: true, html: true}
                    - {name: wikitext, uri: '%s', format: headings, heading_regex: '^ = [^=].* = $', skip_regex: '^ = = .* = = *$', wikitext: true, line_per_paragraph: true}
                    - {name: moby, uri: '%s', format: headings, heading_regex: '^CHAPTER \\d+'}
                vocab: {size: 3000}
                examples: {shards: 4, target_shard_tokens: 50000, heldout_fraction: 0.05, skipgram: {enabled: true, fraction: 0.1}}
                word2vec: {epochs: 1, rounds_per_epoch: 2, min_count: 3, dim: 32}
                bert: {batch_size_per_worker: 16, averaging_frequency: 3, max_train_examples: 400, max_heldout_examples: 64, warmup_steps: 2}
                evaluate:
                  analogies: '%s'
                  similarity: {wordsim353: '%s'}
                """.formatted(tmp.resolve("run"), imdb, wiki, moby,
                SharedData.DATA.resolve("analogy/questions-words.txt"),
                SharedData.DATA.resolve("similarity/wordsim353.tsv"));
        PipelineConfig config = PipelineConfig.parse(yaml, "test");
        spark = SparkSessions.getOrCreate("pipeline-test", "local[2]");
        report = PipelineRunner.run(spark, config);
        run = new RunLayout(config.output);
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stage(String name) {
        return (Map<String, Object>) ((Map<String, Object>) report.get("stages")).get(name);
    }

    @Test
    void ingestAccountsForEveryDocument() {
        Map<String, Object> ingest = stage("ingest");
        // 1,200 IMDB reviews + WikiText articles + Moby-Dick chapters in the slices
        long in = ((Number) ingest.get("documents_in")).longValue();
        assertTrue(in > 1200, "documents in: " + in);
        assertEquals(Boolean.TRUE, ingest.get("accounted"));
        long kept = spark.read().parquet(run.documents()).count();
        assertEquals(((Number) ingest.get("documents_kept")).longValue(), kept);
        Row first = spark.read().parquet(run.documents()).orderBy("doc_id").first();
        assertEquals(32, first.getString(0).length());
        List<String> sentences = first.getList(3);
        assertTrue(!sentences.isEmpty());
        for (String s : sentences) {
            assertTrue(!s.contains("<br"), "HTML line breaks must be stripped: " + s);
        }
    }

    @Test
    void vocabularyIsTrainedWithSpecialTokensFirst() throws IOException {
        List<String> vocab = Files.readAllLines(Path.of(run.vocabFile()));
        assertEquals(3000, vocab.size());
        assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"), vocab.subList(0, 5));
        assertTrue(vocab.stream().anyMatch(t -> t.startsWith("##")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void mlmShardsFollowTheTokenCount() {
        Map<String, Object> config = (Map<String, Object>) stage("examples-mlm").get("config");
        Map<String, Object> shards = (Map<String, Object>) config.get("shards");
        Map<String, Object> input = (Map<String, Object>) config.get("input");
        long total = 0;
        for (String split : List.of("train", "heldout")) {
            long tokens = ((Number) ((Map<String, Object>) input.get(split)).get("tokens")).longValue();
            total += tokens;
            assertEquals(Math.max(4, (tokens + 49_999) / 50_000), ((Number) shards.get(split)).longValue(),
                    split + ": max(shards, ceil(" + tokens + " / target_shard_tokens))");
        }
        assertEquals(((Number) stage("tokenize").get("tokens")).longValue(), total, "the tokens tokenize wrote");
        assertTrue(((Number) shards.get("train")).intValue() > 4, "more shards than the minimum: " + shards);
    }

    @Test
    void mlmInstancesHaveGoogleStructure() {
        List<Row> rows = spark.read().parquet(run.mlmExamples() + "/train").limit(200).collectAsList();
        assertTrue(rows.size() > 50);
        for (Row r : rows) {
            List<Integer> ids = r.getList(0);
            List<Integer> mask = r.getList(1);
            assertEquals(128, ids.size());
            assertEquals(2, (int) ids.get(0), "[CLS] first");
            int len = mask.stream().mapToInt(Integer::intValue).sum();
            assertEquals(3, (int) ids.get(len - 1), "[SEP] last");
            List<Integer> positions = r.getList(3);
            assertEquals(20, positions.size());
        }
    }

    @Test
    void wordVectorsAreWrittenEvaluatedAndExported() throws IOException {
        InMemoryWordEmbeddings emb;
        try (InputStream in = Files.newInputStream(Path.of(run.export(), "word2vec", "vectors.bin"))) {
            emb = Word2VecFormat.readBinary(in);
        }
        assertEquals(32, emb.dim());
        assertTrue(emb.size() > 500);
        assertEquals("the", emb.word(0));
        Object rho = RunSummary.get(stage("evaluate"), "word2vec", "similarity", "wordsim353", "spearman");
        assertTrue(rho instanceof Number, "wordsim353 evaluated: " + rho);
        Object evaluated = RunSummary.get(stage("evaluate"), "word2vec", "analogy", "evaluated");
        assertTrue(((Number) evaluated).longValue() > 0);
    }

    @Test
    void bertTrainsAndIsExported() {
        Map<String, Object> eval = stage("evaluate");
        double step0 = ((Number) RunSummary.get(eval, "bert", "mlm_loss_step0")).doubleValue();
        double loss = ((Number) RunSummary.get(eval, "bert", "mlm_loss")).doubleValue();
        assertTrue(step0 > Math.log(3000) * 0.8, "untrained MLM loss near ln(vocab): " + step0);
        assertTrue(loss < step0, "held-out MLM loss must fall: " + step0 + " -> " + loss);
        for (String f : List.of("model.zip", "vocab.txt", "config.json")) {
            assertTrue(Files.exists(Path.of(run.export(), "bert", f)), f);
        }
    }

    @Test
    void reportHasEveryStage() {
        @SuppressWarnings("unchecked")
        Map<String, Object> stages = (Map<String, Object>) report.get("stages");
        assertEquals(List.of("ingest", "vocab", "tokenize", "examples-mlm", "examples-skipgram", "train-word2vec",
                "train-bert", "evaluate", "export"), List.copyOf(stages.keySet()));
        assertTrue(Files.exists(Path.of(run.report())));
        assertTrue(Files.exists(Path.of(run.summary())));
    }
}
