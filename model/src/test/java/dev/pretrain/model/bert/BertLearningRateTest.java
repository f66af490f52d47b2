package dev.pretrain.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The learning rate that each layer really uses on the Spark workers follows Google BERT's schedule, for the SameDiff
 * layers as well as the standard DL4J layers, and Adam's bias correction continues across averaging rounds.
 *
 * <p>Measured from the parameters: with one worker and one minibatch per round, round {@code k} is exactly one Adam
 * step, {@code w_k = w_(k-1) - alpha_k * m_k / (sqrt(v_k) + eps)} (plus a weight-decay term about 1e-4 of it), with
 * {@code alpha_k = lr(k-1) * sqrt(1 - beta2^k) / (1 - beta1^k)} (Kingma and Ba 2015) and {@code m_k, v_k} the Adam
 * moments after the step (the driver's updater state). The test fits {@code alpha} per layer by least squares.
 * Before the fix the SameDiff layers ran the schedule's first warm-up steps in every round and every layer used
 * Adam's first-step bias correction: here 3.4x and 1.7x the right step.
 */
class BertLearningRateTest {
    static final int ROUNDS = 4;
    static final double EPS = 1e-8;

    @Test
    void everyLayerFollowsTheScheduleAcrossAveragingRounds(@TempDir Path tmp) throws Exception {
        BertTestData data = BertTestData.load(BertTestData.shared().resolve("data/corpora/moby-dick.txt"), 300_000, 600);
        BertConfig cfg = BertConfig.tiny(data.vocabSize()).withSequence(24, 4);
        List<BertExample> train = data.examples(4 * ROUNDS, 0, cfg, 31);
        List<BertExample> heldout = data.examples(8, data.sentences.size() - 300, cfg, 32);
        // 1 worker x 1 minibatch x 4 examples per round; lr 1e-3 after 2 warm-up steps, linear decay to 0 at step 4
        String dir = tmp.resolve("ckpt").toString();
        BertTrainingConfig tc = new BertTrainingConfig(4, 1, 1, 1, 1e-3, 0.01, 2, 7).withCheckpoints(dir, 1);
        try (JavaSparkContext sc = new JavaSparkContext(BertSparkTrainerTest.localConf())) {
            JavaRDD<BertExample> rdd = sc.parallelize(train, 1);
            BertSparkTrainer first = new BertSparkTrainer(cfg, tc).evalBatchSize(8);
            first.crashAfterRounds = ROUNDS - 1;
            assertThrows(IllegalStateException.class, () -> first.fit(sc, rdd, heldout));
            ComputationGraph before = BertCheckpoint.loadLatest(dir, sc.hadoopConfiguration(),
                    first.fingerprint(train.size(), false), cfg.parameterCount()).model();
            ComputationGraph after = new BertSparkTrainer(cfg, tc).evalBatchSize(8).fit(sc, rdd, heldout).model();

            double[] betas = BertModel.adamBetas(after);
            assertEquals(0.9, betas[0]);
            assertEquals(0.999, betas[1]);
            double lr = new WarmupSchedule(1e-3, 2, ROUNDS).valueAt(ROUNDS - 1, 0);   // 2.5e-4
            double expected = lr * Math.sqrt(1 - Math.pow(betas[1], ROUNDS)) / (1 - Math.pow(betas[0], ROUNDS));
            Map<String, Double> alpha = fittedStepSizes(before, after);
            System.out.println("BERT-LR expected alpha " + expected + ", fitted per layer " + alpha);
            // SameDiff layers and standard layers alike
            for (String layer : List.of("embeddings", "layer_0", "layer_1", "mlm_transform", "token_embeddings",
                    "pooler", "nsp", "mlm")) {
                assertEquals(expected, alpha.get(layer), 0.03 * expected, layer + ": " + alpha);
            }
        }
    }

    @Test
    void roundScheduleContinuesWarmupDecayAndBiasCorrection() {
        RoundSchedule r = new RoundSchedule(1e-3, 20, 100, 30, 0.9, 0.999);
        WarmupSchedule w = new WarmupSchedule(1e-3, 20, 100);
        for (int i = 0; i < 10; i++) {
            int t = 30 + i + 1;
            double trueAdam = w.valueAt(30 + i, 0) * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
            double local = Math.sqrt(1 - Math.pow(0.999, i + 1)) / (1 - Math.pow(0.9, i + 1));
            assertEquals(trueAdam, r.valueAt(i, 0) * local, 1e-15, "step " + i);
        }
        RoundSchedule plain = new RoundSchedule(1e-3, 20, 100, 30, 0, 0);
        assertEquals(w.valueAt(35, 0), plain.valueAt(5, 0), 0.0);
        assertEquals(new RoundSchedule(1e-3, 20, 100, 0, 0.9, 0.999).valueAt(0, 0), w.valueAt(0, 0), 1e-18);
        assertEquals(r, r.clone());
        assertThrows(IllegalArgumentException.class, () -> new RoundSchedule(1e-3, 20, 100, -1, 0.9, 0.999));
    }

    /**
     * Per layer, the least-squares {@code alpha} of {@code w_after - w_before = -alpha * m / (sqrt(v) + eps)} over the
     * layer's parameters, with {@code m, v} from {@code after}'s Adam state.
     */
    static Map<String, Double> fittedStepSizes(ComputationGraph before, ComputationGraph after) {
        INDArray p0 = before.params().reshape(1, before.params().length());
        INDArray p1 = after.params().reshape(1, after.params().length());
        INDArray state = after.getUpdater().getStateViewArray();
        state = state.reshape(1, state.length());
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (UpdaterBlock b : after.getUpdater().getUpdaterBlocks()) {
            int n = b.getParamOffsetEnd() - b.getParamOffsetStart();
            int u = b.getUpdaterViewOffsetStart();
            assertEquals(2L * n, b.getUpdaterViewOffsetEnd() - u, "Adam keeps m and v");
            for (UpdaterBlock.ParamState ps : b.getLayersAndVariablesInBlock()) {
                long off = ps.getParamView().offset() - after.params().offset();
                long len = ps.getParamView().length();
                long idx = off - b.getParamOffsetStart();
                INDArray m = state.get(NDArrayIndex.point(0), NDArrayIndex.interval(u + idx, u + idx + len));
                INDArray v = state.get(NDArrayIndex.point(0), NDArrayIndex.interval(u + n + idx, u + n + idx + len));
                INDArray d = m.div(Transforms.sqrt(v, true).add(EPS));
                INDArray dw = p1.get(NDArrayIndex.point(0), NDArrayIndex.interval(off, off + len))
                        .sub(p0.get(NDArrayIndex.point(0), NDArrayIndex.interval(off, off + len)));
                double[] s = sums.computeIfAbsent(ps.getLayer().getConfig().getLayerName(), k -> new double[2]);
                s[0] += -dw.mul(d).sumNumber().doubleValue();
                s[1] += d.mul(d).sumNumber().doubleValue();
            }
        }
        Map<String, Double> alpha = new LinkedHashMap<>();
        sums.forEach((k, s) -> {
            assertTrue(s[1] > 0, "layer " + k + " has an Adam direction");
            alpha.put(k, s[0] / s[1]);
        });
        return alpha;
    }
}
