package dev.pretrain.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

class BertModelTest {
    static BertTestData data;
    static BertConfig cfg;

    @BeforeAll
    static void load() throws Exception {
        data = BertTestData.load(BertTestData.shared().resolve("data/corpora/moby-dick.txt"), 400_000, 2000);
        cfg = BertConfig.tiny(data.vocabSize()).withSequence(64, 10);
    }

    @Test
    void configJsonUsesBertKeysAndRoundTrips() {
        BertConfig mini = BertConfig.mini(30522);
        String json = mini.toJson();
        assertTrue(json.contains("\"vocab_size\" : 30522"), json);
        assertTrue(json.contains("\"num_hidden_layers\" : 4"), json);
        assertEquals(mini, BertConfig.fromJson(json));
        BertConfig google = BertConfig.fromJson("{\"vocab_size\": 100, \"hidden_size\": 64, \"num_attention_heads\": 4,"
                + " \"hidden_act\": \"gelu\", \"initializer_range\": 0.02}");
        assertEquals(64, google.getHiddenSize());
        assertThrows(IllegalArgumentException.class, () -> BertConfig.fromJson("{\"vocab_size\": 100, \"hidden_size\": 65}"));
    }

    @Test
    void batchShapesAndContents() {
        List<BertExample> ex = data.examples(3, 0, cfg, 1);
        MultiDataSet mds = BertBatches.toMultiDataSet(ex, cfg);
        assertArrayEquals(new long[]{3, 64}, mds.getFeatures(0).shape());
        assertArrayEquals(new long[]{3, 64}, mds.getFeatures(1).shape());
        assertArrayEquals(new long[]{3, 1, 64}, mds.getFeatures(2).shape());
        assertArrayEquals(new long[]{3, 10, 64}, mds.getFeatures(3).shape());
        assertArrayEquals(new long[]{3, 1, 10}, mds.getLabels(0).shape());
        assertArrayEquals(new long[]{3, 2}, mds.getLabels(1).shape());
        assertArrayEquals(new long[]{3, 10}, mds.getLabelsMaskArray(0).shape());
        assertEquals(DataType.FLOAT, mds.getFeatures(3).dataType());
        BertExample e = ex.get(1);
        assertEquals(e.inputIds()[5], mds.getFeatures(0).getInt(1, 5));
        // one-hot rows pick the masked positions; label mask sums to the batch size
        for (int k = 0; k < 10; k++) {
            double rowSum = mds.getFeatures(3).get(org.nd4j.linalg.indexing.NDArrayIndex.point(1),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(k), org.nd4j.linalg.indexing.NDArrayIndex.all()).sumNumber().doubleValue();
            assertEquals(1.0, rowSum, 1e-6);
            if (e.maskedLmWeights()[k] == 0) {
                assertEquals(1.0, mds.getFeatures(3).getDouble(1, k, 0), 1e-6);
                assertEquals(0.0, mds.getLabelsMaskArray(0).getDouble(1, k), 0);
            } else {
                assertEquals(1.0, mds.getFeatures(3).getDouble(1, k, e.maskedLmPositions()[k]), 1e-6);
                assertEquals(e.maskedLmIds()[k], mds.getLabels(0).getInt(1, 0, k));
            }
        }
        assertEquals(3.0, mds.getLabelsMaskArray(0).sumNumber().doubleValue(), 1e-4);
        assertEquals(1.0, mds.getLabels(1).getDouble(1, e.nextSentenceLabel()), 0);
        BertExample bad = new BertExample(new int[63], e.inputMask(), e.segmentIds(), e.maskedLmPositions(),
                e.maskedLmIds(), e.maskedLmWeights(), 0);
        assertThrows(IllegalArgumentException.class, () -> BertBatches.toMultiDataSet(List.of(bad), cfg));
    }

    @Test
    void forwardPassGivesDistributionsAndNearUniformLoss() {
        ComputationGraph net = BertModel.build(cfg);
        List<BertExample> ex = data.examples(4, 100, cfg, 2);
        INDArray[] out = net.output(false, BertBatches.toMultiDataSet(ex, cfg).getFeatures());
        assertArrayEquals(new long[]{4, cfg.getVocabSize(), 10}, out[0].shape());
        assertArrayEquals(new long[]{4, 2}, out[1].shape());
        assertEquals(1.0, out[0].sum(1).getDouble(0, 0), 1e-4);
        assertEquals(1.0, out[1].sum(1).getDouble(2), 1e-5);
        BertMetrics m = BertEvaluator.evaluate(net, ex, cfg, 2);
        // freshly initialised: MLM loss close to ln(vocab), NSP close to ln 2
        assertEquals(Math.log(cfg.getVocabSize()), m.mlmLoss(), 0.5);
        assertEquals(Math.log(2), m.nspLoss(), 0.2);
        assertEquals(4, m.examples());
    }

    @Test
    void lossDecreasesWhenFittingRealText() {
        BertTrainingConfig tc = new BertTrainingConfig(8, 1, 1, 1, 2e-3, 0.01, 5, 7);
        ComputationGraph net = BertModel.build(cfg, tc);
        List<BertExample> ex = data.examples(16, 200, cfg, 3);
        MultiDataSet a = BertBatches.toMultiDataSet(ex.subList(0, 8), cfg);
        MultiDataSet b = BertBatches.toMultiDataSet(ex.subList(8, 16), cfg);
        BertMetrics before = BertEvaluator.evaluate(net, ex, cfg, 8);
        for (int i = 0; i < 15; i++) {
            net.fit(a);
            net.fit(b);
        }
        BertMetrics after = BertEvaluator.evaluate(net, ex, cfg, 8);
        assertTrue(after.mlmLoss() < before.mlmLoss() - 1.0, before + " -> " + after);
        assertTrue(Double.isFinite(net.score()));
    }

    @Test
    void saveLoadGivesIdenticalOutputs() throws Exception {
        BertTrainingConfig tc = new BertTrainingConfig(4, 1, 1, 1, 1e-3, 0.01, 1, 7);
        ComputationGraph net = BertModel.build(cfg, tc);
        List<BertExample> ex = data.examples(4, 300, cfg, 4);
        MultiDataSet mds = BertBatches.toMultiDataSet(ex, cfg);
        net.fit(mds);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BertModelIO.save(net, bytes);
        ComputationGraph loaded = BertModelIO.load(new ByteArrayInputStream(bytes.toByteArray()));
        INDArray[] o1 = net.output(false, mds.getFeatures());
        INDArray[] o2 = loaded.output(false, mds.getFeatures());
        assertEquals(o1[0], o2[0]);
        assertEquals(o1[1], o2[1]);
        assertEquals(net.getUpdater().getStateViewArray(), loaded.getUpdater().getStateViewArray());
        assertEquals(net.getIterationCount(), loaded.getIterationCount(), "iteration count");
        assertEquals(net.getConfiguration().toJson(), loaded.getConfiguration().toJson());
        // the restored model keeps training
        BertMetrics before = BertEvaluator.evaluate(loaded, ex, cfg, 4);
        for (int i = 0; i < 5; i++) loaded.fit(mds);
        assertTrue(BertEvaluator.evaluate(loaded, ex, cfg, 4).mlmLoss() < before.mlmLoss());
        assertThrows(java.io.IOException.class, () -> BertModelIO.load(new ByteArrayInputStream(new byte[]{1, 2, 3})));
    }
}
