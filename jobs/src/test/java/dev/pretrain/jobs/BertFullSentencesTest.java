package dev.pretrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pretrain.corpus.ingest.Document;
import dev.pretrain.corpus.tokenize.BertTokenizer;
import dev.pretrain.corpus.tokenize.SpecialTokens;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.corpus.tokenize.WordCounter;
import dev.pretrain.corpus.tokenize.WordPieceTrainer;
import dev.pretrain.examples.mlm.MaskedLmConfig;
import dev.pretrain.examples.mlm.PretrainingTask;
import dev.pretrain.jobs.report.RunSummary;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.SparkSessions;
import dev.pretrain.jobs.stages.BertStage;
import dev.pretrain.jobs.stages.EvaluateStage;
import dev.pretrain.jobs.stages.ExamplesStage;
import dev.pretrain.jobs.stages.TokenizeStage;
import dev.pretrain.model.bert.BertConfig;
import dev.pretrain.model.bert.BertModel;
import dev.pretrain.model.bert.BertModelIO;
import dev.pretrain.model.bert.BertTrainingConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * RoBERTa FULL-SENTENCES instances have no sentence-pair label (next_sentence_labels all 0): the examples stage
 * records the task in examples_config.json, and train-bert then trains and reports MLM only: the NSP layer and the
 * pooler end exactly as initialised (weight decay 0 here, so only a gradient could move them) while the encoder
 * trains; no NSP figure in the report, metrics.jsonl, rounds.jsonl or the evaluate stage, and the run summary's
 * checks still evaluate.
 */
class BertFullSentencesTest {
    @TempDir Path tmp;

