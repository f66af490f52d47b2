package dev.pretrain.model.word2vec;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BlockMomentumTest {
    private static SgnsWeights w(float... syn0) {
        float[] s1 = new float[syn0.length];
        for (int i = 0; i < s1.length; i++) s1[i] = 10 * syn0[i];
        return new SgnsWeights(1, syn0.length, syn0, s1);
    }

    /** Chen &amp; Huo's recursion by hand: Delta(t) = eta Delta(t-1) + zeta G(t), W(t) = W(t-1) + Delta(t). */
    @Test
    void classicalBlockMomentumByHand() {
        SgnsWeights init = w(1, 2);
        BlockMomentum bm = new BlockMomentum(init, 0.5, 1.0, false);
        assertSame(bm.model(), bm.start(), "classical: workers start from the model");
        // round 1: workers moved (1,2) to mean (1.4, 1.0): G = (0.4, -1), Delta = G, W = (1.4, 1.0)
        bm.update(w(1.4f, 1.0f));
        assertArrayEquals(new float[] {1.4f, 1.0f}, bm.model().syn0(), 1e-6f);
        assertArrayEquals(new float[] {14f, 10f}, bm.model().syn1neg(), 1e-5f);
        // round 2: mean (1.6, 1.0): G = (0.2, 0), Delta = 0.5*(0.4,-1) + (0.2,0) = (0.4, -0.5), W = (1.8, 0.5)
        SgnsWeights next = bm.update(w(1.6f, 1.0f));
        assertArrayEquals(new float[] {1.8f, 0.5f}, bm.model().syn0(), 1e-6f);
        assertArrayEquals(new float[] {18f, 5f}, bm.model().syn1neg(), 1e-5f);
        assertSame(bm.model(), next);
        assertArrayEquals(new float[] {1, 2}, init.syn0(), "init is copied, not modified");
    }

    /** Nesterov: the workers start from W + eta Delta; the model stays W. */
    @Test
    void nesterovStartsAhead() {
        BlockMomentum bm = new BlockMomentum(w(0, 0), 0.75, 1.0, true);
        SgnsWeights start = bm.update(w(1, -2)); // G = (1,-2) = Delta, W = (1,-2), W_g = W + 0.75 Delta
        assertArrayEquals(new float[] {1, -2}, bm.model().syn0(), 1e-6f);
        assertArrayEquals(new float[] {1.75f, -3.5f}, start.syn0(), 1e-6f);
        assertSame(start, bm.start());
        // round 2 from W_g = (1.75, -3.5); workers return (1.75, -3.5) (no change): G = 0,
        // Delta = 0.75 * (1, -2), W = (1.75, -3.5), W_g = W + 0.5625 * (1, -2)
        bm.update(w(1.75f, -3.5f));
        assertArrayEquals(new float[] {1.75f, -3.5f}, bm.model().syn0(), 1e-6f);
        assertArrayEquals(new float[] {2.3125f, -4.625f}, bm.start().syn0(), 1e-6f);
    }

    /** With eta = 0 and zeta = 1 (one worker) it is plain training: the model is the workers' mean. */
    @Test
    void oneWorkerIsPlainTraining() {
        assertEquals(0.0, BlockMomentum.defaultMomentum(1));
        assertEquals(0.75, BlockMomentum.defaultMomentum(4), 1e-12);
        BlockMomentum bm = new BlockMomentum(w(3, 4), BlockMomentum.defaultMomentum(1), 1.0, false);
        bm.update(w(5, -1));
        bm.update(w(2, 2));
        assertArrayEquals(new float[] {2, 2}, bm.model().syn0());
    }

    /**
     * The stability argument of the class comment on a scalar model: each round the workers move the row a
     * fraction c of the way to its target (a row that converges within a round: c = 1). Applying the sum of k
     * workers' updates (w0 + k (mean - w0)) diverges for k c &gt; 2; block momentum with eta = 1 - 1/k converges.
     */
    @Test
    void blockMomentumConvergesWhereTheScaledSumDiverges() {
        int k = 4;
        double c = 0.9, target = 1.0;
        BlockMomentum bm = new BlockMomentum(w(0f), BlockMomentum.defaultMomentum(k), 1.0, false);
        float sum = 0f;
        for (int t = 0; t < 60; t++) {
            float s = bm.start().syn0()[0];
            bm.update(w((float) (s + c * (target - s))));
            sum = sum + k * (float) (c * (target - sum));
        }
        assertEquals(target, bm.model().syn0()[0], 1e-3, "block momentum converges to the target");
        assertTrue(Math.abs(sum - target) > 1e6, "the k-scaled sum diverges: " + sum);
    }

    /** On a steady (linear) update the filter's gain approaches zeta / (1 - eta) = k: the workers' summed update. */
    @Test
    void steadyUpdateIsAmplifiedToTheSum() {
        int k = 4;
        BlockMomentum bm = new BlockMomentum(w(0f), BlockMomentum.defaultMomentum(k), 1.0, false);
        float before = 0;
        float step = 0;
        for (int t = 0; t < 80; t++) {
            before = bm.model().syn0()[0];
            bm.update(w(bm.start().syn0()[0] + 0.01f)); // every worker moves the row by 0.01
            step = bm.model().syn0()[0] - before;
        }
        assertEquals(k * 0.01f, step, 1e-5f);
    }

    @Test
    void rejectsBadSettings() {
        SgnsWeights x = w(1, 2);
        assertThrows(IllegalArgumentException.class, () -> new BlockMomentum(x, 1.0, 1.0, false));
        assertThrows(IllegalArgumentException.class, () -> new BlockMomentum(x, -0.1, 1.0, false));
        assertThrows(IllegalArgumentException.class, () -> new BlockMomentum(x, 0.5, 0.0, false));
        BlockMomentum bm = new BlockMomentum(x, 0.5, 1.0, false);
        assertThrows(IllegalArgumentException.class, () -> bm.update(w(1, 2, 3)));
    }

    /**
     * A sparse round (updateRows for the changed rows, then finishRound) gives bit for bit the dense round's model
     * and next start, for classical and Nesterov momentum, eta 0 (nothing stored for Delta) and eta 0.5, over
     * rounds that change different random row subsets.
     */
    @Test
    void sparseRoundsEqualDenseRoundsBitForBit() {
        int vocab = 40, dim = 5;
        double[][] settings = {{0, 2}, {0.5, 2}, {0, 1}, {0.75, 1}};
        for (boolean nesterov : new boolean[] {false, true}) {
            for (double[] st : settings) {
                SgnsWeights init = SgnsWeights.initialize(vocab, dim, 7);
                BlockMomentum dense = new BlockMomentum(init, st[0], st[1], nesterov);
                BlockMomentum sparse = new BlockMomentum(init, st[0], st[1], nesterov);
                java.util.Random rnd = new java.util.Random(11);
                for (int round = 0; round < 4; round++) {
                    SgnsWeights start = dense.start();
                    assertArrayEquals(start.syn0(), sparse.start().syn0());
                    assertArrayEquals(start.syn1neg(), sparse.start().syn1neg());
                    SgnsWeights mean = start.copy();
                    List<RowBlock> blocks = new ArrayList<>();
                    for (int m = 0; m < 2; m++) {
                        float[] x = m == 0 ? mean.syn0() : mean.syn1neg();
                        List<Integer> rows = new ArrayList<>();
                        for (int r = 0; r < vocab; r++) {
                            if (rnd.nextInt(3) != 0) continue;
                            rows.add(r);
                            for (int k = 0; k < dim; k++) x[r * dim + k] += (float) rnd.nextGaussian() * 0.1f;
                        }
                        // two blocks per matrix: rows below 20 and the rest
                        for (int half = 0; half < 2; half++) {
                            final int h = half;
                            int[] ids = rows.stream().filter(r -> (r < 20) == (h == 0)).mapToInt(Integer::intValue).toArray();
                            float[] v = new float[ids.length * dim];
                            for (int i = 0; i < ids.length; i++) System.arraycopy(x, ids[i] * dim, v, i * dim, dim);
                            blocks.add(new RowBlock(m, half, RowBlock.MERGED, 10, ids, v, ids.length));
                        }
                    }
                    dense.update(mean);
                    java.util.Collections.reverse(blocks);
                    for (RowBlock b : blocks) sparse.updateRows(b);
                    SgnsWeights next = sparse.finishRound();
                    String what = (nesterov ? "nesterov" : "classic") + " eta " + st[0] + " zeta " + st[1] + " round " + round;
                    assertArrayEquals(dense.model().syn0(), sparse.model().syn0(), what);
                    assertArrayEquals(dense.model().syn1neg(), sparse.model().syn1neg(), what);
                    assertArrayEquals(dense.start().syn0(), next.syn0(), what);
                    assertArrayEquals(dense.start().syn1neg(), next.syn1neg(), what);
                    assertSame(next, sparse.start());
                }
                assertThrows(IllegalStateException.class, sparse::finishRound, "no open round");
                RowBlock one = new RowBlock(0, 0, RowBlock.MERGED, 1, new int[] {3}, new float[dim], 1);
                sparse.updateRows(one);
                assertThrows(IllegalStateException.class, () -> sparse.updateRows(one), "a row twice in a round");
                assertThrows(IllegalStateException.class, () -> sparse.update(init.copy()), "dense update while a sparse round is open");
            }
        }
    }
}
