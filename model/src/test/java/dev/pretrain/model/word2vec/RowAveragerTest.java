package dev.pretrain.model.word2vec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class RowAveragerTest {
    private static SgnsWeights w(float[] syn0, float[] syn1) {
        return new SgnsWeights(3, 2, syn0, syn1);
    }

    @Test
    void eachRowIsTheMeanOfTheWorkersThatChangedIt() {
        SgnsWeights before = w(new float[] {1, 1, 2, 2, 3, 3}, new float[] {0, 0, 0, 0, 0, 0});
        // worker A changes syn0 rows 0 and 1; worker B changes syn0 row 1 and syn1 row 2
        SgnsWeights a = w(new float[] {1.5f, 0.5f, 2.2f, 2.2f, 3, 3}, new float[] {0, 0, 0, 0, 0, 0});
        SgnsWeights b = w(new float[] {1, 1, 2.6f, 1.8f, 3, 3}, new float[] {0, 0, 0, 0, 0.3f, -0.1f});
        RowAverager left = new RowAverager(3, 2).add(before, a, 10);
        RowAverager right = new RowAverager(3, 2).add(before, b, 30);
        SgnsWeights out = left.merge(right).apply(before);
        assertEquals(40, left.words());
        assertArrayEquals(new float[] {1.5f, 0.5f, 2.4f, 2.0f, 3, 3}, out.syn0(), 1e-6f);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0.3f, -0.1f}, out.syn1neg());
        assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3}, before.syn0(), "before is not modified");
    }

    @Test
    void aSingleWorkerIsCopiedBitForBit() {
        SgnsWeights before = SgnsWeights.initialize(50, 8, 3);
        SgnsWeights after = before.copy();
        for (int i = 0; i < after.syn0().length; i += 3) after.syn0()[i] += 0.01f * i;
        after.syn1neg()[17] = 0.123f;
        SgnsWeights out = new RowAverager(50, 8).add(before, after, 5).apply(before);
        assertArrayEquals(after.syn0(), out.syn0());
        assertArrayEquals(after.syn1neg(), out.syn1neg());
    }

    @Test
    void rejectsBadInput() {
        RowAverager r = new RowAverager(3, 2);
        assertThrows(IllegalArgumentException.class, () -> r.add(SgnsWeights.initialize(4, 2, 1), SgnsWeights.initialize(4, 2, 1), 1));
        assertThrows(IllegalArgumentException.class, () -> r.merge(r));
        assertThrows(IllegalArgumentException.class, () -> r.merge(new RowAverager(3, 3)));
        assertThrows(IllegalArgumentException.class, () -> new RowAverager(0, 2));
    }
}
