package dev.pretrain.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

class BertMlmOutputLayerTest {
    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();

    /** in [b, h, P] -> mlm; the fused layer or DL4J's RnnOutputLayer (sparse MCXENT, softmax, NCW). */
    private static ComputationGraph graph(boolean fused, int h, int v, DataType dt) {
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(11).dataType(dt)
                .updater(new NoOp()).graphBuilder().addInputs("in")
                .addLayer("mlm", fused ? new BertMlmOutputLayer(h, v)
                        : new RnnOutputLayer.Builder(new LossSparseMCXENT()).nIn(h).nOut(v)
                        .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build(), "in")
                .setOutputs("mlm").build());
        net.init();
        net.initGradientsView();
        return net;
    }

    /**
     * Random input [b, h, P], labels [b, 1, P] in [0, v), label mask [b, P]: 0 at the last position, elsewhere 1
     * ({@code binary}) or random weights in [0.25, 1.75).
     */
    private static INDArray[] data(DataType dt, int b, int h, int p, int v, long seed, boolean binary) {
        Nd4j.getRandom().setSeed(seed);
        java.util.Random r = new java.util.Random(seed);
        INDArray in = Nd4j.randn(dt, b, h, p);
        INDArray labels = Nd4j.zeros(dt, b, 1, p);
        INDArray mask = Nd4j.zeros(dt, b, p);
        for (int e = 0; e < b; e++) {
            for (int k = 0; k < p; k++) {
                labels.putScalar(new long[]{e, 0, k}, r.nextInt(v));
                double w = 0.25 + 1.5 * r.nextDouble();
                mask.putScalar(new long[]{e, k}, k == p - 1 ? 0.0 : binary ? 1.0 : w);
            }
        }
        return new INDArray[]{in, labels, mask};
    }

    private static double relDiff(INDArray a, INDArray b) {
        INDArray ad = a.castTo(DataType.DOUBLE), bd = b.castTo(DataType.DOUBLE);
        double scale = Math.max(1e-6, Math.max(ad.amaxNumber().doubleValue(), bd.amaxNumber().doubleValue()));
        return ad.sub(bd).amaxNumber().doubleValue() / scale;
    }

    private static Pair<Gradient, INDArray> layerBackprop(Layer l, INDArray[] d) {
        l.setInput(d[0], NO_WS);
        ((org.deeplearning4j.nn.api.layers.IOutputLayer) l).setLabels(d[1]);
        l.setMaskArray(d[2]);
        return l.backpropGradient(null, NO_WS);
    }

    /**
     * Google BERT's MLM loss from plain softmax probabilities {@code probs [b, v, P]}: per example, sum over positions
     * of {@code -log p[label] * weight} (double).
     */
    private static double[] manualLoss(INDArray probs, INDArray labels, INDArray mask) {
        int b = (int) probs.size(0), p = (int) probs.size(2);
        double[] out = new double[b];
        for (int e = 0; e < b; e++) {
            for (int k = 0; k < p; k++) {
                double w = mask.getDouble(e, k);
                if (w != 0) out[e] -= Math.log(probs.getDouble(e, labels.getInt(e, 0, k), k)) * w;
            }
        }
        return out;
    }

    /**
     * With 0/1 label masks the fused layer equals DL4J's RnnOutputLayer exactly (score, parameter and input gradients,
     * probabilities).
     */
    @Test
    void scoreGradientsAndOutputEqualRnnOutputLayer() {
        int b = 3, h = 16, p = 5, v = 57;
        ComputationGraph ref = graph(false, h, v, DataType.FLOAT);
        ComputationGraph fused = graph(true, h, v, DataType.FLOAT);
        assertInstanceOf(BertMlmOutputLayerImpl.class, fused.getLayer("mlm"));
        assertEquals(ref.getLayer("mlm").paramTable().keySet(), fused.getLayer("mlm").paramTable().keySet());
        for (String k : ref.getLayer("mlm").paramTable().keySet()) {
            assertArrayEquals(ref.getLayer("mlm").getParam(k).shape(), fused.getLayer("mlm").getParam(k).shape(), k);
        }
        assertEquals(ref.params(), fused.params(), "same seed -> same initial parameters");
        Nd4j.getRandom().setSeed(5);
        ref.setParams(Nd4j.randn(DataType.FLOAT, ref.params().shape()).muli(0.5));
        fused.setParams(ref.params());
        INDArray[] d = data(DataType.FLOAT, b, h, p, v, 1, true);
        MultiDataSet mds = new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{d[0]}, new INDArray[]{d[1]}, null,
                new INDArray[]{d[2]});

        // whole-graph score and parameter gradients
        for (ComputationGraph n : new ComputationGraph[]{ref, fused}) {
            n.setInputs(d[0]);
            n.setLabels(d[1]);
            n.setLayerMaskArrays(null, new INDArray[]{d[2]});
            n.computeGradientAndScore();
        }
        assertTrue(ref.score() > 1.0, "non-trivial loss " + ref.score());
        assertEquals(ref.score(), fused.score(), 1e-5 * ref.score());
        for (String k : new String[]{"mlm_W", "mlm_b"}) {
            INDArray gr = ref.gradient().gradientForVariable().get(k), gf = fused.gradient().gradientForVariable().get(k);
            assertArrayEquals(gr.shape(), gf.shape(), k);
            assertTrue(relDiff(gr, gf) < 1e-4, k + " rel diff " + relDiff(gr, gf));
        }
        assertEquals(ref.score(mds), fused.score(mds), 1e-5 * ref.score());

        // input gradient (epsilon) at layer level
        INDArray epsRef = layerBackprop(ref.getLayer("mlm"), d).getSecond();
        INDArray epsFused = layerBackprop(fused.getLayer("mlm"), d).getSecond();
        assertArrayEquals(new long[]{b, h, p}, epsFused.shape());
        assertTrue(relDiff(epsRef, epsFused) < 1e-4, "epsilon rel diff " + relDiff(epsRef, epsFused));

        // inference: softmax probabilities [b, vocab, P]
        INDArray outRef = ref.outputSingle(d[0]), outFused = fused.outputSingle(d[0]);
        assertArrayEquals(new long[]{b, v, p}, outFused.shape());
        assertTrue(relDiff(outRef, outFused) < 1e-5, "output rel diff " + relDiff(outRef, outFused));
        assertEquals(1.0, outFused.sum(1).getDouble(1, 2), 1e-5);
    }

    /**
     * With fractional label-mask weights the fused layer computes the weighted cross-entropy of the plain softmax
     * (Google BERT's loss). DL4J's RnnOutputLayer does not: its pre-output is multiplied by the mask before the
     * softmax (BaseLayer.preOutput applies the mask array), so its loss uses softmax(weight * logits).
     */
    @Test
    void fractionalWeightsGiveWeightedCrossEntropyOfThePlainSoftmax() {
        int b = 3, h = 16, p = 5, v = 57;
        ComputationGraph ref = graph(false, h, v, DataType.FLOAT);
        ComputationGraph fused = graph(true, h, v, DataType.FLOAT);
        Nd4j.getRandom().setSeed(6);
        fused.setParams(Nd4j.randn(DataType.FLOAT, fused.params().shape()).muli(0.5));
        ref.setParams(fused.params());
        INDArray[] d = data(DataType.FLOAT, b, h, p, v, 4, false);
        MultiDataSet mds = new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{d[0]}, new INDArray[]{d[1]}, null,
                new INDArray[]{d[2]});
        double[] perEx = manualLoss(fused.outputSingle(d[0]), d[1], d[2]);
        double expected = (perEx[0] + perEx[1] + perEx[2]) / b;
        assertEquals(expected, fused.score(mds), 1e-5 * expected);
        INDArray scores = fused.scoreExamples(mds, false);
        for (int e = 0; e < b; e++) assertEquals(perEx[e], scores.getDouble(e), 1e-5 * perEx[e]);
        assertTrue(Math.abs(ref.score(mds) - expected) > 1e-3 * expected,
                "DL4J's RnnOutputLayer masks the logits: " + ref.score(mds) + " vs " + expected);
    }

    @Test
    void finiteDifferencesInDoublePrecision() {
        int b = 2, h = 5, p = 3, v = 7;
        ComputationGraph net = graph(true, h, v, DataType.DOUBLE);
        Nd4j.getRandom().setSeed(9);
        net.setParams(Nd4j.randn(DataType.DOUBLE, net.params().shape()));
        Layer l = net.getLayer("mlm");
        INDArray[] d = data(DataType.DOUBLE, b, h, p, v, 2, false);
        Pair<Gradient, INDArray> g = layerBackprop(l, d);
        double s0 = ((org.deeplearning4j.nn.api.layers.IOutputLayer) l).computeScore(0.0, true, NO_WS);
        assertEquals(s0, ((org.deeplearning4j.nn.api.layers.IOutputLayer) l).computeScore(0.0, true, NO_WS), 1e-12,
                "the score cached by backprop equals a fresh score pass");
        double eps = 1e-6;
        // the layer's gradients are of the summed loss; the score is that sum / batch (DL4J's minibatch averaging)
        int checked = 0;
        for (String k : new String[]{"W", "b"}) {
            INDArray param = l.getParam(k);
            INDArray grad = g.getFirst().gradientForVariable().get(k);
            for (long i = 0; i < param.length(); i += 3) {
                assertEquals(fd(l, param, i, eps) * b, grad.getDouble(i), 1e-6, k + "[" + i + "]");
                checked++;
            }
        }
        INDArray in = d[0];
        for (long i = 0; i < in.length(); i += 2) {
            assertEquals(fd(l, in, i, eps) * b, g.getSecond().getDouble(i), 1e-6, "input[" + i + "]");
            checked++;
        }
        assertEquals(30, checked);
    }

    /** Central difference of the layer's score w.r.t. element i of the (parameter or input) array a. */
    private static double fd(Layer l, INDArray a, long i, double eps) {
        org.deeplearning4j.nn.api.layers.IOutputLayer o = (org.deeplearning4j.nn.api.layers.IOutputLayer) l;
        double orig = a.getDouble(i);
        a.putScalar(i, orig + eps);
        double plus = o.computeScore(0.0, true, NO_WS);
        a.putScalar(i, orig - eps);
        double minus = o.computeScore(0.0, true, NO_WS);
        a.putScalar(i, orig);
        return (plus - minus) / (2 * eps);
    }

    @Test
    void rejectsBadLabels() {
        ComputationGraph net = graph(true, 4, 6, DataType.FLOAT);
        INDArray[] d = data(DataType.FLOAT, 2, 4, 3, 6, 3, true);
        d[1].putScalar(new long[]{1, 0, 2}, 6);
        Layer l = net.getLayer("mlm");
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> layerBackprop(l, d));
        assertTrue(ex.getMessage().contains("not a class index"), ex.getMessage());
    }

    @Test
    void bertModelMatchesRnnOutputLayerTrainsAndRoundTrips() throws Exception {
        BertTestData data = BertTestData.load(BertTestData.shared().resolve("data/corpora/moby-dick.txt"), 150_000, 800);
        BertConfig cfg = BertConfig.tiny(data.vocabSize()).withSequence(32, 5);
        assertTrue(cfg.isFusedMlmOutput(), "the fused MLM output layer is the default");
        BertConfig refCfg = cfg.withFusedMlmOutput(false);
        assertEquals(refCfg.toJson(), BertConfig.fromJson(refCfg.toJson()).toJson());
        ComputationGraph ref = BertModel.build(refCfg);
        ComputationGraph net = BertModel.build(cfg);
        assertInstanceOf(BertMlmOutputLayerImpl.class, net.getLayer("mlm"));
        assertEquals(ref.params(), net.params(), "same parameters at init");
        List<BertExample> ex = data.examples(16, 50, cfg, 3);
        MultiDataSet mds = BertBatches.toMultiDataSet(ex, cfg);
        // with 0/1 MLM weights DL4J's RnnOutputLayer and the fused layer agree (see the layer-level tests)
        INDArray binary = mds.getLabelsMaskArray(0).gt(0).castTo(DataType.FLOAT);
        MultiDataSet bin = new org.nd4j.linalg.dataset.MultiDataSet(mds.getFeatures(), mds.getLabels(), null,
                new INDArray[]{binary, null});
        double s0 = ref.score(bin);
        assertEquals(s0, net.score(bin), 1e-5 * s0, "same loss at init");
        ref.fit(bin);
        net.fit(bin);
        assertTrue(relDiff(ref.params(), net.params()) < 1e-3, "one step: same update " + relDiff(ref.params(), net.params()));
        // with BertBatches' weights (w * b / sum w): MLM part of the score = Google BERT's weighted mean loss
        MultiDataSet noMlm = new org.nd4j.linalg.dataset.MultiDataSet(mds.getFeatures(), mds.getLabels(), null,
                new INDArray[]{Nd4j.zeros(DataType.FLOAT, 16, 5), null});
        double mlmPart = net.score(mds) - net.score(noMlm);
        double[] perEx = manualLoss(net.output(false, mds.getFeatures(), null, null)[0], mds.getLabels(0),
                mds.getLabelsMaskArray(0));
        double expected = java.util.Arrays.stream(perEx).sum() / 16;
        assertEquals(expected, mlmPart, 1e-4 * expected, "weighted mean MLM loss");
        assertTrue(Math.abs(expected - Math.log(cfg.getVocabSize())) < 1.0, "MLM loss near ln(vocab): " + expected);
        s0 = net.score(mds);
        BertMlmOutputLayerImpl mlm = (BertMlmOutputLayerImpl) net.getLayer("mlm");
        long passes = mlm.rowPasses();
        for (int i = 0; i < 15; i++) net.fit(mds);
        assertEquals(passes + 15, mlm.rowPasses(), "one logits pass per training step (score reuses backprop's loss)");
        double s1 = net.score(mds);
        assertTrue(s1 < s0 - 0.5, "trains: " + s0 + " -> " + s1);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BertModelIO.save(net, bytes);
        ComputationGraph loaded = BertModelIO.load(new ByteArrayInputStream(bytes.toByteArray()));
        assertInstanceOf(BertMlmOutputLayerImpl.class, loaded.getLayer("mlm"));
        assertEquals(net.params(), loaded.params());
        INDArray[] a = net.output(false, mds.getFeatures(), null, null);
        INDArray[] c = loaded.output(false, mds.getFeatures(), null, null);
        assertArrayEquals(new long[]{16, cfg.getVocabSize(), 5}, a[0].shape());
        assertEquals(a[0], c[0]);
        assertEquals(s1, loaded.score(mds), 1e-6 * s1);
    }
}
