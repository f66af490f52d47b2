package dev.pretrain.model.bert;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The layer of {@link BertFusedTransformerBlock}: forward and backward written out by hand. Dense products are BLAS
 * gemm calls on token-major {@code [batch * seqLen, channels]} matrices (Q, K and V as one {@code [hidden, 3 hidden]}
 * product); attention is a loop of gemm calls per (example, head) on strided views; bias + GELU, residual + layer
 * norm and masked softmax (forward and backward) are single-pass Java loops over the arrays' direct buffers.
 *
 * <p>Working arrays are detached (outside DL4J workspaces), kept by the layer between calls and re-allocated when the
 * batch size, sequence length or data type changes; they hold the forward pass's intermediate values, so
 * {@link #backpropGradient} refers to the most recent {@link #activate} call (as DL4J's training loop does).
 * Not thread-safe (one layer instance per model replica, as in DL4J).
 *
 * <p>With {@code -Dbert.fused.profile=true} the layer accumulates the calling thread's CPU time per stage (ND4J runs
 * its ops on the calling thread with one OpenMP thread); see {@link #profile()}.
 */
public class BertFusedBlockLayer extends BaseLayer<BertFusedTransformerBlock> {
    private static final boolean PROFILE = Boolean.getBoolean("bert.fused.profile");
    private static final String[] STAGES = {
            "fwd io (permute in/out)", "fwd QKV gemm", "fwd attention (gemm + softmax)", "fwd out-proj gemm",
            "fwd residual + LN1", "fwd FFN1 gemm", "fwd bias + GELU", "fwd FFN2 gemm", "fwd residual + LN2",
            "bwd io (permute in/out)", "bwd LN2", "bwd FFN2 gemms", "bwd GELU", "bwd FFN1 gemms", "bwd LN1",
            "bwd out-proj gemms", "bwd attention (gemm + softmax)", "bwd QKV gemms + bias", "bwd param grads out"};
    private static final long[] NANOS = new long[STAGES.length];
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double GELU_C = 0.044715;
    private static final double LN_EPS = 1e-12;
    private static final double MASK_PENALTY = 10000.0;
    /**
     * True when the JDK Vector API module is in the boot layer ({@code --add-modules jdk.incubator.vector}) and not
     * disabled with {@code -Dbert.fused.scalar=true}: float32 element-wise kernels then run on
     * {@link BertFusedVectorKernels}.
     */
    static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !Boolean.getBoolean("bert.fused.scalar");

    // working arrays, allocated for (b, t, dtype)
    private transient int allocB = -1;
    private transient int allocT = -1;
    private transient DataType allocType;
    private transient INDArray x, qkv, probs, ctx, attnOut, x1, xhat1, f1, th, g, f2, y, xhat2, mask;
    private transient INDArray dY, dR2, dG, dX1, dR1, dC, dP, dQkv, dX, wQkv, dWqkv;
    private transient INDArray[] qV, kV, vV, cV, pV, dqV, dkV, dvV, dcV;
    private transient double[] rstd1, rstd2, keyBias, dKeyBias;
    private transient float[] keyBiasF, dKeyBiasF, s1, s2, s3;

    public BertFusedBlockLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Which element-wise kernels float32 layers use: the Vector API species, or "scalar". */
    public static String kernel() {
        return VECTOR ? BertFusedVectorKernels.describe() : "scalar";
    }

    /** Accumulated thread-CPU nanoseconds per stage since start (all instances), when profiling is on; else empty. */
    public static synchronized Map<String, Long> profile() {
        Map<String, Long> m = new LinkedHashMap<>();
        if (PROFILE) for (int i = 0; i < STAGES.length; i++) m.put(STAGES[i], NANOS[i]);
        return m;
    }

    /** Resets the {@link #profile()} counters. */
    public static synchronized void resetProfile() {
        java.util.Arrays.fill(NANOS, 0);
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private static long tick(int stage, long t0) {
        if (!PROFILE) return 0;
        long t = THREADS.getCurrentThreadCpuTime();
        synchronized (BertFusedBlockLayer.class) {
            NANOS[stage] += t - t0;
        }
        return t;
    }

    private static long now() {
        return PROFILE ? THREADS.getCurrentThreadCpuTime() : 0;
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    // ---------------------------------------------------------------- forward

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        BertFusedTransformerBlock c = layerConf();
        int h = c.getHidden();
        if (input.rank() != 3 || input.size(1) != h + 1) {
            throw new IllegalArgumentException("BertFusedTransformerBlock (layer " + layerId() + "): expected input [batch, "
                    + (h + 1) + ", seqLen], got " + java.util.Arrays.toString(input.shape()));
        }
        int b = (int) input.size(0);
        int t = (int) input.size(2);
        ensureBuffers(b, t, input.dataType());
        int heads = c.getHeads();
        int d = h / heads;
        int inter = c.getIntermediate();
        int n = b * t;
        double scale = 1.0 / Math.sqrt(d);

        long t0 = now();
        x.reshape(b, t, h).assign(input.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h), NDArrayIndex.all()).permute(0, 2, 1));
        mask.assign(input.get(NDArrayIndex.all(), NDArrayIndex.point(h), NDArrayIndex.all()));
        Buf m = Buf.of(mask);
        for (int i = 0; i < n; i++) {
            keyBias[i] = (m.get(i) - 1.0) * MASK_PENALTY;
            keyBiasF[i] = (float) keyBias[i];
        }
        boolean vec = VECTOR && allocType == DataType.FLOAT;
        t0 = tick(0, t0);

        // Q, K, V = X [Wq | Wk | Wv] + [bq | bk | bv]
        wQkv.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h)).assign(w2("Wq"));
        wQkv.get(NDArrayIndex.all(), NDArrayIndex.interval(h, 2 * h)).assign(w2("Wk"));
        wQkv.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * h, 3 * h)).assign(w2("Wv"));
        mm(x, wQkv, qkv, false, false, 1, 0);
        double[] bqkv = concat(p("bq"), p("bk"), p("bv"));
        if (vec) BertFusedVectorKernels.addBias(fb(qkv), n, 3 * h, toFloat(bqkv), s1);
        else addBias(Buf.of(qkv), n, 3 * h, bqkv);
        t0 = tick(1, t0);

        // per (example, head): P = softmax(scale Q K^T + keyBias), context = P V
        Buf pb = vec ? null : Buf.of(probs);
        FloatBuffer pf = vec ? fb(probs) : null;
        for (int e = 0; e < b; e++) {
            for (int hh = 0; hh < heads; hh++) {
                int bh = e * heads + hh;
                mm(qV[bh], kV[bh], pV[bh], false, true, scale, 0);
                if (vec) BertFusedVectorKernels.softmaxRows(pf, bh * t * t, t, keyBiasF, e * t, s1);
                else softmaxRows(pb, bh * t * t, t, keyBias, e * t);
                mm(pV[bh], vV[bh], cV[bh], false, false, 1, 0);
            }
        }
        t0 = tick(2, t0);

        mm(ctx, w2("Wo"), attnOut, false, false, 1, 0);
        t0 = tick(3, t0);
        // X1 = LN(X + attn + bo)
        if (vec) {
            BertFusedVectorKernels.residualLayerNorm(fb(x), fb(attnOut), pf("bo"), pf("ln1g"), pf("ln1b"), fb(xhat1), fb(x1),
                    rstd1, n, h, s1, s2);
        } else {
            residualLayerNorm(Buf.of(x), Buf.of(attnOut), p("bo"), p("ln1g"), p("ln1b"), Buf.of(xhat1), Buf.of(x1), rstd1, n, h);
        }
        t0 = tick(4, t0);

        mm(x1, w2("W1"), f1, false, false, 1, 0);
        t0 = tick(5, t0);
        if (vec) BertFusedVectorKernels.biasGelu(fb(f1), fb(th), fb(g), pf("b1"), n, inter, s1, s2, s3);
        else biasGelu(Buf.of(f1), Buf.of(th), Buf.of(g), p("b1"), n, inter);
        t0 = tick(6, t0);
        mm(g, w2("W2"), f2, false, false, 1, 0);
        t0 = tick(7, t0);
        if (vec) {
            BertFusedVectorKernels.residualLayerNorm(fb(x1), fb(f2), pf("b2"), pf("ln2g"), pf("ln2b"), fb(xhat2), fb(y),
                    rstd2, n, h, s1, s2);
        } else {
            residualLayerNorm(Buf.of(x1), Buf.of(f2), p("b2"), p("ln2g"), p("ln2b"), Buf.of(xhat2), Buf.of(y), rstd2, n, h);
        }
        t0 = tick(8, t0);

        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), b, h + 1, t);
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h), NDArrayIndex.all()).assign(y.reshape(b, t, h).permute(0, 2, 1));
        out.get(NDArrayIndex.all(), NDArrayIndex.point(h), NDArrayIndex.all()).assign(mask);
        tick(0, t0);
        return out;
    }

    // ---------------------------------------------------------------- backward

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        BertFusedTransformerBlock c = layerConf();
        int h = c.getHidden();
        int b = (int) input.size(0);
        int t = (int) input.size(2);
        if (b != allocB || t != allocT || x == null) {
            throw new IllegalStateException("BertFusedTransformerBlock (layer " + layerId() + "): backprop without a matching"
                    + " forward pass");
        }
        int heads = c.getHeads();
        int d = h / heads;
        int inter = c.getIntermediate();
        int n = b * t;
        double scale = 1.0 / Math.sqrt(d);
        boolean vec = VECTOR && allocType == DataType.FLOAT;

        long t0 = now();
        dY.reshape(b, t, h).assign(epsilon.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h), NDArrayIndex.all()).permute(0, 2, 1));
        t0 = tick(9, t0);

        // LN2: dR2 (= dF2 and the residual part of dX1); ln2g, ln2b, b2 gradients
        double[] gGamma2 = new double[h], gBeta2 = new double[h], gB2 = new double[h];
        if (vec) {
            float[] a1 = new float[h], a2 = new float[h], a3 = new float[h];
            BertFusedVectorKernels.layerNormBackward(fb(dY), null, fb(xhat2), rstd2, pf("ln2g"), fb(dR2), a1, a2, a3, n, h,
                    s1, s2, s3);
            gGamma2 = toDouble(a1);
            gBeta2 = toDouble(a2);
            gB2 = toDouble(a3);
        } else {
            layerNormBackward(Buf.of(dY), null, Buf.of(xhat2), rstd2, p("ln2g"), Buf.of(dR2), gGamma2, gBeta2, gB2, n, h);
        }
        t0 = tick(10, t0);

        mm(g, dR2, g2("W2"), true, false, 1, 0);        // dW2 = G^T dF2
        mm(dR2, w2("W2"), dG, false, true, 1, 0);       // dG = dF2 W2^T
        t0 = tick(11, t0);
        double[] gB1;                                   // dG -> dF1 in place
        if (vec) {
            float[] a1 = new float[inter];
            BertFusedVectorKernels.geluBackward(fb(dG), fb(f1), fb(th), n, inter, a1, s1, s2, s3);
            gB1 = toDouble(a1);
        } else {
            gB1 = geluBackward(Buf.of(dG), Buf.of(f1), Buf.of(th), n, inter);
        }
        t0 = tick(12, t0);
        mm(x1, dG, g2("W1"), true, false, 1, 0);        // dW1 = X1^T dF1
        mm(dG, w2("W1"), dX1, false, true, 1, 0);       // dX1 (FFN part) = dF1 W1^T
        t0 = tick(13, t0);

        // LN1 on dX1 + dR2: dR1 (= d attn out and the residual part of dX); ln1g, ln1b, bo gradients
        double[] gGamma1 = new double[h], gBeta1 = new double[h], gBo = new double[h];
        if (vec) {
            float[] a1 = new float[h], a2 = new float[h], a3 = new float[h];
            BertFusedVectorKernels.layerNormBackward(fb(dX1), fb(dR2), fb(xhat1), rstd1, pf("ln1g"), fb(dR1), a1, a2, a3, n, h,
                    s1, s2, s3);
            gGamma1 = toDouble(a1);
            gBeta1 = toDouble(a2);
            gBo = toDouble(a3);
        } else {
            layerNormBackward(Buf.of(dX1), Buf.of(dR2), Buf.of(xhat1), rstd1, p("ln1g"), Buf.of(dR1), gGamma1, gBeta1, gBo, n, h);
        }
        t0 = tick(14, t0);

        mm(ctx, dR1, g2("Wo"), true, false, 1, 0);      // dWo = C^T dA
        mm(dR1, w2("Wo"), dC, false, true, 1, 0);       // dC = dA Wo^T
        t0 = tick(15, t0);

        Buf pb = vec ? null : Buf.of(probs);
        Buf dpb = vec ? null : Buf.of(dP);
        FloatBuffer pf = vec ? fb(probs) : null;
        FloatBuffer dpf = vec ? fb(dP) : null;
        java.util.Arrays.fill(dKeyBias, 0);
        java.util.Arrays.fill(dKeyBiasF, 0);
        for (int e = 0; e < b; e++) {
            for (int hh = 0; hh < heads; hh++) {
                int bh = e * heads + hh;
                mm(dcV[bh], vV[bh], dP, false, true, 1, 0);         // dP = dC V^T
                mm(pV[bh], dcV[bh], dvV[bh], true, false, 1, 0);    // dV = P^T dC
                if (vec) BertFusedVectorKernels.softmaxBackwardRows(pf, bh * t * t, dpf, t, dKeyBiasF, e * t, s1, s2);
                else softmaxBackwardRows(pb, bh * t * t, dpb, t, dKeyBias, e * t);   // dP -> dS in place
                mm(dP, kV[bh], dqV[bh], false, false, scale, 0);    // dQ = scale dS K
                mm(dP, qV[bh], dkV[bh], true, false, scale, 0);     // dK = scale dS^T Q
            }
        }
        t0 = tick(16, t0);

        mm(x, dQkv, dWqkv, true, false, 1, 0);                      // [dWq | dWk | dWv] = X^T dQKV
        mm(dQkv, wQkv, dX, false, true, 1, 0);                      // dX (attention part) = dQKV Wqkv^T
        dX.addi(dR1);                                               // + residual
        INDArray dBqkv = dQkv.sum(0);
        t0 = tick(17, t0);

        g2("Wq").assign(dWqkv.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h)));
        g2("Wk").assign(dWqkv.get(NDArrayIndex.all(), NDArrayIndex.interval(h, 2 * h)));
        g2("Wv").assign(dWqkv.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * h, 3 * h)));
        gradientViews.get("bq").assign(dBqkv.get(NDArrayIndex.interval(0, h)));
        gradientViews.get("bk").assign(dBqkv.get(NDArrayIndex.interval(h, 2 * h)));
        gradientViews.get("bv").assign(dBqkv.get(NDArrayIndex.interval(2 * h, 3 * h)));
        setGrad("bo", gBo);
        setGrad("ln1g", gGamma1);
        setGrad("ln1b", gBeta1);
        setGrad("b1", gB1);
        setGrad("b2", gB2);
        setGrad("ln2g", gGamma2);
        setGrad("ln2b", gBeta2);
        t0 = tick(18, t0);

        INDArray epsOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), b, h + 1, t);
        epsOut.get(NDArrayIndex.all(), NDArrayIndex.interval(0, h), NDArrayIndex.all()).assign(dX.reshape(b, t, h).permute(0, 2, 1));
        // input_mask channel: passed-through gradient + d keyBias / d mask (keyBias = (mask - 1) * 10000)
        if (vec) for (int i = 0; i < n; i++) dKeyBias[i] = dKeyBiasF[i];
        INDArray dMask = Nd4j.createFromArray(dKeyBias).castTo(input.dataType()).reshape(b, t).muli(MASK_PENALTY);
        dMask.addi(epsilon.get(NDArrayIndex.all(), NDArrayIndex.point(h), NDArrayIndex.all()));
        epsOut.get(NDArrayIndex.all(), NDArrayIndex.point(h), NDArrayIndex.all()).assign(dMask);
        tick(9, t0);

        Gradient grad = new DefaultGradient(gradientsFlattened);
        for (String k : BertFusedBlockParamInitializer.INSTANCE.paramKeys(c)) {
            grad.gradientForVariable().put(k, gradientViews.get(k));
        }
        return new Pair<>(grad, epsOut);
    }

    // ---------------------------------------------------------------- helpers

    private INDArray w2(String name) {
        INDArray w = params.get(name);
        return w.reshape('c', w.size(1), w.size(2));
    }

    private INDArray g2(String name) {
        INDArray w = gradientViews.get(name);
        return w.reshape('c', w.size(1), w.size(2));
    }

    private float[] pf(String name) {
        return params.get(name).toFloatVector();
    }

    private static FloatBuffer fb(INDArray a) {
        if (a.isView() || a.ordering() != 'c' || a.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("BertFusedBlockLayer: need a contiguous 'c' float array");
        }
        return a.data().asNioFloat();
    }

    private static float[] toFloat(double[] v) {
        float[] o = new float[v.length];
        for (int i = 0; i < v.length; i++) o[i] = (float) v[i];
        return o;
    }

    private static double[] toDouble(float[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) o[i] = v[i];
        return o;
    }

    private double[] p(String name) {
        return params.get(name).toDoubleVector();
    }

    private void setGrad(String name, double[] v) {
        gradientViews.get(name).assign(Nd4j.createFromArray(v).castTo(gradientViews.get(name).dataType()));
    }

    private static double[] concat(double[]... parts) {
        int len = 0;
        for (double[] p : parts) len += p.length;
        double[] out = new double[len];
        int o = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    /** c = alpha op(a) op(b) + beta c, through ND4J's mmul op (BLAS gemm; strided views with unit inner stride allowed). */
    private static void mm(INDArray a, INDArray b, INDArray c, boolean ta, boolean tb, double alpha, double beta) {
        Nd4j.exec(new Mmul(a, b, c, alpha, beta, MMulTranspose.builder().transposeA(ta).transposeB(tb).build()));
    }

    private void ensureBuffers(int b, int t, DataType type) {
        if (b == allocB && t == allocT && type == allocType) return;
        BertFusedTransformerBlock c = layerConf();
        int h = c.getHidden();
        int heads = c.getHeads();
        int d = h / heads;
        int inter = c.getIntermediate();
        long n = (long) b * t;
        if (n * inter > Integer.MAX_VALUE || (long) b * heads * t * t > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("BertFusedTransformerBlock: batch x seqLen too large: " + b + " x " + t);
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            x = Nd4j.createUninitialized(type, n, h);
            qkv = Nd4j.createUninitialized(type, n, 3L * h);
            probs = Nd4j.createUninitialized(type, (long) b * heads, t, t);
            ctx = Nd4j.createUninitialized(type, n, h);
            attnOut = Nd4j.createUninitialized(type, n, h);
            x1 = Nd4j.createUninitialized(type, n, h);
            xhat1 = Nd4j.createUninitialized(type, n, h);
            f1 = Nd4j.createUninitialized(type, n, inter);
            th = Nd4j.createUninitialized(type, n, inter);
            g = Nd4j.createUninitialized(type, n, inter);
            f2 = Nd4j.createUninitialized(type, n, h);
            y = Nd4j.createUninitialized(type, n, h);
            xhat2 = Nd4j.createUninitialized(type, n, h);
            mask = Nd4j.createUninitialized(type, b, t);
            dY = Nd4j.createUninitialized(type, n, h);
            dR2 = Nd4j.createUninitialized(type, n, h);
            dG = Nd4j.createUninitialized(type, n, inter);
            dX1 = Nd4j.createUninitialized(type, n, h);
            dR1 = Nd4j.createUninitialized(type, n, h);
            dC = Nd4j.createUninitialized(type, n, h);
            dP = Nd4j.createUninitialized(type, t, t);
            dQkv = Nd4j.createUninitialized(type, n, 3L * h);
            dX = Nd4j.createUninitialized(type, n, h);
            wQkv = Nd4j.createUninitialized(type, h, 3L * h);
            dWqkv = Nd4j.createUninitialized(type, h, 3L * h);
            int bh = b * heads;
            qV = new INDArray[bh]; kV = new INDArray[bh]; vV = new INDArray[bh]; cV = new INDArray[bh]; pV = new INDArray[bh];
            dqV = new INDArray[bh]; dkV = new INDArray[bh]; dvV = new INDArray[bh]; dcV = new INDArray[bh];
            for (int e = 0; e < b; e++) {
                for (int hh = 0; hh < heads; hh++) {
                    int i = e * heads + hh;
                    var rows = NDArrayIndex.interval((long) e * t, (long) e * t + t);
                    var qc = NDArrayIndex.interval((long) hh * d, (long) hh * d + d);
                    var kc = NDArrayIndex.interval((long) h + hh * d, (long) h + hh * d + d);
                    var vc = NDArrayIndex.interval(2L * h + hh * d, 2L * h + hh * d + d);
                    qV[i] = qkv.get(rows, qc);
                    kV[i] = qkv.get(rows, kc);
                    vV[i] = qkv.get(rows, vc);
                    cV[i] = ctx.get(rows, qc);
                    dqV[i] = dQkv.get(rows, qc);
                    dkV[i] = dQkv.get(rows, kc);
                    dvV[i] = dQkv.get(rows, vc);
                    dcV[i] = dC.get(rows, qc);
                    pV[i] = probs.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all());
                }
            }
        }
        rstd1 = new double[(int) n];
        rstd2 = new double[(int) n];
        keyBias = new double[(int) n];
        dKeyBias = new double[(int) n];
        keyBiasF = new float[(int) n];
        dKeyBiasF = new float[(int) n];
        int scratch = Math.max(Math.max(3 * h, inter), t * t);
        s1 = new float[scratch];
        s2 = new float[scratch];
        s3 = new float[scratch];
        allocB = b;
        allocT = t;
        allocType = type;
    }

    // ---------------------------------------------------------------- kernels (single pass, per row)

    /** a[r, j] += bias[j] for r in [0, rows). */
    static void addBias(Buf a, int rows, int cols, double[] bias) {
        for (int r = 0, o = 0; r < rows; r++, o += cols) {
            for (int j = 0; j < cols; j++) a.set(o + j, a.get(o + j) + bias[j]);
        }
    }

    /** In place on each of the t rows of the [t, t] block at {@code off}: softmax over j of (s[i, j] + keyBias[kOff + j]). */
    static void softmaxRows(Buf s, int off, int t, double[] keyBias, int kOff) {
        for (int i = 0; i < t; i++) {
            int o = off + i * t;
            double mx = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < t; j++) mx = Math.max(mx, s.get(o + j) + keyBias[kOff + j]);
            double sum = 0;
            for (int j = 0; j < t; j++) {
                double e = Math.exp(s.get(o + j) + keyBias[kOff + j] - mx);
                s.set(o + j, e);
                sum += e;
            }
            double inv = 1.0 / sum;
            for (int j = 0; j < t; j++) s.set(o + j, s.get(o + j) * inv);
        }
    }

    /**
     * Softmax backward for the [t, t] block of probabilities at {@code pOff}: dP (a [t, t] array) becomes
     * dS = P * (dP - rowsum(P * dP)); column sums of dS are added to {@code dKeyBias[kOff + j]}.
     */
    static void softmaxBackwardRows(Buf p, int pOff, Buf dp, int t, double[] dKeyBias, int kOff) {
        for (int i = 0; i < t; i++) {
            int o = pOff + i * t;
            int od = i * t;
            double dot = 0;
            for (int j = 0; j < t; j++) dot += p.get(o + j) * dp.get(od + j);
            for (int j = 0; j < t; j++) {
                double ds = p.get(o + j) * (dp.get(od + j) - dot);
                dp.set(od + j, ds);
                dKeyBias[kOff + j] += ds;
            }
        }
    }

    /**
     * Per row r: v = a[r] + b[r] + bias; xhat = (v - mean) / (std + 1e-12) (population std, as ND4J's layer_norm);
     * out = gamma xhat + beta. Stores xhat and 1 / (std + 1e-12).
     */
    static void residualLayerNorm(Buf a, Buf b, double[] bias, double[] gamma, double[] beta, Buf xhat, Buf out,
                                  double[] rstd, int rows, int h) {
        for (int r = 0, o = 0; r < rows; r++, o += h) {
            double sum = 0;
            for (int j = 0; j < h; j++) {
                double v = a.get(o + j) + b.get(o + j) + bias[j];
                xhat.set(o + j, v);
                sum += v;
            }
            double mean = sum / h;
            double sq = 0;
            for (int j = 0; j < h; j++) {
                double dv = xhat.get(o + j) - mean;
                sq += dv * dv;
            }
            double inv = 1.0 / (Math.sqrt(sq / h) + LN_EPS);
            rstd[r] = inv;
            for (int j = 0; j < h; j++) {
                double xh = (xhat.get(o + j) - mean) * inv;
                xhat.set(o + j, xh);
                out.set(o + j, gamma[j] * xh + beta[j]);
            }
        }
    }

    /**
     * Layer-norm backward per row: g = dOut (+ dOut2 if not null); dGamma += g xhat, dBeta += g;
     * dIn = rstd (g gamma - mean(g gamma) - xhat mean(g gamma xhat)); dBiasIn += dIn (the gradient of a bias added
     * before the norm).
     */
    static void layerNormBackward(Buf dOut, Buf dOut2, Buf xhat, double[] rstd, double[] gamma, Buf dIn,
                                  double[] dGamma, double[] dBeta, double[] dBiasIn, int rows, int h) {
        for (int r = 0, o = 0; r < rows; r++, o += h) {
            double m1 = 0, m2 = 0;
            for (int j = 0; j < h; j++) {
                double gv = dOut.get(o + j);
                if (dOut2 != null) gv += dOut2.get(o + j);
                double xh = xhat.get(o + j);
                dGamma[j] += gv * xh;
                dBeta[j] += gv;
                double dxh = gv * gamma[j];
                dIn.set(o + j, dxh);
                m1 += dxh;
                m2 += dxh * xh;
            }
            m1 /= h;
            m2 /= h;
            double inv = rstd[r];
            for (int j = 0; j < h; j++) {
                double dx = inv * (dIn.get(o + j) - m1 - xhat.get(o + j) * m2);
                dIn.set(o + j, dx);
                dBiasIn[j] += dx;
            }
        }
    }

    /**
     * f += bias (stored back), th = tanh(sqrt(2/pi) (f + 0.044715 f^3)), g = 0.5 f (1 + th): GELU, tanh approximation
     * (Hendrycks and Gimpel 2016; Google BERT's modeling.gelu).
     */
    static void biasGelu(Buf f, Buf th, Buf g, double[] bias, int rows, int cols) {
        for (int r = 0, o = 0; r < rows; r++, o += cols) {
            for (int j = 0; j < cols; j++) {
                double v = f.get(o + j) + bias[j];
                f.set(o + j, v);
                double u = SQRT_2_OVER_PI * (v + GELU_C * v * v * v);
                double tt = tanh(u);
                th.set(o + j, tt);
                g.set(o + j, 0.5 * v * (1 + tt));
            }
        }
    }

    /** dG becomes dF = dG * GELU'(f) in place; returns the column sums of dF (the bias gradient). */
    static double[] geluBackward(Buf dg, Buf f, Buf th, int rows, int cols) {
        double[] db = new double[cols];
        for (int r = 0, o = 0; r < rows; r++, o += cols) {
            for (int j = 0; j < cols; j++) {
                double v = f.get(o + j);
                double tt = th.get(o + j);
                double dudv = SQRT_2_OVER_PI * (1 + 3 * GELU_C * v * v);
                double df = dg.get(o + j) * (0.5 * (1 + tt) + 0.5 * v * (1 - tt * tt) * dudv);
                dg.set(o + j, df);
                db[j] += df;
            }
        }
        return db;
    }

    /** tanh through one exp: 1 - 2 / (e^{2u} + 1) (exact up to rounding; saturates to +-1). */
    static double tanh(double u) {
        if (u > 20) return 1.0;
        if (u < -20) return -1.0;
        double e = Math.exp(2 * u);
        return 1.0 - 2.0 / (e + 1.0);
    }

    /** Element access to a contiguous, non-view array's direct buffer as double values (float or double data). */
    abstract static class Buf {
        abstract double get(int i);

        abstract void set(int i, double v);

        static Buf of(INDArray a) {
            if (a.isView() || a.ordering() != 'c') {
                throw new IllegalArgumentException("BertFusedBlockLayer: need a contiguous 'c' array, got a view");
            }
            if (a.dataType() == DataType.FLOAT) return new F(a.data().asNioFloat());
            if (a.dataType() == DataType.DOUBLE) return new D(a.data().asNioDouble());
            throw new IllegalArgumentException("BertFusedTransformerBlock: data type " + a.dataType()
                    + " not supported (FLOAT or DOUBLE)");
        }
    }

    static final class F extends Buf {
        private final FloatBuffer b;

        F(FloatBuffer b) {
            this.b = b;
        }

        @Override
        double get(int i) {
            return b.get(i);
        }

        @Override
        void set(int i, double v) {
            b.put(i, (float) v);
        }
    }

    static final class D extends Buf {
        private final DoubleBuffer b;

        D(DoubleBuffer b) {
            this.b = b;
        }

        @Override
        double get(int i) {
            return b.get(i);
        }

        @Override
        void set(int i, double v) {
            b.put(i, v);
        }
    }

    /**
     * Copies a flattened parameter vector in this layer's layout (the SameDiff block's: 'c' order per parameter).
     * (DL4J's {@code BaseLayer.setParams} would read it in 'f' order.)
     *
     * @throws IllegalArgumentException if the length differs from {@link #numParams()}
     */
    @Override
    public void setParams(INDArray p) {
        if (p == paramsFlattened) return;
        if (p.length() != paramsFlattened.length()) {
            throw new IllegalArgumentException("BertFusedTransformerBlock (layer " + layerId() + "): expected "
                    + paramsFlattened.length() + " parameters, got " + p.length());
        }
        paramsFlattened.assign(p.reshape(paramsFlattened.shape()));
    }

    /**
     * 0, as for the SameDiff {@link BertTransformerBlock} (DL4J M2.1 adds no regularization term of SameDiff layers to
     * the score), so that both block types report the same score. Weight decay is still applied by the updater.
     */
    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return 0.0;
    }

    @Override
    public void clearNoiseWeightParams() {
    }
}