    @Test
    void fullSentencesExamplesTrainAndReportMlmOnly() throws IOException {
        ImdbSlice imdb = new ImdbSlice(120);
        // a small WordPiece vocab of these reviews keeps the MLM decoder (and the test) small
        WordCounter counts = new WordCounter(true);
        imdb.documents.forEach(d -> d.sentences().forEach(counts::add));
        Path vocabFile = tmp.resolve("vocab.txt");
        Vocab vocab = Vocab.of(new WordPieceTrainer(600, 2, SpecialTokens.bertDefaults(), 0).train(counts.toMap(1)));
        vocab.write(vocabFile);
        BertTokenizer tok = new BertTokenizer(vocab, true);
        List<Row> rows = new ArrayList<>();
        for (Document d : imdb.documents) {
            List<List<Integer>> sentences = new ArrayList<>();
            for (String s : d.sentences()) {
                List<Integer> ids = new ArrayList<>();
                for (int id : tok.encode(s)) ids.add(id);
                sentences.add(ids);
            }
            rows.add(RowFactory.create(d.docId(), sentences, (long) sentences.stream().mapToInt(List::size).sum(), 0L));
        }
        SparkSession spark = SparkSessions.getOrCreate("bert-full-sentences", "local[2]");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        Path tokenized = tmp.resolve("tokenized");
        spark.createDataFrame(rows, TokenizeStage.SCHEMA).repartition(2).write().parquet(tokenized.toString());

        Path examples = tmp.resolve("examples");
        MaskedLmConfig mlm = new MaskedLmConfig(48, 6, 0.15, 0.1, 1, 11L, false).withTask(PretrainingTask.FULL_SENTENCES);
        ExamplesStage.runMlm(spark, new ExamplesStage.MlmOptions(tokenized.toString(), vocabFile.toString(),
                examples.toString(), mlm, 2, 0.2));
        JsonNode recorded = StageReport.JSON.readTree(examples.resolve(ExamplesStage.CONFIG_FILE).toFile());
        assertEquals("full_sentences", recorded.get("task").asText());
        assertEquals(PretrainingTask.FULL_SENTENCES, BertStage.pretrainingTask(examples.toString(), hconf));
        assertEquals(0L, spark.read().parquet(examples.resolve("train").toString())
                .filter("next_sentence_labels != 0").count(), "FULL-SENTENCES writes no pair label");

        // 2 workers x 1 minibatch x 4 examples = 8 a round; 32 examples = 4 rounds; weight decay 0
        BertTrainingConfig training = new BertTrainingConfig(4, 1, 2, 1, 2e-3, 0.0, 1, 5L);
        Path bert = tmp.resolve("bert");
        StageReport report = BertStage.run(spark, new BertStage.Options(examples.toString(), vocabFile.toString(),
                bert.toString(), "tiny", training, 32, 16, 2, 0, 0));

        assertEquals("full_sentences", report.get("pretraining_task"));
        assertEquals(false, report.get("next_sentence_prediction"));
        for (String key : report.values().keySet()) {
            assertFalse(key.contains("nsp"), "no NSP figure in the report: " + key);
        }
        List<String> metrics = Files.readAllLines(Path.of(BertStage.metricsFile(bert.toString())));
        List<String> rounds = Files.readAllLines(Path.of(BertStage.roundsFile(bert.toString())));
        assertEquals(3, metrics.size(), "round 0 + evaluations after rounds 2 and 4");
        assertEquals(4, rounds.size());
        for (String line : concat(metrics, rounds)) {
            assertFalse(line.contains("nsp"), line);
            JsonNode n = StageReport.JSON.readTree(line);
            if (n.has("heldout_mlm_loss")) assertTrue(Double.isFinite(n.get("heldout_mlm_loss").asDouble()), line);
        }

        // the NSP layer and the pooler got no gradient from the fake labels; the encoder trained
        BertConfig cfg = BertConfig.fromJson(Files.readString(Path.of(BertStage.configFile(bert.toString()))));
        ComputationGraph initial = BertModel.build(cfg, training);
        ComputationGraph trained;
        try (InputStream in = Files.newInputStream(Path.of(BertStage.modelFile(bert.toString())))) {
            trained = BertModelIO.load(in);
        }
        for (String layer : List.of("nsp", "pooler")) {
            assertEquals(0.0, maxAbsDiff(initial, trained, layer), 1e-7, layer + " unchanged");
        }
        for (String layer : List.of("layer_0", "mlm")) {
            assertTrue(maxAbsDiff(initial, trained, layer) > 1e-4, layer + " trained");
        }

        // the evaluate stage and the run summary do without NSP figures
        StageReport eval = EvaluateStage.run(spark, new EvaluateStage.Options(null, null, Map.of(), bert.toString(),
                examples.toString(), 16, tmp.resolve("eval").toString()));
        @SuppressWarnings("unchecked")
        Map<String, Object> b = (Map<String, Object>) eval.get("bert");
        assertTrue(Double.isFinite((Double) b.get("mlm_loss")));
        assertFalse(b.containsKey("nsp_accuracy") || b.containsKey("nsp_loss"), b.toString());
        Map<String, Object> h = RunSummary.headline(Map.of("train-bert", report.values(), "evaluate", eval.values()));
        assertNull(h.get("bert_nsp_accuracy"));
        assertTrue(h.get("checks") instanceof Map<?, ?> c && c.containsKey("bert_mlm_loss_25pct_below_step0"));

        // a damaged task record is an error naming the file, not a silent NSP run
        Files.deleteIfExists(examples.resolve("." + ExamplesStage.CONFIG_FILE + ".crc"));   // Hadoop's local checksum
        Files.writeString(examples.resolve(ExamplesStage.CONFIG_FILE), "{\"task\": \"pairs\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BertStage.pretrainingTask(examples.toString(), hconf));
        assertTrue(e.getMessage().contains(ExamplesStage.CONFIG_FILE) && e.getMessage().contains("pairs"), e.getMessage());
    }

    private static double maxAbsDiff(ComputationGraph a, ComputationGraph b, String layer) {
        return Transforms.abs(a.getLayer(layer).params().sub(b.getLayer(layer).params())).maxNumber().doubleValue();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
