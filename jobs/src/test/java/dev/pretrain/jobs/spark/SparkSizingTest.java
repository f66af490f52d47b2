package dev.pretrain.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import dev.pretrain.model.bert.BertConfig;

/** SparkSizing's documented formula for the named BERT sizes (vocab 30522, sequence 128, 2 workers, 4 tasks). */
class SparkSizingTest {
    private static SparkSizing.Sizes sizes(String model) {
        return SparkSizing.forBert(BertConfig.preset(model, 30522), 2, 4);
    }

    @Test
    void formulaNumbers() {
        SparkSizing.Sizes tiny = sizes("tiny");
        assertEquals(8_291_132L, tiny.parameters());
        assertEquals(12 * 8_291_132L, tiny.resultBytes());
        // ceil(12P / MiB) = 95; buffer 95 + 64; result 2 x 95 + 256; overhead 4 x ceil(28P / MiB) + 1024
        assertEquals(159, tiny.kryoBufferMaxMiB());
        assertEquals(446, tiny.driverMaxResultSizeMiB());
        assertEquals(4 * 222 + 1024, tiny.executorMemoryOverheadMiB());
        SparkSizing.Sizes mini = sizes("mini");
        assertEquals(18_983_228L, mini.parameters());
        assertEquals(List.of(282L, 692L, 3052L),
                List.of(mini.kryoBufferMaxMiB(), mini.driverMaxResultSizeMiB(), mini.executorMemoryOverheadMiB()));
        SparkSizing.Sizes base = sizes("base");
        assertEquals(133_252_412L, base.parameters());
        assertEquals(Map.of("spark.kryoserializer.buffer.max", "1589m", "spark.driver.maxResultSize", "3306m",
                "spark.executor.memoryOverhead", "15260m"), base.asConf());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sizes("large"));
        assertTrue(e.getMessage().contains("367087420 parameters") && e.getMessage().contains("2047m"), e.getMessage());
    }

    @Test
    void tooSmallListsOnlyInsufficientSettings() {
        SparkSizing.Sizes mini = sizes("mini");
        SparkConf conf = new SparkConf(false);
        // Spark's defaults: 64m buffer (too small), 1g maxResultSize (enough for 692m)
        assertEquals(List.of("spark.kryoserializer.buffer.max: set 282m (now 64m)"), SparkSizing.tooSmall(conf, mini));
        conf.set("spark.kryoserializer.buffer.max", "1g").set("spark.executor.memoryOverhead", "2g");
        assertEquals(List.of("spark.executor.memoryOverhead: set 3052m (now 2g)"), SparkSizing.tooSmall(conf, mini));
        conf.set("spark.executor.memoryOverhead", "6g").set("spark.driver.maxResultSize", "100m");
        assertEquals(List.of("spark.driver.maxResultSize: set 692m (now 100m)"), SparkSizing.tooSmall(conf, mini));
        conf.set("spark.driver.maxResultSize", "0");
        assertEquals(List.of(), SparkSizing.tooSmall(conf, mini));
    }
}
