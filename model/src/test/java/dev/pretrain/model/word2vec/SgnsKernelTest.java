package dev.pretrain.model.word2vec;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The per-pair update of SgnsTrainer: scalar loops against the word2vec C formula and the Vector API kernel. */
class SgnsKernelTest {
    private static float[] randomRows(int rows, int dim, float scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[rows * dim];
        for (int i = 0; i < a.length; i++) a[i] = (float) ((r.nextDouble() - 0.5) * scale);
        return a;
    }

    private static float[] sigmoidTable() {
        float[] t = new float[SgnsTrainer.EXP_TABLE_SIZE + 1];
        for (int i = 0; i < t.length; i++) {
            double x = ((double) i / SgnsTrainer.EXP_TABLE_SIZE * 2 - 1) * SgnsTrainer.MAX_EXP;
            t[i] = (float) (1 / (1 + Math.exp(-x)));
        }
        return t;
    }

    /** Straightforward double-precision word2vec C update with the exact sigmoid, for one pair. */
    private static void reference(double[] syn0, int l1, double[] syn1, int[] targets, int nt, double alpha, int dim) {
        double[] neu1e = new double[dim];
        for (int d = 0; d < nt; d++) {
            int l2 = targets[d] * dim;
            double f = 0;
            for (int k = 0; k < dim; k++) f += syn0[l1 + k] * syn1[l2 + k];
            double label = d == 0 ? 1 : 0;
            double g = f > 6 ? (label - 1) * alpha : f < -6 ? label * alpha : (label - 1 / (1 + Math.exp(-f))) * alpha;
            for (int k = 0; k < dim; k++) {
                neu1e[k] += g * syn1[l2 + k];
                syn1[l2 + k] += g * syn0[l1 + k];
            }
        }
        for (int k = 0; k < dim; k++) syn0[l1 + k] += neu1e[k];
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    @Test
    void scalarPairMatchesWord2vecFormula() {
        for (int dim : new int[] {100, 37, 3}) {
            float[] syn0 = randomRows(20, dim, 1f, 1);
            float[] syn1 = randomRows(20, dim, 1f, 2);
            double[] r0 = toDouble(syn0), r1 = toDouble(syn1);
            int[] targets = {4, 7, 11, 7, 19, 0}; // a repeated negative sees the first one's update
            SgnsTrainer.pairScalar(syn0, 3 * dim, syn1, targets, targets.length, 0.025f, new float[dim], dim, sigmoidTable());
            reference(r0, 3 * dim, r1, targets, targets.length, 0.025, dim);
            // the 1000-entry sigmoid table differs from the exact sigmoid by < 0.01 (slope <= 1/4, step 0.012)
            for (int i = 0; i < syn0.length; i++) assertEquals(r0[i], syn0[i], 0.025 * 0.01 * 6 * 1.0 + 1e-6, "syn0 " + i);
            for (int i = 0; i < syn1.length; i++) assertEquals(r1[i], syn1[i], 0.025 * 0.01 * 1.0 + 1e-6, "syn1 " + i);
            boolean moved = false;
            for (int i = 0; i < dim; i++) moved |= syn0[3 * dim + i] != (float) toDouble(randomRows(20, dim, 1f, 1))[3 * dim + i];
            assertTrue(moved, "context row updated");
        }
    }

    @Test
    void vectorKernelMatchesScalarLoops() {
        assumeTrue(SgnsTrainer.VECTOR, "JVM without --add-modules jdk.incubator.vector");
        float[] sig = sigmoidTable();
        for (int dim : new int[] {100, 300, 16, 7}) {
            float[] a0 = randomRows(50, dim, 0.4f, 3), a1 = randomRows(50, dim, 0.4f, 4);
            float[] b0 = a0.clone(), b1 = a1.clone();
            SplittableRandom r = new SplittableRandom(dim);
            for (int step = 0; step < 200; step++) {
                int nt = 1 + r.nextInt(6);
                int[] t = new int[nt];
                for (int i = 0; i < nt; i++) t[i] = r.nextInt(50);
                int l1 = r.nextInt(50) * dim;
                SgnsTrainer.pairScalar(a0, l1, a1, t, nt, 0.025f, new float[dim], dim, sig);
                VectorKernels.pair(b0, l1, b1, t, nt, 0.025f, new float[dim], dim, sig);
            }
            double maxDiff = 0, maxAbs = 0;
            for (int i = 0; i < a0.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(a0[i] - b0[i]));
                maxAbs = Math.max(maxAbs, Math.abs(a0[i]));
            }
            for (int i = 0; i < a1.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a1[i] - b1[i]));
            // only the summation order of the dot products differs
            assertTrue(maxDiff < 1e-4 * Math.max(1, maxAbs), "dim " + dim + ": max |scalar - vector| = " + maxDiff);
        }
    }

    @Test
    void kernelNameSaysWhichLoopsRun() {
        assertEquals(SgnsTrainer.VECTOR, SgnsTrainer.kernel().startsWith("jdk.incubator.vector"));
    }
}
