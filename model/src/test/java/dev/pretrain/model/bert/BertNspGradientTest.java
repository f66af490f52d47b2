package dev.pretrain.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The NSP loss must train the encoder, not only the pooler and the NSP layer: the [CLS] state reaches the pooler
 * through ReverseTimeSeriesVertex + LastTimeStepVertex + SubsetVertex, and a break in their backward pass would leave
 * NSP learnable only from what MLM happens to put into [CLS]. Flipping every next_sentence_label (same inputs, same
 * MLM labels) must therefore change the gradient of every encoder weight that [CLS] depends on.
 */
class BertNspGradientTest {
    @Test
    void nspLabelsChangeTheGradientOfEveryEncoderLayer() throws Exception {
        BertTestData data = BertTestData.load(BertTestData.shared().resolve("data/corpora/moby-dick.txt"), 200_000, 2000);
        BertConfig cfg = BertConfig.tiny(data.vocabSize()).withSequence(64, 10);
        ComputationGraph net = BertModel.build(cfg);
        List<BertExample> ex = data.examples(8, 100, cfg, 2);
        MultiDataSet a = BertBatches.toMultiDataSet(ex, cfg);
        MultiDataSet flipped = BertBatches.toMultiDataSet(ex, cfg);
        flipped.setLabels(1, flipped.getLabels(1).rsub(1.0));
        String[][] params = {{"nsp", "W"}, {"pooler", "W"}, {"layer_1", "Wv"}, {"layer_1", "W1"}, {"layer_0", "Wv"},
                {"layer_0", "W2"}, {"embeddings", "pos"}, {"token_embeddings", "W"}};
        INDArray[] ga = gradients(net, a, params);
        INDArray[] gb = gradients(net, flipped, params);
        for (int i = 0; i < params.length; i++) {
            double norm = ga[i].norm2Number().doubleValue();
            double diff = ga[i].sub(gb[i]).norm2Number().doubleValue();
            assertTrue(norm > 0 && diff > 1e-3 * norm,
                    params[i][0] + "_" + params[i][1] + ": |g| " + norm + ", flipping the NSP labels changed it by " + diff);
        }
    }

    /**
     * Without sentence-pair labels (RoBERTa FULL-SENTENCES: next_sentence_labels all 0, meaningless) the NSP output is
     * label-masked: the NSP layer and the pooler get exactly zero gradient, the labels change neither the score nor any
     * gradient, and the evaluator reports no NSP figures (NaN) while its MLM figures stay the same.
     */
    @Test
    void withoutNspLabelsTheNspHeadGetsNoGradientAndNoMetric() throws Exception {
        BertTestData data = BertTestData.load(BertTestData.shared().resolve("data/corpora/moby-dick.txt"), 200_000, 2000);
        BertConfig cfg = BertConfig.tiny(data.vocabSize()).withSequence(64, 10);
        ComputationGraph net = BertModel.build(cfg);
        List<BertExample> ex = data.examples(8, 100, cfg, 2);
        BertMetrics with = BertEvaluator.evaluate(net, ex, cfg, 4, true);
        BertMetrics without = BertEvaluator.evaluate(net, ex, cfg, 4, false);
        assertTrue(with.hasNsp() && Double.isFinite(with.nspAccuracy()));
        assertFalse(without.hasNsp());
        assertTrue(Double.isNaN(without.nspLoss()) && Double.isNaN(without.nspAccuracy()));
        assertEquals(with.mlmLoss(), without.mlmLoss(), 0.0);

        MultiDataSet a = BertBatches.toMultiDataSet(ex, cfg, false);
        MultiDataSet flipped = BertBatches.toMultiDataSet(ex, cfg, false);
        flipped.setLabels(1, flipped.getLabels(1).rsub(1.0));
        String[][] head = {{"nsp", "W"}, {"nsp", "b"}, {"pooler", "W"}, {"pooler", "b"}};
        for (INDArray g : gradients(net, a, head)) {
            assertEquals(0.0, g.norm2Number().doubleValue(), "the NSP head and pooler get no gradient");
        }
        double score = net.score();
        String[][] encoder = {{"layer_1", "Wv"}, {"layer_0", "W2"}, {"token_embeddings", "W"}, {"mlm", "W"}};
        INDArray[] ga = gradients(net, a, encoder);
        double scoreA = net.score();
        INDArray[] gb = gradients(net, flipped, encoder);
        assertEquals(scoreA, net.score(), 1e-6, "the NSP labels do not enter the loss");
        for (int i = 0; i < encoder.length; i++) {
            assertTrue(ga[i].norm2Number().doubleValue() > 0, "MLM still trains " + encoder[i][0]);
            assertEquals(ga[i], gb[i], encoder[i][0] + "_" + encoder[i][1]);
        }
        // with NSP labels the same batch scores higher by the NSP cross-entropy
        gradients(net, BertBatches.toMultiDataSet(ex, cfg), head);
        assertTrue(net.score() > score + 0.1, "NSP adds about ln 2: " + net.score() + " vs " + score);
    }

    private static INDArray[] gradients(ComputationGraph net, MultiDataSet mds, String[][] params) {
        net.setInputs(mds.getFeatures());
        net.setLabels(mds.getLabels());
        net.setLayerMaskArrays(mds.getFeaturesMaskArrays(), mds.getLabelsMaskArrays());
        net.computeGradientAndScore();
        INDArray[] g = new INDArray[params.length];
        for (int i = 0; i < params.length; i++) {
            g[i] = net.gradient().getGradientFor(params[i][0] + "_" + params[i][1]).dup();
        }
        return g;
    }
}
