package dev.pretrain.model.word2vec;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD form of {@link SgnsTrainer}'s per-pair update, on the JDK Vector API ({@code jdk.incubator.vector},
 * preferred species: 16 floats with AVX-512, 8 with AVX2). Only loaded when that module is in the boot layer
 * ({@code --add-modules jdk.incubator.vector}); otherwise the trainer uses its scalar loops. Same arithmetic
 * as the scalar path except the summation order inside dot products (lane-wise partial sums, then a lane
 * reduction), so results differ from the scalar path in the last bits but are deterministic.
 */
final class VectorKernels {
    /** The preferred species, or the one of {@code -Dpretrain.sgns.vectorBits=128|256|512} if set. */
    private static final VectorSpecies<Float> S = switch (Integer.getInteger("pretrain.sgns.vectorBits", 0)) {
        case 128 -> FloatVector.SPECIES_128;
        case 256 -> FloatVector.SPECIES_256;
        case 512 -> FloatVector.SPECIES_512;
        default -> FloatVector.SPECIES_PREFERRED;
    };
    private static final int L = S.length();

    private VectorKernels() {}

    static String describe() {
        return "jdk.incubator.vector " + S;
    }

    /**
     * One (context, centre) pair of word2vec C's skip-gram: {@code targets[0]} is the positive (label 1),
     * {@code targets[1..nt)} negatives (label 0). See {@link SgnsTrainer#pairScalar}.
     */
    static void pair(float[] syn0, int l1, float[] syn1, int[] targets, int nt, float alpha, float[] neu1e,
                     int dim, float[] sigmoid) {
        final int upper = S.loopBound(dim);
        for (int k = 0; k < dim; k++) neu1e[k] = 0f;
        for (int d = 0; d < nt; d++) {
            final int l2 = targets[d] * dim;
            final float label = d == 0 ? 1f : 0f;
            // dot(syn0[l1], syn1[l2]) with two vector accumulators
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            int k = 0;
            for (; k + L < upper; k += 2 * L) {
                acc0 = FloatVector.fromArray(S, syn0, l1 + k).fma(FloatVector.fromArray(S, syn1, l2 + k), acc0);
                acc1 = FloatVector.fromArray(S, syn0, l1 + k + L).fma(FloatVector.fromArray(S, syn1, l2 + k + L), acc1);
            }
            for (; k < upper; k += L) {
                acc0 = FloatVector.fromArray(S, syn0, l1 + k).fma(FloatVector.fromArray(S, syn1, l2 + k), acc0);
            }
            float f = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
            for (; k < dim; k++) f += syn0[l1 + k] * syn1[l2 + k];
            final float g;
            if (f > SgnsTrainer.MAX_EXP) g = (label - 1f) * alpha;
            else if (f < -SgnsTrainer.MAX_EXP) g = label * alpha;
            else g = (label - sigmoid[(int) ((f + SgnsTrainer.MAX_EXP) * SgnsTrainer.EXP_SCALE)]) * alpha;
            if (g == 0f) continue;
            // neu1e += g * syn1[l2]; syn1[l2] += g * syn0[l1]
            final FloatVector gv = FloatVector.broadcast(S, g);
            k = 0;
            for (; k < upper; k += L) {
                FloatVector s1 = FloatVector.fromArray(S, syn1, l2 + k);
                FloatVector x = FloatVector.fromArray(S, syn0, l1 + k);
                s1.fma(gv, FloatVector.fromArray(S, neu1e, k)).intoArray(neu1e, k);
                x.fma(gv, s1).intoArray(syn1, l2 + k);
            }
            for (; k < dim; k++) {
                neu1e[k] += g * syn1[l2 + k];
                syn1[l2 + k] += g * syn0[l1 + k];
            }
        }
        int k = 0;
        for (; k < upper; k += L) {
            FloatVector.fromArray(S, syn0, l1 + k).add(FloatVector.fromArray(S, neu1e, k)).intoArray(syn0, l1 + k);
        }
        for (; k < dim; k++) syn0[l1 + k] += neu1e[k];
    }
}
