package dev.pretrain.jobs.stages;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pretrain.examples.mlm.PretrainingTask;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.OutputMarker;
import dev.pretrain.model.bert.BertConfig;
import dev.pretrain.model.bert.BertEvaluator;
import dev.pretrain.model.bert.BertExample;
import dev.pretrain.model.bert.BertMetrics;
import dev.pretrain.model.bert.BertModelIO;
import dev.pretrain.model.eval.AnalogyEvaluator;
import dev.pretrain.model.eval.AnalogyResult;
import dev.pretrain.model.eval.InMemoryWordEmbeddings;
import dev.pretrain.model.eval.NearestNeighbours;
import dev.pretrain.model.eval.SimilarityResult;
import dev.pretrain.model.eval.WordSimilarityEvaluator;
import dev.pretrain.model.export.Word2VecFormat;

/**
 * {@code evaluate}: word vectors on analogies (3CosAdd over the 30,000 most frequent words, as
 * word2vec's compute-accuracy) and word-similarity sets (Spearman ρ); the encoder on held-out
 * MLM/NSP instances (MLM loss in nats and accuracy over masked positions, NSP loss and accuracy unless the
 * instances are {@code full_sentences}, which have no sentence-pair label), compared
 * with the untrained model's held-out loss recorded at round 0 of training.
 */
public final class EvaluateStage {
    /**
     * Evaluation inputs; either model may be null. {@code similaritySets} maps a name to a pairs
     * file (WordSim-353, SimLex-999, MEN formats).
     */
    public record Options(String word2vecDir, String analogies, Map<String, String> similaritySets,
                          String bertDir, String examples, int maxHeldoutExamples, String output) {}

    private EvaluateStage() {}

    public static StageReport run(SparkSession spark, Options o) {
        StageReport report = new StageReport("evaluate");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        OutputMarker.claim(o.output(), report.stage(), hconf);
        if (o.word2vecDir() != null) {
            report.put("word2vec", evaluateVectors(o, hconf));
        }
        if (o.bertDir() != null) {
            report.put("bert", evaluateBert(spark, o, hconf));
        }
        HadoopFiles.writeString(HadoopFiles.join(o.output(), "metrics.json"), hconf, report.toJson() + "\n");
        report.put("output", o.output());
        return report.finish();
    }

    static Map<String, Object> evaluateVectors(Options o, Configuration hconf) {
        Map<String, Object> m = new LinkedHashMap<>();
        InMemoryWordEmbeddings emb;
        try (InputStream in = HadoopFiles.open(Word2VecStage.vectorsFile(o.word2vecDir()), hconf)) {
            emb = Word2VecFormat.readBinary(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read vectors under " + o.word2vecDir(), e);
        }
        m.put("vocab_size", emb.size());
        try {
            if (o.analogies() != null) {
                AnalogyResult a = AnalogyEvaluator.evaluate(emb,
                        new StringReader(HadoopFiles.readString(o.analogies(), hconf)), 30_000);
                Map<String, Object> am = new LinkedHashMap<>();
                am.put("file", o.analogies());
                am.put("accuracy", a.accuracy());
                am.put("correct", a.correct());
                am.put("evaluated", a.evaluated());
                am.put("total", a.total());
                am.put("semantic_accuracy", a.semanticAccuracy());
                am.put("syntactic_accuracy", a.syntacticAccuracy());
                m.put("analogy", am);
            }
            Map<String, Object> sims = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : o.similaritySets().entrySet()) {
                SimilarityResult s = WordSimilarityEvaluator.evaluate(emb,
                        new StringReader(HadoopFiles.readString(e.getValue(), hconf)));
                sims.put(e.getKey(), Map.of("spearman", s.spearman(), "pairs_used", s.pairsUsed(),
                        "pairs_total", s.pairsTotal(), "file", e.getValue()));
            }
            m.put("similarity", sims);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read evaluation set", e);
        }
        Map<String, Object> nn = new LinkedHashMap<>();
        for (String w : List.of("good", "movie", "king", "whale", "france")) {
            if (emb.indexOf(w) >= 0) {
                List<String> near = new ArrayList<>();
                for (Map.Entry<String, Double> e : NearestNeighbours.of(emb, w, 8)) {
                    near.add(e.getKey());
                }
                nn.put(w, near);
            }
        }
        m.put("nearest_neighbours", nn);
        return m;
    }

    static Map<String, Object> evaluateBert(SparkSession spark, Options o, Configuration hconf) {
        Map<String, Object> m = new LinkedHashMap<>();
        BertConfig cfg = BertConfig.fromJson(HadoopFiles.readString(BertStage.configFile(o.bertDir()), hconf));
        ComputationGraph model;
        try (InputStream in = HadoopFiles.open(BertStage.modelFile(o.bertDir()), hconf)) {
            model = BertModelIO.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model under " + o.bertDir() + ": " + e.getMessage(), e);
        }
        List<BertExample> heldout = new ArrayList<>();
        for (Row r : BertStage.readExamples(spark, ExamplesStage.heldout(o.examples()), o.maxHeldoutExamples())
                .collectAsList()) {
            heldout.add(BertStage.toExample(r));
        }
        // full_sentences instances carry no sentence-pair label: no NSP figures
        boolean nsp = BertStage.pretrainingTask(o.examples(), hconf) != PretrainingTask.FULL_SENTENCES;
        BertMetrics metrics = BertEvaluator.evaluate(model, heldout, cfg, 32, nsp);
        m.put("heldout_instances", heldout.size());
        m.put("mlm_loss", metrics.mlmLoss());
        m.put("mlm_accuracy", metrics.mlmAccuracy());
        if (metrics.hasNsp()) {
            m.put("nsp_loss", metrics.nspLoss());
            m.put("nsp_accuracy", metrics.nspAccuracy());
        }
        String metricsFile = BertStage.metricsFile(o.bertDir());
        if (HadoopFiles.exists(metricsFile, hconf)) {
            String firstLine = HadoopFiles.readString(metricsFile, hconf).lines().findFirst().orElse(null);
            if (firstLine != null) {
                try {
                    JsonNode round0 = StageReport.JSON.readTree(firstLine);
                    double step0 = round0.get("heldout_mlm_loss").asDouble();
                    m.put("mlm_loss_step0", step0);
                    m.put("mlm_loss_reduction", 1.0 - metrics.mlmLoss() / step0);
                } catch (IOException e) {
                    throw new UncheckedIOException("bad metrics line in " + metricsFile, e);
                }
            }
        }
        return m;
    }
}
