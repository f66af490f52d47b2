package dev.pretrain.model.rounds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ModuloPartitionerTest {

    @Test
    void longKeysGoToTheirNonNegativeRemainder() {
        ModuloPartitioner p = new ModuloPartitioner(7);
        assertEquals(7, p.numPartitions());
        assertEquals(3, p.getPartition(10L));
        assertEquals(0, p.getPartition(700_000_000_007L * 3));
        assertEquals(4, p.getPartition(-3L)); // floorMod, never a negative partition
        assertEquals(0, p.getPartition(Long.MAX_VALUE)); // 2^3 = 1 (mod 7), so 2^63 - 1 = 0 (mod 7)
    }

    @Test
    void integerShardKeysLandInTheirOwnPartition() {
        ModuloPartitioner p = new ModuloPartitioner(16);
        for (int shard = 0; shard < 16; shard++) {
            assertEquals(shard, p.getPartition(shard));
        }
        assertEquals(15, p.getPartition(-1));
    }

    @Test
    void otherKeysAndBadSizesAreRefused() {
        assertThrows(ClassCastException.class, () -> new ModuloPartitioner(4).getPartition("3"));
        assertThrows(IllegalArgumentException.class, () -> new ModuloPartitioner(0));
        assertEquals(new ModuloPartitioner(5), new ModuloPartitioner(5));
        assertNotEquals(new ModuloPartitioner(5), new ModuloPartitioner(6));
    }
}
