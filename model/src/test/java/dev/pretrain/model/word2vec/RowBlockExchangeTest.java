package dev.pretrain.model.word2vec;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class RowBlockExchangeTest {
    /** The dense reference: averagers of whole copies, merged by the binary tree over partition indices. */
    static ParameterAverager denseTree(List<ParameterAverager> averagers) {
        List<ParameterAverager> level = new ArrayList<>(averagers);
        while (level.size() > 2) {
            List<ParameterAverager> next = new ArrayList<>();
            for (int j = 0; 2 * j < level.size(); j++) {
                ParameterAverager acc = level.get(2 * j);
                if (2 * j + 1 < level.size()) acc = acc.merge(level.get(2 * j + 1));
                next.add(acc);
            }
            level = next;
        }
        return level.size() == 1 ? level.get(0) : level.get(0).merge(level.get(1));
    }

    /** A copy of {@code w} with a random subset of rows moved (about {@code frac} of them), seeded. */
    private static SgnsWeights perturb(SgnsWeights w, double frac, long seed) {
        SgnsWeights c = w.copy();
        Random rnd = new Random(seed);
        for (float[] m : new float[][] {c.syn0(), c.syn1neg()}) {
            for (int r = 0; r < w.vocabSize(); r++) {
                if (rnd.nextDouble() >= frac) continue;
                int off = r * w.dim();
                for (int k = 0; k < w.dim(); k++) m[off + k] += (float) rnd.nextGaussian() * 0.01f;
            }
        }
        return c;
    }

    /**
     * For 1 to 5 workers (one that trained nothing), each changing a random 30% of the rows with uneven words, the
     * merged blocks hold exactly the rows some worker changed, with values bit for bit those of the dense mean of
     * the full copies; every other row of the dense mean equals the start row. The contributions' order does not
     * matter.
     */
    @Test
    void mergedRowsAreTheDenseMeanBitForBit() {
        int vocab = 203, dim = 7;
        SgnsWeights before = perturb(SgnsWeights.initialize(vocab, dim, 3), 1.0, 4);
        RowBlockExchange ex = new RowBlockExchange(vocab, dim, 16, 3, 2);
        assertEquals(13, ex.blocksPerMatrix());
        for (int parts = 1; parts <= 5; parts++) {
            List<SgnsWeights> after = new ArrayList<>();
            List<ParameterAverager> averagers = new ArrayList<>();
            long[] words = new long[parts];
            for (int p = 0; p < parts; p++) {
                boolean idle = parts > 2 && p == 1;
                words[p] = idle ? 0 : 1000 + 377L * p * p;
                after.add(idle ? null : perturb(before, 0.3, 100 + p));
                averagers.add(new ParameterAverager(vocab, dim).add(idle ? before : after.get(p), words[p]));
            }
            SgnsWeights dense = denseTree(averagers).average();
            List<List<RowBlock>> byKey = new ArrayList<>();
            for (int k = 0; k < ex.keys(); k++) byKey.add(new ArrayList<>());
            for (int p = 0; p < parts; p++) {
                Iterator<RowBlock> it = ex.changedRows(before, after.get(p), p, words[p]);
                for (int k = 0; k < ex.keys(); k++) {
                    RowBlock b = it.next();
                    assertEquals(k, ex.key(b.matrix(), b.block()), "blocks come in key order");
                    byKey.get(k).add(b);
                }
                assertFalse(it.hasNext());
            }
            BitSet[] seen = {new BitSet(), new BitSet()};
            long total = 0;
            for (long w : words) total += w;
            for (int k = 0; k < ex.keys(); k++) {
                List<RowBlock> contributions = new ArrayList<>(byKey.get(k));
                Collections.shuffle(contributions, new Random(k));
                RowBlock m = ex.merge(contributions, parts, before);
                assertEquals(RowBlock.MERGED, m.partition());
                assertEquals(total, m.words());
                float[] d = m.matrix() == 0 ? dense.syn0() : dense.syn1neg();
                for (int i = 0; i < m.rows().length; i++) {
                    int r = m.rows()[i];
                    seen[m.matrix()].set(r);
                    for (int j = 0; j < dim; j++) {
                        assertEquals(Float.floatToRawIntBits(d[r * dim + j]), Float.floatToRawIntBits(m.values()[i * dim + j]),
                                parts + " parts, matrix " + m.matrix() + " row " + r);
                    }
                }
            }
            for (int mat = 0; mat < 2; mat++) {
                float[] d = mat == 0 ? dense.syn0() : dense.syn1neg();
                float[] b = mat == 0 ? before.syn0() : before.syn1neg();
                int changedSomewhere = 0;
                for (int r = 0; r < vocab; r++) {
                    boolean changed = false;
                    for (SgnsWeights a : after) {
                        if (a == null) continue;
                        float[] x = mat == 0 ? a.syn0() : a.syn1neg();
                        for (int j = 0; j < dim; j++) changed |= x[r * dim + j] != b[r * dim + j];
                    }
                    assertEquals(changed, seen[mat].get(r), "row " + r + " shipped iff some worker changed it");
                    if (changed) changedSomewhere++;
                    else for (int j = 0; j < dim; j++) assertEquals(b[r * dim + j], d[r * dim + j], 0f, "unchanged row " + r);
                }
                assertTrue(changedSomewhere > 0 && changedSomewhere < vocab, "a real subset: " + changedSomewhere);
            }
        }
    }

    /** A worker ships exactly its changed rows (a sign flip of zero counts), with their new values; none when idle. */
    @Test
    void changedRowsShipOnlyWhatChanged() {
        SgnsWeights before = SgnsWeights.initialize(10, 3, 1);
        SgnsWeights after = before.copy();
        after.syn0()[3 * 3 + 1] += 0.5f;
        after.syn1neg()[9 * 3 + 2] = -0.0f; // syn1neg starts at +0.0
        RowBlockExchange ex = new RowBlockExchange(10, 3, 4, 1, 1);
        List<RowBlock> got = new ArrayList<>();
        ex.changedRows(before, after, 2, 77).forEachRemaining(got::add);
        assertEquals(6, got.size());
        int shipped = 0;
        for (RowBlock b : got) {
            assertEquals(2, b.partition());
            assertEquals(77, b.words());
            shipped += b.rows().length;
        }
        assertEquals(2, shipped, "two changed rows in all");
        assertArrayEquals(new int[] {3}, got.get(0).rows());
        assertArrayEquals(new float[] {after.syn0()[9], after.syn0()[10], after.syn0()[11]}, got.get(0).values());
        assertArrayEquals(new int[] {9}, got.get(5).rows(), "syn1neg row 9 is block 2 of matrix 1");
        shipped = 0;
        for (Iterator<RowBlock> it = ex.changedRows(before, null, 0, 0); it.hasNext(); ) shipped += it.next().rows().length;
        assertEquals(0, shipped);
        assertThrows(IllegalArgumentException.class, () -> ex.changedRows(before, SgnsWeights.initialize(10, 4, 1), 0, 1));
    }

    @Test
    void mergeRefusesMissingOrDuplicatePartitions() {
        SgnsWeights before = SgnsWeights.initialize(4, 2, 1);
        RowBlockExchange ex = new RowBlockExchange(4, 2, 4, 1, 1);
        RowBlock p0 = ex.changedRows(before, before, 0, 5).next();
        RowBlock p1 = ex.changedRows(before, before, 1, 5).next();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ex.merge(List.of(p0), 2, before));
        assertTrue(e.getMessage().contains("partition 1 sent none"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> ex.merge(List.of(p0, p0), 2, before));
        assertThrows(IllegalStateException.class, () -> ex.merge(List.of(p0, p1), 1, before));
        assertEquals(10, ex.merge(List.of(p1, p0), 2, before).words());
    }

    /**
     * The layout from the limits: every block, reduce partition and job stays within its bound even when every row
     * changed, the keys cover all rows, and the jobs cover every reduce partition once; a 1M x 300 vocabulary under
     * the shipped limits (Kryo buffer.max 1g, maxResultSize 1g) has 8 MiB blocks, 64 MiB partitions, 256 MiB jobs.
     */
    @Test
    void layoutStaysWithinTheLimits() {
        long[][] cases = {{1_000_000, 300, 1L << 30, 1L << 30}, {53_165, 100, 64L << 20, 1L << 30},
                {7_000, 24, 1L << 20, 2L << 20}, {5, 1000, 1000, 1000}, {100_000, 50, 64L << 20, Long.MAX_VALUE}};
        for (long[] c : cases) {
            RowBlockExchange ex = RowBlockExchange.forLimits((int) c[0], (int) c[1], c[2], c[3]);
            long rowBytes = 4L * (c[1] + 1);
            long block = ex.rowsPerBlock() * rowBytes;
            long perPartition = 0;
            int[] keysIn = new int[ex.reducePartitions()];
            for (int k = 0; k < ex.keys(); k++) keysIn[ex.reducePartitionOf(k)]++;
            for (int n : keysIn) perPartition = Math.max(perPartition, n * block);
            String what = java.util.Arrays.toString(c);
            if (ex.rowsPerBlock() > 1) {
                assertTrue(perPartition <= Math.min(c[2], c[3]) / 4, what + ": partition " + perPartition);
                assertTrue(block <= RowBlockExchange.MAX_BLOCK_BYTES, what);
            }
            assertTrue((long) ex.blocksPerMatrix() * ex.rowsPerBlock() >= c[0], what + ": all rows covered");
            BitSet covered = new BitSet();
            for (int[] job : ex.jobs()) {
                long jobBytes = 0;
                for (int id : job) {
                    assertFalse(covered.get(id), what + ": partition " + id + " fetched twice");
                    covered.set(id);
                    jobBytes += keysIn[id] * block;
                }
                if (ex.rowsPerBlock() > 1) assertTrue(jobBytes <= Math.max(c[3] / 2, perPartition), what + ": job " + jobBytes);
            }
            assertEquals(ex.reducePartitions(), covered.cardinality(), what);
        }
        RowBlockExchange big = RowBlockExchange.forLimits(1_000_000, 300, 1L << 30, 1L << 30);
        assertEquals((8 << 20) / 1204, big.rowsPerBlock());
        assertEquals(8, (big.keys() + big.reducePartitions() - 1) / big.reducePartitions());
        assertEquals(4, big.jobs().get(0).length);
        assertEquals(2L * 1_000_000 * 1204, big.denseBytes());
    }
}
