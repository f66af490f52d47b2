package dev.pretrain.model.bert;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 SIMD row kernels of {@link BertMlmOutputLayerImpl} on the JDK Vector API ({@code jdk.incubator.vector};
 * {@code EXP} lowers to the JDK's SVML stub on x86). Loaded only when the JVM has the module; otherwise the layer
 * uses its scalar loops (same arithmetic in double).
 */
final class BertMlmVectorKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private BertMlmVectorKernels() {
    }

    /**
     * Turns the logits row {@code z} (without bias) into {@code z + bias}, then into
     * {@code e = exp(z + bias - max)} in place; returns {@code {max, sum(e)}} as {@code out[0], out[1]}.
     */
    static void biasExp(float[] z, float[] bias, int v, double[] out) {
        int ub = S.loopBound(v);
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int j = 0;
        if (bias != null) {
            for (; j < ub; j += S.length()) {
                FloatVector x = FloatVector.fromArray(S, z, j).add(FloatVector.fromArray(S, bias, j));
                x.intoArray(z, j);
                vmax = vmax.max(x);
            }
        } else {
            for (; j < ub; j += S.length()) vmax = vmax.max(FloatVector.fromArray(S, z, j));
        }
        float mx = vmax.reduceLanes(VectorOperators.MAX);
        for (; j < v; j++) {
            if (bias != null) z[j] += bias[j];
            mx = Math.max(mx, z[j]);
        }
        FloatVector vsum = FloatVector.zero(S);
        j = 0;
        for (; j < ub; j += S.length()) {
            FloatVector e = FloatVector.fromArray(S, z, j).sub(mx).lanewise(VectorOperators.EXP);
            e.intoArray(z, j);
            vsum = vsum.add(e);
        }
        double sum = vsum.reduceLanes(VectorOperators.ADD);
        for (; j < v; j++) {
            float e = (float) Math.exp(z[j] - mx);
            z[j] = e;
            sum += e;
        }
        out[0] = mx;
        out[1] = sum;
    }

    /** {@code z *= scale}; when {@code colSum} is not null, {@code colSum += z} (after scaling). */
    static void scale(float[] z, int v, float scale, float[] colSum) {
        int ub = S.loopBound(v);
        int j = 0;
        if (colSum != null) {
            for (; j < ub; j += S.length()) {
                FloatVector g = FloatVector.fromArray(S, z, j).mul(scale);
                g.intoArray(z, j);
                FloatVector.fromArray(S, colSum, j).add(g).intoArray(colSum, j);
            }
            for (; j < v; j++) {
                z[j] *= scale;
                colSum[j] += z[j];
            }
        } else {
            for (; j < ub; j += S.length()) FloatVector.fromArray(S, z, j).mul(scale).intoArray(z, j);
            for (; j < v; j++) z[j] *= scale;
        }
    }
}
