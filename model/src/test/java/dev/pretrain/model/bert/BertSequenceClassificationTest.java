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
}
