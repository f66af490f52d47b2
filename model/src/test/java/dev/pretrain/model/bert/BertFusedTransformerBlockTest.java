package dev.pretrain.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;

class BertFusedTransformerBlockTest {
    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();

    /** in [b, h+1, t] -> block -> MSE output layer; the block is the SameDiff or the fused one. */
    private static ComputationGraph blockGraph(boolean fused, int h, int heads, int inter, int t, DataType dt) {
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(7).dataType(dt)
                .updater(new NoOp()).graphBuilder().addInputs("in")
                .addLayer("block", fused ? new BertFusedTransformerBlock(h, heads, inter, t)
                        : new BertTransformerBlock(h, heads, inter, t), "in")
                .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(h + 1).nOut(2)
                        .activation(Activation.IDENTITY).dataFormat(RNNFormat.NCW).build(), "block")
                .setOutputs("out").build());
        net.init();
        net.initGradientsView();
        return net;
    }

    /** Random hidden states; mask channel 1 for the first lengths[e] positions of example e, else 0. */
    private static INDArray input(DataType dt, int h, int t, int[] lengths, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray in = Nd4j.randn(dt, lengths.length, h + 1, t);
        for (int e = 0; e < lengths.length; e++) {
            for (int j = 0; j < t; j++) in.putScalar(new long[]{e, h, j}, j < lengths[e] ? 1 : 0);
        }
        return in;
    }

    private static void randomizeParams(Layer l, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray p = l.params();
        p.assign(Nd4j.randn(p.dataType(), p.shape()).muli(0.3));
        // layer-norm gains around 1
        for (String g : new String[]{"ln1g", "ln2g"}) l.getParam(g).addi(1.0);
    }

    private static double maxAbsDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    private static double relDiff(INDArray a, INDArray b) {
        double scale = Math.max(1e-6, Math.max(a.amaxNumber().doubleValue(), b.amaxNumber().doubleValue()));
        return maxAbsDiff(a, b) / scale;
    }

    @Test
    void forwardAndGradientsEqualTheSameDiffBlock() {
        int h = 32, heads = 4, inter = 64, t = 9;
        DataType dt = DataType.FLOAT;
        Layer sd = blockGraph(false, h, heads, inter, t, dt).getLayer("block");
        Layer fu = blockGraph(true, h, heads, inter, t, dt).getLayer("block");
        // same names, shapes and flattened order: the SameDiff block's parameter vector works as is
        assertEquals(new ArrayList<>(sd.paramTable().keySet()), new ArrayList<>(fu.paramTable().keySet()));
        randomizeParams(sd, 11);
        fu.setParams(sd.params().dup());
        for (Map.Entry<String, INDArray> e : sd.paramTable().entrySet()) {
            assertArrayEquals(e.getValue().shape(), fu.getParam(e.getKey()).shape(), e.getKey());
            assertEquals(e.getValue(), fu.getParam(e.getKey()), e.getKey());
        }
        INDArray in = input(dt, h, t, new int[]{t, 5, 2}, 3);
        sd.setInput(in.dup(), NO_WS);
        fu.setInput(in.dup(), NO_WS);
        INDArray outSd = sd.activate(true, NO_WS).dup();
        INDArray outFu = fu.activate(true, NO_WS).dup();
        assertArrayEquals(outSd.shape(), outFu.shape());
        assertTrue(maxAbsDiff(outSd, outFu) < 2e-5, "forward max abs diff " + maxAbsDiff(outSd, outFu));
        assertTrue(outFu.amaxNumber().doubleValue() > 0.5, "non-trivial output");
        // mask channel passes through
        assertEquals(in.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(h),
                org.nd4j.linalg.indexing.NDArrayIndex.all()), outFu.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.point(h), org.nd4j.linalg.indexing.NDArrayIndex.all()));

        Nd4j.getRandom().setSeed(5);
        INDArray eps = Nd4j.randn(dt, outSd.shape());
        Pair<Gradient, INDArray> gSd = sd.backpropGradient(eps.dup(), NO_WS);
        Pair<Gradient, INDArray> gFu = fu.backpropGradient(eps.dup(), NO_WS);
        // The SameDiff block's gradients (parameters and input) come out exactly twice the true gradient in DL4J
        // M2.1; the fused block's match finite differences (next test). Compare with half the SameDiff values.
        var hid = new org.nd4j.linalg.indexing.INDArrayIndex[]{org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, h), org.nd4j.linalg.indexing.NDArrayIndex.all()};
        double r = relDiff(gSd.getSecond().get(hid).mul(0.5), gFu.getSecond().get(hid));
        assertTrue(r < 1e-4, "input gradient rel diff " + r);
        for (String k : sd.paramTable().keySet()) {
            INDArray a = gSd.getFirst().getGradientFor(k).mul(0.5);
            INDArray b = gFu.getFirst().getGradientFor(k);
            if (k.equals("bk")) {
                // a key bias shifts every score of a query row equally: its true gradient is 0
                assertTrue(b.amaxNumber().doubleValue() < 1e-4 * gFu.getFirst().getGradientFor("bq").amaxNumber().doubleValue());
                continue;
            }
            double rk = relDiff(a, b);
            assertTrue(rk < 1e-4, k + " gradient rel diff " + rk);
            assertTrue(b.amaxNumber().doubleValue() > 0, k + " gradient is zero");
        }
        // the gradients land in the layer's slice of the flattened gradient vector
        assertEquals(gFu.getFirst().getGradientFor("W1"), fu.getGradientsViewArray().reshape(-1)
                .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(4L * h * h + h, 4L * h * h + h + (long) h * inter))
                .reshape(1, h, inter));
    }

    @Test
    void gradientsMatchFiniteDifferencesInDouble() {
        int h = 8, heads = 2, inter = 16, t = 5;
        DataType dt = DataType.DOUBLE;
        Layer fu = blockGraph(true, h, heads, inter, t, dt).getLayer("block");
        randomizeParams(fu, 21);
        INDArray in = input(dt, h, t, new int[]{t, 3}, 4);
        Nd4j.getRandom().setSeed(6);
        INDArray r = Nd4j.randn(dt, 2, h + 1, t);   // loss = sum(out * r)
        fu.setInput(in, NO_WS);
        fu.activate(true, NO_WS);
        Pair<Gradient, INDArray> g = fu.backpropGradient(r, NO_WS);
        Map<String, INDArray> analytic = new java.util.LinkedHashMap<>();
        for (String k : fu.paramTable().keySet()) analytic.put(k, g.getFirst().getGradientFor(k).dup());
        INDArray dIn = g.getSecond().dup();
        double eps = 1e-6;
        int checked = 0;
        java.util.Random pick = new java.util.Random(9);
        long expected = in.length();
        for (Map.Entry<String, INDArray> e : analytic.entrySet()) {
            INDArray p = fu.getParam(e.getKey()).reshape(-1);
            // every entry of the small parameters; 24 seeded random entries of each weight matrix
            long[] idx = p.length() <= 24 ? java.util.stream.LongStream.range(0, p.length()).toArray()
                    : pick.longs(24, 0, p.length()).toArray();
            expected += idx.length;
            for (long i : idx) {
                double orig = p.getDouble(i);
                p.putScalar(i, orig + eps);
                double up = loss(fu, in, r);
                p.putScalar(i, orig - eps);
                double down = loss(fu, in, r);
                p.putScalar(i, orig);
                assertClose((up - down) / (2 * eps), e.getValue().reshape(-1).getDouble(i), e.getKey() + "[" + i + "]");
                checked++;
            }
        }
        INDArray flatIn = in.reshape(-1);
        INDArray flatD = dIn.reshape(-1);
        for (long i = 0; i < flatIn.length(); i++) {
            // the mask channel enters as 10000 (mask - 1): a smaller step keeps the central difference accurate
            double step = (i / t) % (h + 1) == h ? 1e-9 : eps;
            double orig = flatIn.getDouble(i);
            flatIn.putScalar(i, orig + step);
            double up = loss(fu, in, r);
            flatIn.putScalar(i, orig - step);
            double down = loss(fu, in, r);
            flatIn.putScalar(i, orig);
            assertClose((up - down) / (2 * step), flatD.getDouble(i), step == eps ? 1e-7 : 1e-5, "input[" + i + "]");
            checked++;
        }
        assertEquals(expected, checked);
    }

    private static double loss(Layer l, INDArray in, INDArray r) {
        l.setInput(in, NO_WS);
        return l.activate(true, NO_WS).mul(r).sumNumber().doubleValue();
    }

    private static void assertClose(double numeric, double analytic, String what) {
        assertClose(numeric, analytic, 1e-7, what);
    }

    private static void assertClose(double numeric, double analytic, double absTol, String what) {
        double err = Math.abs(numeric - analytic);
        assertTrue(err < absTol || err / (Math.abs(numeric) + Math.abs(analytic)) < 1e-5,
                what + ": numeric " + numeric + " vs analytic " + analytic);
    }

    @Test
    void bertModelWithFusedBlocksMatchesTrainsAndRoundTrips() throws Exception {
        BertTestData data = BertTestData.load(BertTestData.shared().resolve("data/corpora/moby-dick.txt"), 150_000, 800);
        BertConfig sdCfg = BertConfig.tiny(data.vocabSize()).withSequence(32, 5).withFusedBlocks(false);
        assertTrue(BertConfig.tiny(data.vocabSize()).isFusedBlocks(), "fused blocks are the default");
        BertConfig cfg = sdCfg.withFusedBlocks(true);
        assertTrue(cfg.toJson().contains("\"fused_blocks\" : true"));
        assertEquals(cfg, BertConfig.fromJson(cfg.toJson()));
        BertTrainingConfig tc = new BertTrainingConfig(8, 1, 1, 1, 2e-3, 0.01, 2, 7);
        ComputationGraph sd = BertModel.build(sdCfg, tc);
        ComputationGraph net = BertModel.build(cfg, tc);
        assertInstanceOf(BertFusedTransformerBlock.class, net.getLayer("layer_0").conf().getLayer());
        assertEquals(sd.numParams(), net.numParams());
        net.setParams(sd.params());
        List<BertExample> ex = data.examples(16, 50, cfg, 3);
        MultiDataSet a = BertBatches.toMultiDataSet(ex.subList(0, 8), cfg);
        MultiDataSet b = BertBatches.toMultiDataSet(ex.subList(8, 16), cfg);

        // the whole graph's loss and gradient agree with the SameDiff-block model
        for (ComputationGraph g : List.of(sd, net)) {
            g.setInputs(a.getFeatures());
            g.setLabels(a.getLabels());
            g.setLayerMaskArrays(a.getFeaturesMaskArrays(), a.getLabelsMaskArrays());
            g.computeGradientAndScore();
        }
        assertEquals(sd.score(), net.score(), 1e-4 * Math.abs(sd.score()));
        for (Map.Entry<String, INDArray> e : sd.gradient().gradientForVariable().entrySet()) {
            String k = e.getKey();
            INDArray fg = net.gradient().getGradientFor(k);
            if (k.startsWith("mlm") || k.startsWith("pooler") || k.startsWith("nsp")) {
                double r = relDiff(e.getValue(), fg);
                assertTrue(r < 1e-4, k + " gradient rel diff " + r);
            } else if (!k.endsWith("_bk")) {
                // blocks and embeddings: same direction (the SameDiff blocks scale their gradients by powers of 2)
                double cos = e.getValue().castTo(DataType.DOUBLE).mul(fg.castTo(DataType.DOUBLE)).sumNumber().doubleValue()
                        / (e.getValue().norm2Number().doubleValue() * fg.norm2Number().doubleValue());
                assertTrue(cos > 0.9999, k + " gradient cosine " + cos);
            }
        }

        // trains; the per-layer schedule reaches the fused blocks
        BertMetrics before = BertEvaluator.evaluate(net, ex, cfg, 8);
        for (int i = 0; i < 5; i++) {
            net.fit(a);
            net.fit(b);
        }
        BertMetrics after = BertEvaluator.evaluate(net, ex, cfg, 8);
        assertTrue(after.mlmLoss() < before.mlmLoss() - 0.5, before + " -> " + after);
        ISchedule s = new WarmupSchedule(1e-3, 2, 100);
        BertModel.setSchedule(net, s);
        assertSame(s, ((Adam) ((BertFusedTransformerBlock) net.getLayer("layer_1").conf().getLayer()).getIUpdater())
                .getLearningRateSchedule());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BertModelIO.save(net, bytes);
        ComputationGraph loaded = BertModelIO.load(new ByteArrayInputStream(bytes.toByteArray()));
        assertInstanceOf(BertFusedTransformerBlock.class, loaded.getLayer("layer_1").conf().getLayer());
        INDArray[] o1 = net.output(false, a.getFeatures());
        INDArray[] o2 = loaded.output(false, a.getFeatures());
        assertEquals(o1[0], o2[0]);
        assertEquals(o1[1], o2[1]);
        assertEquals(net.getUpdater().getStateViewArray(), loaded.getUpdater().getStateViewArray());
        loaded.fit(a);
        assertTrue(Double.isFinite(loaded.score()));
    }
}
