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

    /** Averager of partition p: random weights (seed p), weighted by an uneven word count. */
    private static ParameterAverager averagerOf(int p) {
        return new ParameterAverager(50, 8).add(SgnsWeights.initialize(50, 8, 1000 + p), 1_000 + 37L * p * p);
    }

    /**
     * The merge runs in partition order whatever the task completion order: tasks that sleep a different random
     * time in every run give bit-identical results, equal to the binary tree over partition indices computed
     * locally; and the result is the words-weighted mean.
     */
    @Test
    void mergeInPartitionOrderIsIndependentOfTaskCompletionOrder() {
        int parts = 5;
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < parts; p++) ids.add(p);
        // ((a0 a1) (a2 a3)) a4: pairs (2j, 2j+1) level by level, then the last two in order
        ParameterAverager expected = averagerOf(0).merge(averagerOf(1))
                .merge(averagerOf(2).merge(averagerOf(3))).merge(averagerOf(4));
        java.util.Random jitter = new java.util.Random(5);
        for (int run = 0; run < 4; run++) {
            final long salt = jitter.nextLong();
            JavaRDD<ParameterAverager> rdd = jsc.parallelize(ids, parts).map(p -> {
                Thread.sleep(Math.floorMod(salt * 31 + p * 0x9E3779B97F4A7C15L, 60L));
                return averagerOf(p);
            });
            SgnsWeights got = ParameterAveragedSgns.mergeInPartitionOrder(rdd).average();
            assertArrayEquals(expected.average().syn0(), got.syn0(), "run " + run);
            assertArrayEquals(expected.average().syn1neg(), got.syn1neg(), "run " + run);
        }
        double total = 0;
        double[] mean = new double[50 * 8];
        for (int p = 0; p < parts; p++) {
            long w = 1_000 + 37L * p * p;
            float[] x = SgnsWeights.initialize(50, 8, 1000 + p).syn0();
            for (int i = 0; i < mean.length; i++) mean[i] += w * (double) x[i];
            total += w;
        }
        float[] got = expected.average().syn0();
        for (int i = 0; i < mean.length; i++) assertEquals(mean[i] / total, got[i], 1e-6, "element " + i);
        assertThrows(IllegalArgumentException.class,
                () -> ParameterAveragedSgns.mergeInPartitionOrder(jsc.parallelize(new ArrayList<ParameterAverager>(), 3)));
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

    /**
     * Quality against partitions on real text: the held-out negative-sampling loss (lower = better trained) of 4
     * partitions with the default rule (BMUF) stays close to one partition's, while the old k-scaled sum and
     * plain averaging end clearly worse (what the default rule fixes).
     */
    @Test
    void fourPartitionsTrainAlmostAsWellAsOne() {
        SgnsConfig cfg = SgnsConfig.defaults().withDim(32).withEpochs(2).withSample(1e-3);
        int held = imdb.sentences.size() / 10;
        List<int[]> train = imdb.sentences.subList(held, imdb.sentences.size());
        List<int[]> test = imdb.sentences.subList(0, held);
        SgnsWeights init = SgnsWeights.initialize(imdb.words.size(), cfg.dim(), 5);
        double one = heldOutLoss(run(train, 1, cfg, init, ParameterAveragedSgns.Averaging.defaults()), test);
        double bmuf = heldOutLoss(run(train, 4, cfg, init, ParameterAveragedSgns.Averaging.defaults()), test);
        double mean = heldOutLoss(run(train, 4, cfg, init, ParameterAveragedSgns.Averaging.of(ParameterAveragedSgns.Rule.MEAN)), test);
        double untrained = heldOutLoss(init, test);
        System.out.printf("held-out SGNS loss: untrained %.4f, 1 partition %.4f, 4 partitions: BMUF %.4f, mean %.4f%n",
                untrained, one, bmuf, mean);
        assertTrue(one < untrained - 0.5, "training lowers the loss: " + one + " vs " + untrained);
        assertTrue(bmuf < one + 0.1 * (untrained - one), "BMUF at 4 partitions " + bmuf + " vs 1 partition " + one);
        assertTrue(mean > bmuf + 0.1 * (untrained - one), "plain averaging under-trains: " + mean + " vs BMUF " + bmuf);
    }

    /**
     * The ND4J engine inside the Spark averaging loop (2 partitions): it trains (held-out loss well below the
     * untrained one, and within 10% of the untrained-to-trained gap of the Java engine); an unknown engine name fails
     * on the driver.
     */
    @Test
    void nd4jEngineTrainsInsideTheAveragingLoop() {
        SgnsConfig cfg = SgnsConfig.defaults().withDim(32).withEpochs(2).withSample(1e-3);
        int held = imdb.sentences.size() / 10;
        List<int[]> train = imdb.sentences.subList(held, imdb.sentences.size());
        List<int[]> test = imdb.sentences.subList(0, held);
        SgnsWeights init = SgnsWeights.initialize(imdb.words.size(), cfg.dim(), 5);
        JavaRDD<int[]> rdd = jsc.parallelize(train, 2).cache();
        long[] sizes = ParameterAveragedSgns.sizes(rdd);
        SgnsWeights java = ParameterAveragedSgns.train(jsc, rdd, imdb.counts, cfg, 4, sizes[1], 2, init, g -> 50 + g,
                null, ParameterAveragedSgns.Averaging.defaults(), "java");
        SgnsWeights nd4j = ParameterAveragedSgns.train(jsc, rdd, imdb.counts, cfg, 4, sizes[1], 2, init, g -> 50 + g,
                null, ParameterAveragedSgns.Averaging.defaults(), "nd4j:256");
        double untrained = heldOutLoss(init, test), j = heldOutLoss(java, test), n = heldOutLoss(nd4j, test);
        System.out.printf("held-out SGNS loss: untrained %.4f, java %.4f, nd4j %.4f%n", untrained, j, n);
        assertTrue(j < untrained - 0.5, "java engine trains: " + j + " vs " + untrained);
        assertTrue(n < j + 0.1 * (untrained - j), "nd4j engine " + n + " vs java " + j + " (untrained " + untrained + ")");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ParameterAveragedSgns.train(jsc, rdd, imdb.counts, cfg, 1, sizes[1], 2, init, g -> g, null,
                        ParameterAveragedSgns.Averaging.defaults(), "gpu-magic"));
        assertTrue(e.getMessage().contains("gpu-magic"), e.getMessage());
        rdd.unpersist();
    }

    private static SgnsWeights run(List<int[]> train, int partitions, SgnsConfig cfg, SgnsWeights init,
                                   ParameterAveragedSgns.Averaging averaging) {
        JavaRDD<int[]> rdd = jsc.parallelize(train, partitions).cache();
        long[] sizes = ParameterAveragedSgns.sizes(rdd);
        SgnsWeights w = ParameterAveragedSgns.train(jsc, rdd, imdb.counts, cfg, 8, sizes[1], (int) sizes[2], init,
                g -> 1000 + g, null, averaging);
        rdd.unpersist();
        return w;
    }

    /**
     * Mean SGNS loss on held-out text: for every (context, centre) pair within 5 words,
     * {@code -log sigma(syn0[context] . syn1neg[centre]) - sum over 5 negatives of log sigma(-syn0[context] . syn1neg[neg])},
     * negatives drawn (seeded) from counts^0.75.
     */
    static double heldOutLoss(SgnsWeights w, List<int[]> sentences) {
        int dim = w.dim();
        double[] cdf = new double[imdb.counts.length];
        double z = 0;
        for (int i = 0; i < cdf.length; i++) cdf[i] = z += Math.pow(imdb.counts[i], 0.75);
        java.util.Random rnd = new java.util.Random(42);
        double loss = 0;
        long pairs = 0;
        for (int[] s : sentences) {
            for (int pos = 0; pos < s.length; pos++) {
                for (int c = Math.max(0, pos - 5); c <= Math.min(s.length - 1, pos + 5); c++) {
                    if (c == pos) continue;
                    loss -= logSigmoid(dot(w, s[c], s[pos], dim));
                    for (int n = 0; n < 5; n++) {
                        int neg = java.util.Arrays.binarySearch(cdf, rnd.nextDouble() * z);
                        neg = Math.min(cdf.length - 1, neg < 0 ? -neg - 1 : neg);
                        loss -= logSigmoid(-dot(w, s[c], neg, dim));
                    }
                    pairs++;
                }
            }
        }
        return loss / pairs;
    }

    private static double dot(SgnsWeights w, int in, int out, int dim) {
        double d = 0;
        for (int k = 0; k < dim; k++) d += w.syn0()[in * dim + k] * w.syn1neg()[out * dim + k];
        return d;
    }

    private static double logSigmoid(double x) {
        return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
    }

    /** Default BMUF settings: zeta = min(2, k), eta = 1 - zeta/k; k = 2 is the k-scaled sum, k = 1 plain training. */
    @Test
    void defaultBlockMomentumSettings() {
        ParameterAveragedSgns.Averaging a = ParameterAveragedSgns.Averaging.defaults();
        assertEquals(ParameterAveragedSgns.Rule.BMUF, a.rule());
        double[][] expected = {{1, 0, 1}, {2, 0, 2}, {4, 0.5, 2}, {8, 0.75, 2}};
        for (double[] e : expected) {
            assertEquals(e[1], a.momentumFor((int) e[0]), 1e-12, "eta at k=" + e[0]);
            assertEquals(e[2], a.blockLrFor((int) e[0]), 1e-12, "zeta at k=" + e[0]);
            // steady-state gain zeta / (1 - eta) = k: the sum of the workers' updates
            assertEquals(e[0], a.blockLrFor((int) e[0]) / (1 - a.momentumFor((int) e[0])), 1e-12);
        }
        ParameterAveragedSgns.Averaging paper = new ParameterAveragedSgns.Averaging(ParameterAveragedSgns.Rule.BMUF, Double.NaN, 1);
        assertEquals(0.75, paper.momentumFor(4), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new ParameterAveragedSgns.Averaging(ParameterAveragedSgns.Rule.BMUF, 1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ParameterAveragedSgns.Averaging(ParameterAveragedSgns.Rule.BMUF, 0.5, -1));
        assertThrows(IllegalArgumentException.class, () -> new ParameterAveragedSgns.Averaging(null, 0.5, 1));
    }

    @Test
    void alphaDecaysLinearlyToMinAlpha() {
        SgnsConfig cfg = SgnsConfig.defaults();
        assertEquals(0.025, ParameterAveragedSgns.alphaAt(cfg, 0, 1000), 1e-12);
        assertEquals(0.025 * (1 - 500.0 / 1001), ParameterAveragedSgns.alphaAt(cfg, 500, 1000), 1e-12);
        assertEquals(cfg.minAlpha(), ParameterAveragedSgns.alphaAt(cfg, 1000, 1000), 1e-12);
    }
}
