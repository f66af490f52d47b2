package dev.pretrain.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

class BertSequenceClassificationTest {
    static final int CLS = 2, SEP = 3, KEY = 7;

    static BertConfig pretrainingConfig(long seed) {
        BertConfig c = BertConfig.fromJson("{\"vocab_size\": 40, \"hidden_size\": 16, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 2, \"intermediate_size\": 32, \"max_position_embeddings\": 12,"
                + " \"max_predictions_per_seq\": 3}")
                .withSequence(12, 3);
        c.setSeed(seed);
        return c;
    }

    @Test
    void exampleIsClsTokensSepPaddedWithoutPredictions() {
        BertConfig c = BertSequenceClassification.classificationConfig(pretrainingConfig(1), 8);
        BertExample e = BertSequenceClassification.example(new int[] {10, 11, 12}, 1, c, CLS, SEP);
        assertArrayEquals(new int[] {CLS, 10, 11, 12, SEP, 0, 0, 0}, e.inputIds());
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 0, 0, 0}, e.inputMask());
        assertArrayEquals(new int[8], e.segmentIds());
        assertArrayEquals(new float[1], e.maskedLmWeights());
        assertEquals(1, e.nextSentenceLabel());
        // truncated to maxSeqLength - 2 tokens
        BertExample longer = BertSequenceClassification.example(new int[] {5, 6, 7, 8, 9, 10, 11, 12, 13}, 0, c, CLS, SEP);
        assertArrayEquals(new int[] {CLS, 5, 6, 7, 8, 9, 10, SEP}, longer.inputIds());
        assertThrows(IllegalArgumentException.class, () -> BertSequenceClassification.example(new int[] {5}, 2, c, CLS, SEP));
        assertThrows(IllegalArgumentException.class, () -> BertSequenceClassification.classificationConfig(pretrainingConfig(1), 13));
    }

    @Test
    void initializeCopiesTheEncoderAndReinitialisesTheHead() {
        BertTrainingConfig tc = new BertTrainingConfig(8, 1, 1, 1, 1e-3, 0.01, 2, 7);
        ComputationGraph pretrained = BertModel.build(pretrainingConfig(99), tc);
        BertConfig c = BertSequenceClassification.classificationConfig(pretrainingConfig(1), 8);
        ComputationGraph net = BertSequenceClassification.initialize(pretrained, c, tc, 10);
        ComputationGraph random = BertSequenceClassification.initialize(null, c, tc, 10);
        Map<String, INDArray> from = pretrained.paramTable();
        int copied = 0;
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            String k = e.getKey();
            if (k.startsWith("nsp_")) {
                // the head keeps the classifier's own seeded initialisation, not the pretrained NSP weights
                assertEquals(random.paramTable().get(k), e.getValue(), k);
                if (k.equals("nsp_W")) assertNotEquals(from.get(k), e.getValue(), k);
            } else if (k.equals("embeddings_pos")) {
                assertEquals(from.get(k).get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 8)),
                        e.getValue(), k);
                copied++;
            } else {
                assertEquals(from.get(k), e.getValue(), k);
                copied++;
            }
        }
        assertTrue(copied > 10, "copied " + copied + " parameters");
        assertNotEquals(from.get("layer_0_Wq"), random.paramTable().get("layer_0_Wq"));
    }

    /** label = 1 iff token KEY occurs: the [CLS] pooling must attend to it. */
    static List<BertExample> keyTask(int n, BertConfig c, long seed) {
        Random r = new Random(seed);
        List<BertExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 3 + r.nextInt(4);
            int[] ids = new int[len];
            for (int j = 0; j < len; j++) {
                int id;
                do id = 5 + r.nextInt(35); while (id == KEY);
                ids[j] = id;
            }
            int label = i % 2;
            if (label == 1) ids[r.nextInt(len)] = KEY;
            out.add(BertSequenceClassification.example(ids, label, c, CLS, SEP));
        }
        return out;
    }

    @Test
    void fineTuningLearnsATokenPresenceTask() {
        BertConfig c = BertSequenceClassification.classificationConfig(pretrainingConfig(3), 8);
        List<BertExample> train = keyTask(256, c, 1);
        List<BertExample> test = keyTask(200, c, 2);
        int epochs = 8, batch = 16;
        BertTrainingConfig tc = new BertTrainingConfig(batch, 1, 1, epochs, 3e-3, 0.01, 10, 7);
        ComputationGraph net = BertSequenceClassification.initialize(null, c, tc,
                BertSequenceClassification.steps(train.size(), batch, epochs));
        double before = BertSequenceClassification.accuracy(net, test, c, 64);
        BertSequenceClassification.fit(net, train, c, batch, epochs, 5);
        double after = BertSequenceClassification.accuracy(net, test, c, 64);
        assertTrue(after >= 0.9, "held-out accuracy " + before + " -> " + after);
    }

    @Test
    void epochPermutationIsASeededBijectionThatChangesPerEpoch() {
        for (long n : new long[] {1, 2, 3, 5, 16, 17, 1000, 4099}) {
            EpochPermutation p = new EpochPermutation(n, 42, 0);
            boolean[] seen = new boolean[(int) n];
            for (long i = 0; i < n; i++) {
                long j = p.apply(i);
                assertTrue(j >= 0 && j < n && !seen[(int) j], "n=" + n + " i=" + i + " -> " + j);
                seen[(int) j] = true;
                assertEquals(j, new EpochPermutation(n, 42, 0).apply(i), "deterministic");
            }
        }
        long n = 1000;
        int sameEpoch = 0, sameSeed = 0, fixed = 0;
        for (long i = 0; i < n; i++) {
            long j = new EpochPermutation(n, 42, 0).apply(i);
            if (j == new EpochPermutation(n, 42, 1).apply(i)) sameEpoch++;
            if (j == new EpochPermutation(n, 43, 0).apply(i)) sameSeed++;
            if (j == i) fixed++;
        }
        // a random permutation agrees with another one (or the identity) in about 1 place
        assertTrue(sameEpoch < 10 && sameSeed < 10 && fixed < 10, sameEpoch + " " + sameSeed + " " + fixed);
        assertThrows(IllegalArgumentException.class, () -> new EpochPermutation(0, 1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> new EpochPermutation(5, 1, 0).apply(5));
    }

    @Test
    void epochOrderPlacesEachExampleByThePermutationAndBatchesStream() {
        List<Integer> items = new ArrayList<>();
        for (int i = 0; i < 37; i++) items.add(i);
        List<Integer> order = BertSequenceClassification.epochOrder(items, 9, 2);
        EpochPermutation p = new EpochPermutation(37, 9, 2);
        for (int i = 0; i < 37; i++) assertEquals(i, order.get((int) p.apply(i)));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
                26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36), order.stream().sorted().toList());
        java.util.Iterator<List<Integer>> b = BertSequenceClassification.batches(items.iterator(), 16);
        assertEquals(items.subList(0, 16), b.next());
        assertEquals(items.subList(16, 32), b.next());
        assertEquals(items.subList(32, 37), b.next());
        assertTrue(!b.hasNext());
    }

    @Test
    void streamedFitIsTheListFitAndCountsSteps() {
        BertConfig c = BertSequenceClassification.classificationConfig(pretrainingConfig(3), 8);
        List<BertExample> train = keyTask(40, c, 1);
        BertTrainingConfig tc = new BertTrainingConfig(16, 1, 1, 2, 3e-3, 0.01, 2, 7);
        ComputationGraph a = BertSequenceClassification.initialize(null, c, tc, 6);
        ComputationGraph b = BertSequenceClassification.initialize(null, c, tc, 6);
        BertSequenceClassification.fit(a, train, c, 16, 2, 5);
        long steps = BertSequenceClassification.fit(b, epoch -> BertSequenceClassification.batches(
                BertSequenceClassification.epochOrder(train, 5, epoch).iterator(), 16), c, 2);
        assertEquals(BertSequenceClassification.steps(40, 16, 2), steps);
        assertEquals(a.params(), b.params());
        List<BertExample> test = keyTask(30, c, 2);
        assertEquals(BertSequenceClassification.accuracy(a, test, c, 7),
                BertSequenceClassification.accuracy(a, BertSequenceClassification.batches(test.iterator(), 7), c));
        assertThrows(IllegalArgumentException.class, () -> BertSequenceClassification.fit(b,
                epoch -> java.util.Collections.emptyIterator(), c, 1));
    }
}
