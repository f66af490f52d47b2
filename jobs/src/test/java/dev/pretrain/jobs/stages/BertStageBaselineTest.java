package dev.pretrain.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import dev.pretrain.model.bert.BertExample;

/** The baselines that the train-bert report puts beside the held-out MLM and NSP accuracies. */
class BertStageBaselineTest {
    private static BertExample example(int[] maskedIds, float[] weights, int nsp) {
        int[] none = new int[4];
        return new BertExample(none, none, none, new int[maskedIds.length], maskedIds, weights, nsp);
    }

    @Test
    void unigramBaselineCountsOnlyRealPredictions() {
        // real labels: 7, 7, 9 | 7, 3 (the padded slots hold 9s and must not count)
        List<BertExample> ex = List.of(
                example(new int[] {7, 7, 9, 9}, new float[] {1, 1, 1, 0}, 0),
                example(new int[] {7, 3, 9, 9}, new float[] {1, 1, 0, 0}, 1));
        assertEquals(3.0 / 5.0, BertStage.unigramAccuracy(ex), 1e-12);
        assertEquals(0.0, BertStage.unigramAccuracy(List.of()), 0.0);
    }

    @Test
    void nspMajorityIsTheLargerLabelShare() {
        List<BertExample> ex = List.of(
                example(new int[] {1}, new float[] {1}, 1),
                example(new int[] {1}, new float[] {1}, 1),
                example(new int[] {1}, new float[] {1}, 0));
        assertEquals(2.0 / 3.0, BertStage.nspMajorityAccuracy(ex), 1e-12);
        assertEquals(0.0, BertStage.nspMajorityAccuracy(List.of()), 0.0);
    }
}
