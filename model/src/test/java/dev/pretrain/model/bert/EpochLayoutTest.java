package dev.pretrain.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** {@link EpochLayout}: a seeded permutation independent of the input partitioning, rounds that read few buckets. */
class EpochLayoutTest {

    /** Example {@code id}: its id in input_ids[0]. */
    private static BertExample example(int id) {
        return new BertExample(new int[] {id, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {0}, new int[] {0},
                new float[] {0f}, 0);
    }

    private static List<Integer> ids(List<BertExample> examples) {
        List<Integer> ids = new ArrayList<>();
        for (BertExample e : examples) ids.add(e.inputIds()[0]);
        return ids;
    }

    /** The epoch's order: every round's examples, worker-interleaved back into position order. */
    private static List<Integer> order(EpochLayout layout, long total, long chunk, int workers) {
        List<Integer> all = new ArrayList<>();
        for (long lo = 0; lo < total; lo += chunk) {
            long hi = Math.min(total, lo + chunk);
            List<List<BertExample>> parts = collectRound(layout, lo, hi, workers);
            assertEquals(workers, parts.size());
            for (long j = 0; j < hi - lo; j++) {
                int w = (int) (j % workers);
                all.add(parts.get(w).get((int) (j / workers)).inputIds()[0]);
            }
            int dealt = parts.stream().mapToInt(List::size).sum();
            assertEquals(hi - lo, dealt, "round [" + lo + ", " + hi + ") holds its examples only");
        }
        return all;
    }

    @Test
    void roundsCoverAPermutationIndependentOfInputPartitioning() {
        int n = 203;
        List<BertExample> examples = new ArrayList<>();
        for (int i = 0; i < n; i++) examples.add(example(i));
        long chunk = 12;
        int workers = 3;
        try (JavaSparkContext sc = new JavaSparkContext(BertSparkTrainerTest.localConf())) {
            List<Integer> a;
            List<Integer> b;
            List<Integer> otherSeed;
            try (EpochLayout l = EpochLayout.of(sc.parallelize(examples, 1), n, 7, 36)) {
                assertEquals(6, l.buckets(), "ceil(203 / 36) buckets");
                a = order(l, n, chunk, workers);
                // a round reads only the buckets that hold its positions: at most ceil(chunk / bucket) + 1
                for (long lo = 0; lo < n; lo += chunk) {
                    int[] sel = l.bucketsOf(lo, Math.min(n, lo + chunk));
                    assertTrue(sel.length >= 1 && sel.length <= 2, "buckets of round at " + lo);
                    assertEquals(sel.length, l.pruned(sel).getNumPartitions());
                }
                long[] starts = l.starts();
                assertEquals(0, starts[0]);
                assertEquals(n, starts[starts.length - 1]);
            }
            try (EpochLayout l = EpochLayout.of(sc.parallelize(examples, 5), n, 7, 36)) {
                b = order(l, n, chunk, workers);
            }
            try (EpochLayout l = EpochLayout.of(sc.parallelize(examples, 5), n, 8, 36)) {
                otherSeed = order(l, n, chunk, workers);
            }
            assertEquals(a, b, "same seed, other input partitioning: same order");
            assertNotEquals(a, otherSeed, "another seed shuffles differently");
            Set<Integer> seen = new HashSet<>(a);
            assertEquals(n, a.size());
            assertEquals(n, seen.size(), "every example exactly once");
            List<Integer> identity = new ArrayList<>();
            for (int i = 0; i < n; i++) identity.add(i);
            assertNotEquals(identity, a, "shuffled");
            List<Integer> sorted = new ArrayList<>(a);
            sorted.sort(null);
            assertEquals(identity, sorted);
        }
    }

    @Test
    void workerPartitionsHoldInterleavedPositionsInOrder() {
        int n = 40;
        List<BertExample> examples = new ArrayList<>();
        for (int i = 0; i < n; i++) examples.add(example(i));
        try (JavaSparkContext sc = new JavaSparkContext(BertSparkTrainerTest.localConf());
             EpochLayout l = EpochLayout.of(sc.parallelize(examples, 3), n, 3, 16)) {
            List<Integer> whole = ids(collectRound(l, 0, n, 1).get(0));
            List<List<BertExample>> round = collectRound(l, 8, 19, 2);
            assertEquals(List.of(whole.get(8), whole.get(10), whole.get(12), whole.get(14), whole.get(16), whole.get(18)),
                    ids(round.get(0)));
            assertEquals(List.of(whole.get(9), whole.get(11), whole.get(13), whole.get(15), whole.get(17)),
                    ids(round.get(1)));
            assertThrows(IllegalArgumentException.class, () -> l.round(5, 5, 2));
            assertThrows(IllegalArgumentException.class, () -> l.round(0, n + 1, 2));
        }
    }

    /** The examples of a round per worker, collected. */
    static List<List<BertExample>> collectRound(EpochLayout layout, long lo, long hi, int workers) {
        List<List<BertExample>> out = new ArrayList<>();
        for (List<BertExample> part : layout.round(lo, hi, workers).glom().collect()) out.add(new ArrayList<>(part));
        return out;
    }
}
