package dev.pretrain.model.word2vec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

class SentenceRoundsTest {

    /** Round r, worker p: sentences i of input partition p with i mod rounds = r, in input order. */
    @Test
    void aRoundReadsItsOwnSentencesOfEveryPartitionInOrder() {
        try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("rounds")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer"))) {
            Random rnd = new Random(5);
            List<int[]> sentences = new ArrayList<>();
            for (int i = 0; i < 1013; i++) {
                int[] s = new int[1 + rnd.nextInt(9)];
                for (int j = 0; j < s.length; j++) s[j] = rnd.nextInt(1000);
                s[0] = i; // distinct, so a wrong order cannot pass
                sentences.add(s);
            }
            // uneven partitions: 3 slices, then one of them split again
            JavaRDD<int[]> rdd = sc.parallelize(sentences, 3).union(sc.parallelize(sentences.subList(0, 7), 1));
            List<List<int[]>> parts = rdd.glom().collect();
            int rounds = 5;
            try (SentenceRounds laid = SentenceRounds.of(rdd, rounds)) {
                assertEquals(4, laid.workers());
                for (int r = 0; r < rounds; r++) {
                    List<List<int[]>> got = laid.round(r).glom().collect();
                    assertEquals(parts.size(), got.size(), "round " + r + ": one partition a worker");
                    for (int p = 0; p < parts.size(); p++) {
                        List<int[]> want = new ArrayList<>();
                        for (int i = r; i < parts.get(p).size(); i += rounds) want.add(parts.get(p).get(i));
                        assertEquals(want.size(), got.get(p).size(), "round " + r + " worker " + p);
                        for (int i = 0; i < want.size(); i++) {
                            assertArrayEquals(want.get(i), got.get(p).get(i), "round " + r + " worker " + p + " #" + i);
                        }
                    }
                }
                assertThrows(IllegalArgumentException.class, () -> laid.round(rounds));
            }
            assertThrows(IllegalArgumentException.class, () -> SentenceRounds.of(rdd, 0));
        }
    }
}
