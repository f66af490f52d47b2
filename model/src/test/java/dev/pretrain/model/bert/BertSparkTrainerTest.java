package dev.pretrain.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

class BertSparkTrainerTest {

    static SparkConf localConf() {
        return new SparkConf().setMaster("local[2]").setAppName("bert-spark-test")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrator", BertKryoRegistrator.REGISTRATORS);
    }

    @Test
    void parameterAveragingOnLocal2LowersHeldOutLoss() throws Exception {
        BertTestData data = BertTestData.load(BertTestData.shared().resolve("data/corpora/moby-dick.txt"), 600_000, 2000);
        BertConfig cfg = BertConfig.tiny(data.vocabSize()).withSequence(64, 10);
        List<BertExample> train = data.examples(256, 0, cfg, 11);
        List<BertExample> heldout = data.examples(48, data.sentences.size() - 400, cfg, 12);
        BertTrainingConfig tc = new BertTrainingConfig(8, 2, 2, 1, 2e-3, 0.01, 4, 5);
        try (JavaSparkContext sc = new JavaSparkContext(localConf())) {
            BertTrainResult r = new BertSparkTrainer(cfg, tc).evaluateEveryRounds(4).evalBatchSize(16)
                    .fit(sc, sc.parallelize(train, 2), heldout);
            List<BertRound> rounds = r.rounds();
            rounds.forEach(x -> System.out.println("BERT-SPARK " + x));
            assertEquals(3, rounds.size(), "round 0 + 2 chunks of 4 averaging rounds x 2 workers x 2 batches x 8");
            assertEquals(0, rounds.get(0).examplesSeen());
            assertEquals(256, rounds.get(2).examplesSeen());
            BertMetrics first = rounds.get(0).heldout();
            BertMetrics last = rounds.get(2).heldout();
            assertEquals(Math.log(cfg.getVocabSize()), first.mlmLoss(), 0.5);
            assertTrue(last.mlmLoss() < first.mlmLoss() - 0.5, first + " -> " + last);
            assertEquals(48, last.examples());
            // the returned model is the averaged one
            assertEquals(last.mlmLoss(), BertEvaluator.evaluate(r.model(), heldout, cfg, 16).mlmLoss(), 1e-6);
        }
    }
}
