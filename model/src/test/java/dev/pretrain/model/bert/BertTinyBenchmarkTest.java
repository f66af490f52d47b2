package dev.pretrain.model.bert;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/**
 * Acceptance measurement, skipped unless {@code -Dbert.bench=true}: BERT-tiny (vocab 30522, seq 128, 20 predictions)
 * on IMDB text tokenized with the bert-base-uncased WordPiece vocab, trained on local[2] with 2 workers and parameter
 * averaging for {@code bert.bench.seconds} (default 300) seconds of training wall time.
 */
class BertTinyBenchmarkTest {
    @Test
    void tinyOnRealTextForFiveMinutes() throws Exception {
        assumeTrue(Boolean.getBoolean("bert.bench"), "set -Dbert.bench=true to run");
        double seconds = Double.parseDouble(System.getProperty("bert.bench.seconds", "300"));
        int docs = Integer.getInteger("bert.bench.docs", 12000);
        BertTestData data = BertTestData.loadWordPiece(
                BertTestData.shared().resolve("data/bert/bert-base-uncased-vocab.txt"),
                BertTestData.shared().resolve("data/corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz"), docs);
        BertConfig cfg = BertConfig.tiny(data.vocabSize());
        int heldoutStart = data.sentences.size() - 3000;
        List<BertExample> heldout = data.examples(128, heldoutStart, cfg, 99);
        // training examples come from sentences before the held-out region
        data.sentences.subList(heldoutStart, data.sentences.size()).clear();
        List<BertExample> train = data.examples(Integer.getInteger("bert.bench.examples", 30000), 0, cfg, 1);
        BertTrainingConfig d = BertTrainingConfig.defaults();
        BertTrainingConfig tc = new BertTrainingConfig(Integer.getInteger("bert.bench.batch", d.batchSizePerWorker()),
                Integer.getInteger("bert.bench.avg", d.averagingFrequency()), 2, 1,
                Double.parseDouble(System.getProperty("bert.bench.lr", "" + d.learningRate())),
                d.weightDecay(), Integer.getInteger("bert.bench.warmup", d.warmupSteps()), d.seed());
        System.out.println("BENCH sentences=" + data.sentences.size() + " config=" + cfg + " training=" + tc);
        try (JavaSparkContext sc = new JavaSparkContext(BertSparkTrainerTest.localConf())) {
            long t0 = System.nanoTime();
            BertTrainResult r = new BertSparkTrainer(cfg, tc).evaluateEveryRounds(Integer.getInteger("bert.bench.every", 4))
                    .timeLimitSeconds(seconds).fit(sc, sc.parallelize(train, 2), heldout);
            r.rounds().forEach(x -> System.out.println("BENCH " + x));
            BertRound first = r.rounds().get(0), last = r.rounds().get(r.rounds().size() - 1);
            long steps = last.examplesSeen() / (2L * tc.batchSizePerWorker());
            System.out.printf("BENCH total wall %.1f s; training %.1f s; %d examples; %.2f s per step (each worker, batch %d); "
                            + "held-out MLM %.3f -> %.3f (%.1f%% lower)%n", (System.nanoTime() - t0) / 1e9, last.seconds(),
                    last.examplesSeen(), last.seconds() / steps, tc.batchSizePerWorker(), first.heldout().mlmLoss(),
                    last.heldout().mlmLoss(), 100 * (1 - last.heldout().mlmLoss() / first.heldout().mlmLoss()));
            assertTrue(last.heldout().mlmLoss() < 0.75 * first.heldout().mlmLoss());
        }
    }
}
