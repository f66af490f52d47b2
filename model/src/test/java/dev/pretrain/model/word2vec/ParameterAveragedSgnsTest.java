package dev.pretrain.model.word2vec;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ParameterAveragedSgnsTest {
    private static TestCorpus imdb;
    private static JavaSparkContext jsc;

    @BeforeAll
    static void setUp() throws IOException {
        imdb = TestCorpus.build(TestCorpus.readImdb(TestCorpus.imdbUnsup(), 150_000), 3);
        jsc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("sgns-averaging-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
        jsc.setLogLevel("WARN");
    }

    @AfterAll
    static void tearDown() {
        if (jsc != null) jsc.close();
    }

    /** One partition and one round is exactly one SgnsTrainer pass with the same rate schedule and seed. */
    @Test
    void onePartitionOneRoundEqualsThePlainTrainer() {
        SgnsConfig cfg = SgnsConfig.defaults().withDim(24).withEpochs(1);
        JavaRDD<int[]> rdd = jsc.parallelize(imdb.sentences, 1);
        long[] sizes = ParameterAveragedSgns.sizes(rdd);
        assertEquals(imdb.sentences.size(), sizes[0]);
        assertEquals(imdb.totalWords, sizes[1]);
        assertEquals(1, sizes[2]);
        SgnsWeights init = SgnsWeights.initialize(imdb.words.size(), 24, 9);
        List<ParameterAveragedSgns.Round> log = new ArrayList<>();
        SgnsWeights spark = ParameterAveragedSgns.train(jsc, rdd, imdb.counts, cfg, 1, sizes[1], 1, init, g -> 77 + g,
                log::add);
        SgnsWeights direct = init.copy();
        new SgnsTrainer(cfg, imdb.counts).train(direct, imdb.sentences,
                ParameterAveragedSgns.alphaAt(cfg, 0, sizes[1]), ParameterAveragedSgns.alphaAt(cfg, sizes[1], sizes[1]),
                sizes[1], 77);
        assertArrayEquals(direct.syn0(), spark.syn0());
        assertArrayEquals(direct.syn1neg(), spark.syn1neg());
        assertEquals(1, log.size());
        assertEquals(imdb.totalWords, log.get(0).words());
        assertFalse(java.util.Arrays.equals(init.syn0(), spark.syn0()), "init must not be modified in place");
    }

    /** Update scaling: a row only one of k workers touched gets exactly that worker's update. */
    @Test
    void scaleUpdateRestoresASingleWorkersUpdate() {
        SgnsWeights before = new SgnsWeights(2, 2, new float[] {1, 1, 1, 1}, new float[] {0, 0, 0, 0});
        // worker A moved row 0 by +0.4, worker B left it; the mean moved it by +0.2; k = 2 restores +0.4
        SgnsWeights mean = new SgnsWeights(2, 2, new float[] {1.2f, 1.2f, 1, 1}, new float[] {0, 0, 0.1f, 0});
        SgnsWeights out = ParameterAveragedSgns.scaleUpdate(before, mean, 2);
        assertArrayEquals(new float[] {1.4f, 1.4f, 1, 1}, out.syn0(), 1e-6f);
        assertArrayEquals(new float[] {0, 0, 0.2f, 0}, out.syn1neg(), 1e-6f);
    }

    @Test
    void alphaDecaysLinearlyToMinAlpha() {
        SgnsConfig cfg = SgnsConfig.defaults();
        assertEquals(0.025, ParameterAveragedSgns.alphaAt(cfg, 0, 1000), 1e-12);
        assertEquals(0.025 * (1 - 500.0 / 1001), ParameterAveragedSgns.alphaAt(cfg, 500, 1000), 1e-12);
        assertEquals(cfg.minAlpha(), ParameterAveragedSgns.alphaAt(cfg, 1000, 1000), 1e-12);
    }
}
