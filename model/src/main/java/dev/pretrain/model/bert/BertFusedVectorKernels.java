package dev.pretrain.model.bert;

import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 SIMD forms of {@link BertFusedBlockLayer}'s element-wise kernels on the JDK Vector API
 * ({@code jdk.incubator.vector}; {@code EXP} and {@code TANH} lower to the JDK's SVML stubs on x86). Loaded only
 * when the JVM has the module ({@code --add-modules jdk.incubator.vector}); otherwise the layer uses its scalar
 * loops. Same arithmetic as those loops, in float instead of double. Rows are moved between the arrays' direct
 * buffers and heap scratch arrays with bulk copies.
 */
final class BertFusedVectorKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    private static final float GELU_C = 0.044715f;
    private static final float LN_EPS = 1e-12f;

    private BertFusedVectorKernels() {
    }

    static String describe() {
        return "jdk.incubator.vector " + S;
    }

    /** Rows of {@code a} [rows, cols] += bias. */
    static void addBias(FloatBuffer a, int rows, int cols, float[] bias, float[] row) {
        int ub = S.loopBound(cols);
        for (int r = 0, o = 0; r < rows; r++, o += cols) {
            a.get(o, row, 0, cols);
            int j = 0;
            for (; j < ub; j += S.length()) FloatVector.fromArray(S, row, j).add(FloatVector.fromArray(S, bias, j)).intoArray(row, j);
            for (; j < cols; j++) row[j] += bias[j];
            a.put(o, row, 0, cols);
        }
    }

    /** Softmax over each row of the [t, t] block at {@code off} of (s + keyBias[kOff ..]), in place. */
    static void softmaxRows(FloatBuffer s, int off, int t, float[] keyBias, int kOff, float[] blk) {
        s.get(off, blk, 0, t * t);
        int ub = S.loopBound(t);
        for (int i = 0, o = 0; i < t; i++, o += t) {
            FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            int j = 0;
            for (; j < ub; j += S.length()) {
                FloatVector v = FloatVector.fromArray(S, blk, o + j).add(FloatVector.fromArray(S, keyBias, kOff + j));
                v.intoArray(blk, o + j);
                vmax = vmax.max(v);
            }
            float mx = vmax.reduceLanes(VectorOperators.MAX);
            for (; j < t; j++) {
                blk[o + j] += keyBias[kOff + j];
                mx = Math.max(mx, blk[o + j]);
            }
            FloatVector vsum = FloatVector.zero(S);
            j = 0;
            for (; j < ub; j += S.length()) {
                FloatVector e = FloatVector.fromArray(S, blk, o + j).sub(mx).lanewise(VectorOperators.EXP);
                e.intoArray(blk, o + j);
                vsum = vsum.add(e);
            }
            float sum = vsum.reduceLanes(VectorOperators.ADD);
            for (; j < t; j++) {
                float e = (float) Math.exp(blk[o + j] - mx);
                blk[o + j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            j = 0;
            for (; j < ub; j += S.length()) FloatVector.fromArray(S, blk, o + j).mul(inv).intoArray(blk, o + j);
            for (; j < t; j++) blk[o + j] *= inv;
        }
        s.put(off, blk, 0, t * t);
    }

    /** dP [t, t] becomes dS = P (dP - rowsum(P dP)); column sums of dS added to dKeyBias[kOff ..]. */
    static void softmaxBackwardRows(FloatBuffer p, int pOff, FloatBuffer dp, int t, float[] dKeyBias, int kOff,
                                    float[] pBlk, float[] dBlk) {
        p.get(pOff, pBlk, 0, t * t);
        dp.get(0, dBlk, 0, t * t);
        int ub = S.loopBound(t);
        for (int i = 0, o = 0; i < t; i++, o += t) {
            FloatVector acc = FloatVector.zero(S);
            int j = 0;
            for (; j < ub; j += S.length()) {
                acc = FloatVector.fromArray(S, pBlk, o + j).fma(FloatVector.fromArray(S, dBlk, o + j), acc);
            }
            float dot = acc.reduceLanes(VectorOperators.ADD);
            for (; j < t; j++) dot += pBlk[o + j] * dBlk[o + j];
            j = 0;
            for (; j < ub; j += S.length()) {
                FloatVector ds = FloatVector.fromArray(S, dBlk, o + j).sub(dot).mul(FloatVector.fromArray(S, pBlk, o + j));
                ds.intoArray(dBlk, o + j);
                FloatVector.fromArray(S, dKeyBias, kOff + j).add(ds).intoArray(dKeyBias, kOff + j);
            }
            for (; j < t; j++) {
                float ds = pBlk[o + j] * (dBlk[o + j] - dot);
                dBlk[o + j] = ds;
                dKeyBias[kOff + j] += ds;
            }
        }
        dp.put(0, dBlk, 0, t * t);
    }

    /** See {@link BertFusedBlockLayer#residualLayerNorm}; scratch arrays of length >= h. */
    static void residualLayerNorm(FloatBuffer a, FloatBuffer b, float[] bias, float[] gamma, float[] beta, FloatBuffer xhat,
                                  FloatBuffer out, double[] rstd, int rows, int h, float[] ra, float[] rb) {
        int ub = S.loopBound(h);
        for (int r = 0, o = 0; r < rows; r++, o += h) {
            a.get(o, ra, 0, h);
            b.get(o, rb, 0, h);
            FloatVector vs = FloatVector.zero(S);
            int j = 0;
            for (; j < ub; j += S.length()) {
                FloatVector v = FloatVector.fromArray(S, ra, j).add(FloatVector.fromArray(S, rb, j)).add(FloatVector.fromArray(S, bias, j));
                v.intoArray(ra, j);
                vs = vs.add(v);
            }
            float sum = vs.reduceLanes(VectorOperators.ADD);
            for (; j < h; j++) {
                ra[j] += rb[j] + bias[j];
                sum += ra[j];
            }
            float mean = sum / h;
            FloatVector vq = FloatVector.zero(S);
            j = 0;
            for (; j < ub; j += S.length()) {
                FloatVector dv = FloatVector.fromArray(S, ra, j).sub(mean);
                vq = dv.fma(dv, vq);
            }
            float sq = vq.reduceLanes(VectorOperators.ADD);
            for (; j < h; j++) sq += (ra[j] - mean) * (ra[j] - mean);
            float inv = (float) (1.0 / (Math.sqrt(sq / h) + LN_EPS));
            rstd[r] = inv;
            j = 0;
            for (; j < ub; j += S.length()) {
                FloatVector xh = FloatVector.fromArray(S, ra, j).sub(mean).mul(inv);
                xh.intoArray(ra, j);
                xh.fma(FloatVector.fromArray(S, gamma, j), FloatVector.fromArray(S, beta, j)).intoArray(rb, j);
            }
            for (; j < h; j++) {
                ra[j] = (ra[j] - mean) * inv;
                rb[j] = gamma[j] * ra[j] + beta[j];
            }
            xhat.put(o, ra, 0, h);
            out.put(o, rb, 0, h);
        }
    }

    /** See {@link BertFusedBlockLayer#layerNormBackward}; dOut2 may be null; scratch arrays of length >= h. */
    static void layerNormBackward(FloatBuffer dOut, FloatBuffer dOut2, FloatBuffer xhat, double[] rstd, float[] gamma,
                                  FloatBuffer dIn, float[] dGamma, float[] dBeta, float[] dBiasIn, int rows, int h,
                                  float[] rg, float[] rg2, float[] rx) {
        int ub = S.loopBound(h);
        for (int r = 0, o = 0; r < rows; r++, o += h) {
            dOut.get(o, rg, 0, h);
            if (dOut2 != null) {
                dOut2.get(o, rg2, 0, h);
            }
            xhat.get(o, rx, 0, h);
            FloatVector v1 = FloatVector.zero(S), v2 = FloatVector.zero(S);
            int j = 0;
            for (; j < ub; j += S.length()) {
                FloatVector g = FloatVector.fromArray(S, rg, j);
                if (dOut2 != null) g = g.add(FloatVector.fromArray(S, rg2, j));
                FloatVector xh = FloatVector.fromArray(S, rx, j);
                g.fma(xh, FloatVector.fromArray(S, dGamma, j)).intoArray(dGamma, j);
                FloatVector.fromArray(S, dBeta, j).add(g).intoArray(dBeta, j);
                FloatVector dxh = g.mul(FloatVector.fromArray(S, gamma, j));
                dxh.intoArray(rg, j);
                v1 = v1.add(dxh);
                v2 = dxh.fma(xh, v2);
            }
            float m1 = v1.reduceLanes(VectorOperators.ADD), m2 = v2.reduceLanes(VectorOperators.ADD);
            for (; j < h; j++) {
                float g = rg[j] + (dOut2 != null ? rg2[j] : 0f);
                dGamma[j] += g * rx[j];
                dBeta[j] += g;
                float dxh = g * gamma[j];
                rg[j] = dxh;
                m1 += dxh;
                m2 += dxh * rx[j];
            }
            m1 /= h;
            m2 /= h;
            float inv = (float) rstd[r];
            j = 0;
            for (; j < ub; j += S.length()) {
                FloatVector dx = FloatVector.fromArray(S, rg, j).sub(m1)
                        .sub(FloatVector.fromArray(S, rx, j).mul(m2)).mul(inv);
                dx.intoArray(rg, j);
                FloatVector.fromArray(S, dBiasIn, j).add(dx).intoArray(dBiasIn, j);
            }
            for (; j < h; j++) {
                float dx = inv * (rg[j] - m1 - rx[j] * m2);
                rg[j] = dx;
                dBiasIn[j] += dx;
            }
            dIn.put(o, rg, 0, h);
        }
    }

    /** See {@link BertFusedBlockLayer#biasGelu}; scratch arrays of length >= cols. */
    static void biasGelu(FloatBuffer f, FloatBuffer th, FloatBuffer g, float[] bias, int rows, int cols,
                         float[] rf, float[] rt, float[] rg) {
        int ub = S.loopBound(cols);
        for (int r = 0, o = 0; r < rows; r++, o += cols) {
            f.get(o, rf, 0, cols);
            int j = 0;
            for (; j < ub; j += S.length()) {
                FloatVector v = FloatVector.fromArray(S, rf, j).add(FloatVector.fromArray(S, bias, j));
                v.intoArray(rf, j);
                FloatVector u = v.mul(v).mul(v).mul(GELU_C).add(v).mul(SQRT_2_OVER_PI);
                FloatVector t = u.lanewise(VectorOperators.TANH);
                t.intoArray(rt, j);
                v.mul(0.5f).mul(t.add(1f)).intoArray(rg, j);
            }
            for (; j < cols; j++) {
                float v = rf[j] + bias[j];
                rf[j] = v;
                float t = (float) BertFusedBlockLayer.tanh(SQRT_2_OVER_PI * (v + GELU_C * v * v * v));
                rt[j] = t;
                rg[j] = 0.5f * v * (1 + t);
            }
            f.put(o, rf, 0, cols);
            th.put(o, rt, 0, cols);
            g.put(o, rg, 0, cols);
        }
    }

    /** See {@link BertFusedBlockLayer#geluBackward}; adds the column sums of dF to db. */
    static void geluBackward(FloatBuffer dg, FloatBuffer f, FloatBuffer th, int rows, int cols, float[] db,
                             float[] rd, float[] rf, float[] rt) {
        int ub = S.loopBound(cols);
        for (int r = 0, o = 0; r < rows; r++, o += cols) {
            dg.get(o, rd, 0, cols);
            f.get(o, rf, 0, cols);
            th.get(o, rt, 0, cols);
            int j = 0;
            for (; j < ub; j += S.length()) {
                FloatVector v = FloatVector.fromArray(S, rf, j);
                FloatVector t = FloatVector.fromArray(S, rt, j);
                FloatVector dudv = v.mul(v).mul(3 * GELU_C).add(1f).mul(SQRT_2_OVER_PI);
                // 0.5 (1 + t) + 0.5 v (1 - t^2) dudv
                FloatVector dgelu = t.add(1f).add(v.mul(t.mul(t).neg().add(1f)).mul(dudv)).mul(0.5f);
                FloatVector df = FloatVector.fromArray(S, rd, j).mul(dgelu);
                df.intoArray(rd, j);
                FloatVector.fromArray(S, db, j).add(df).intoArray(db, j);
            }
            for (; j < cols; j++) {
                float v = rf[j], t = rt[j];
                float dudv = SQRT_2_OVER_PI * (1 + 3 * GELU_C * v * v);
                float df = rd[j] * (0.5f * (1 + t) + 0.5f * v * (1 - t * t) * dudv);
                rd[j] = df;
                db[j] += df;
            }
            dg.put(o, rd, 0, cols);
        }
    }
}
