package dev.pretrain.model.word2vec;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class ParameterAveragerTest {
    private static SgnsWeights w(float... syn0) {
        float[] s1 = new float[syn0.length];
        for (int i = 0; i < s1.length; i++) s1[i] = -2 * syn0[i];
        return new SgnsWeights(syn0.length / 2, 2, syn0, s1);
    }

    @Test
    void weightedAverageByHand() {
        ParameterAverager a = new ParameterAverager(2, 2)
                .add(w(1, 2, 3, 4), 1)
                .add(w(4, 0, 0, 8), 3)
                .add(w(100, 100, 100, 100), 0); // ignored
        // (1*1 + 3*4)/4 = 3.25, (2 + 0)/4 = 0.5, (3 + 0)/4 = 0.75, (4 + 24)/4 = 7
        SgnsWeights avg = a.average();
        assertArrayEquals(new float[] {3.25f, 0.5f, 0.75f, 7f}, avg.syn0(), 1e-6f);
        assertArrayEquals(new float[] {-6.5f, -1f, -1.5f, -14f}, avg.syn1neg(), 1e-6f);
        assertEquals(4, a.totalWeight());
    }

    @Test
    void mergeEqualsSequentialAdds() throws Exception {
        SgnsWeights x = w(1, 2, 3, 4), y = w(-1, 5, 0, 2), z = w(7, 7, -7, 1);
        SgnsWeights seq = new ParameterAverager(2, 2).add(x, 5).add(y, 2).add(z, 10).average();
        ParameterAverager left = new ParameterAverager(2, 2).add(x, 5);
        ParameterAverager right = new ParameterAverager(2, 2).add(y, 2).add(z, 10);
        ParameterAverager empty = roundTrip(new ParameterAverager(2, 2)); // a treeAggregate zero value
        SgnsWeights merged = empty.merge(roundTrip(left)).merge(right).merge(new ParameterAverager(2, 2)).average();
        assertArrayEquals(seq.syn0(), merged.syn0(), 1e-5f);
        assertArrayEquals(seq.syn1neg(), merged.syn1neg(), 1e-5f);
        // (5*1 - 2 + 70)/17
        assertEquals(73f / 17, merged.syn0()[0], 1e-5f);
        assertEquals(17, empty.totalWeight());
    }

    @Test
    void averageDoesNotAliasInputs() {
        SgnsWeights x = w(1, 2, 3, 4);
        ParameterAverager a = new ParameterAverager(2, 2).add(x, 1);
        x.syn0()[0] = 99;
        assertEquals(1f, a.average().syn0()[0]);
        SgnsWeights c = x.copy();
        c.syn0()[1] = 42;
        assertEquals(2f, x.syn0()[1]);
    }

    @Test
    void errors() {
        ParameterAverager a = new ParameterAverager(2, 2);
        assertThrows(IllegalStateException.class, a::average);
        assertThrows(IllegalArgumentException.class, () -> a.add(w(1, 2), 1));
        assertThrows(IllegalArgumentException.class, () -> a.add(w(1, 2, 3, 4), -1));
        assertThrows(IllegalArgumentException.class, () -> a.merge(new ParameterAverager(3, 2)));
    }

    private static ParameterAverager roundTrip(ParameterAverager a) throws Exception {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bo)) {
            o.writeObject(a);
        }
        if (a.totalWeight() == 0) assertTrue(bo.size() < 300, "empty averager is small: " + bo.size());
        try (ObjectInputStream i = new ObjectInputStream(new ByteArrayInputStream(bo.toByteArray()))) {
            return (ParameterAverager) i.readObject();
        }
    }
}
