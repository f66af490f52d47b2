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
        // Kryo with a 512k buffer.max and a 1m maxResultSize: the exchange must cut this vocabulary's rows into several
        // blocks, reduce partitions and jobs, and the broadcast (about 1 MB) must stream
        jsc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("sgns-averaging-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryoserializer.buffer.max", "512k").set("spark.driver.maxResultSize", "1m"));
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

    /**
     * The pre-sparse algorithm without Spark, as the dense reference: every partition trains a full copy of the
     * round's weights, the copies are averaged by {@link ParameterAverager}s merged by the binary tree over
     * partition indices, and the dense rule ({@link BlockMomentum#update}, {@link ParameterAveragedSgns#scaleUpdate},
     * the mean) makes the next weights.
     */
    static SgnsWeights denseReference(List<List<int[]>> partitions, long[] counts, SgnsConfig cfg, int rounds,
                                      long corpusWords, int workers, SgnsWeights init, java.util.function.LongUnaryOperator roundSeed,
                                      ParameterAveragedSgns.Averaging averaging) {
        long totalWords = corpusWords * cfg.epochs();
        ParameterAveragedSgns.Rule rule = averaging.rule();
        boolean bmuf = rule == ParameterAveragedSgns.Rule.BMUF || rule == ParameterAveragedSgns.Rule.BMUF_NESTEROV;
        BlockMomentum momentum = bmuf ? new BlockMomentum(init, averaging.momentumFor(workers),
                averaging.blockLrFor(workers), rule == ParameterAveragedSgns.Rule.BMUF_NESTEROV) : null;
        SgnsWeights weights = bmuf ? momentum.start() : init;
        long done = 0;
        for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
            for (int r = 0; r < rounds; r++) {
                double a0 = ParameterAveragedSgns.alphaAt(cfg, done, totalWords);
                double a1 = ParameterAveragedSgns.alphaAt(cfg, done + corpusWords / rounds, totalWords);
                long seed = roundSeed.applyAsLong((long) epoch * rounds + r);
                List<ParameterAverager> averagers = new ArrayList<>();
                for (int p = 0; p < partitions.size(); p++) {
                    List<int[]> slice = new ArrayList<>();
                    for (int i = r; i < partitions.get(p).size(); i += rounds) slice.add(partitions.get(p).get(i));
                    long words = 0;
                    for (int[] s : slice) words += s.length;
                    SgnsWeights w = weights.copy();
                    long n = slice.isEmpty() ? 0 : new SgnsTrainer(cfg, counts).train(w, slice, a0, a1, Math.max(1, words), seed + 31L * p);
                    averagers.add(new ParameterAverager(w.vocabSize(), w.dim()).add(w, n));
                }
                ParameterAverager avg = RowBlockExchangeTest.denseTree(averagers);
                if (avg.totalWeight() > 0) {
                    SgnsWeights mean = avg.average();
                    weights = switch (rule) {
                        case BMUF, BMUF_NESTEROV -> momentum.update(mean);
                        case SCALED_SUM -> ParameterAveragedSgns.scaleUpdate(weights, mean, workers);
                        case MEAN -> mean;
                    };
                }
                done += avg.totalWeight();
            }
        }
        return bmuf ? momentum.model() : weights;
    }

    /**
     * The sparse exchange (changed rows in row blocks, merged per block, fetched in several jobs: the session's Kryo
     * buffer.max of 512k and maxResultSize of 1m cut this vocabulary into several blocks, reduce partitions and jobs)
     * gives bit for bit the weights of the dense reference, for 2 to 4 partitions and every rule (BMUF at k = 3 and 4
     * has momentum, so the rows no worker changed move too), and its round log counts the rows and bytes it moved.
     */
    @Test
    void sparseExchangeEqualsTheDenseAverageBitForBit() {
        SgnsConfig cfg = SgnsConfig.defaults().withDim(24).withEpochs(1).withSample(1e-3);
        RowBlockExchange ex = ParameterAveragedSgns.exchangeFor(jsc.getConf(), imdb.words.size(), cfg.dim());
        assertTrue(ex.blocksPerMatrix() > 1 && ex.reducePartitions() > 2 && ex.jobs().size() > 1,
                "several blocks, reduce partitions and jobs: " + ex.blocksPerMatrix() + " " + ex.reducePartitions()
                        + " " + ex.jobs().size());
        assertTrue(8L * imdb.words.size() * cfg.dim() > 512 * 1024, "the broadcast weights exceed Kryo's buffer.max");
        SgnsWeights init = SgnsWeights.initialize(imdb.words.size(), cfg.dim(), 3);
        Object[][] cases = {
                {2, ParameterAveragedSgns.Averaging.defaults()},
                {3, ParameterAveragedSgns.Averaging.defaults()},
                {4, ParameterAveragedSgns.Averaging.of(ParameterAveragedSgns.Rule.BMUF_NESTEROV)},
                {3, ParameterAveragedSgns.Averaging.of(ParameterAveragedSgns.Rule.SCALED_SUM)},
                {2, ParameterAveragedSgns.Averaging.of(ParameterAveragedSgns.Rule.MEAN)}};
        for (Object[] c : cases) {
            int parts = (Integer) c[0];
            ParameterAveragedSgns.Averaging averaging = (ParameterAveragedSgns.Averaging) c[1];
            JavaRDD<int[]> rdd = jsc.parallelize(imdb.sentences, parts).cache();
            long[] sizes = ParameterAveragedSgns.sizes(rdd);
            List<ParameterAveragedSgns.Round> log = new ArrayList<>();
            SgnsWeights sparse = ParameterAveragedSgns.train(jsc, rdd, imdb.counts, cfg, 3, sizes[1], (int) sizes[2],
                    init, g -> 40 + g, log::add, averaging);
            SgnsWeights dense = denseReference(rdd.glom().collect(), imdb.counts, cfg, 3, sizes[1], (int) sizes[2],
                    init, g -> 40 + g, averaging);
            rdd.unpersist();
            String what = parts + " partitions, " + averaging.rule();
            assertArrayEquals(dense.syn0(), sparse.syn0(), what);
            assertArrayEquals(dense.syn1neg(), sparse.syn1neg(), what);
            assertEquals(3, log.size());
            for (ParameterAveragedSgns.Round r : log) {
                assertTrue(r.syn0Rows() > 0 && r.syn0Rows() < imdb.words.size(), what + ": syn0 rows " + r.syn0Rows());
                assertTrue(r.syn1negRows() > 0 && r.syn1negRows() <= imdb.words.size(), what);
                long union = r.syn0Rows() + r.syn1negRows();
                assertTrue(r.workerRows() >= union && r.workerRows() <= (long) parts * union, what + ": worker rows " + r.workerRows());
                assertEquals(4L * union * (cfg.dim() + 1), r.collectedBytes(), what);
            }
        }
    }

    /**
     * Tasks that sleep a different random time in every run (so they finish in different orders) give bit-identical
     * weights, equal to the dense reference.
     */
    @Test
    void resultIsIndependentOfTaskCompletionOrder() {
        SgnsConfig cfg = SgnsConfig.defaults().withDim(16).withEpochs(1).withSample(1e-3);
        int parts = 5;
        List<int[]> sentences = imdb.sentences.subList(0, imdb.sentences.size() / 2);
        SgnsWeights init = SgnsWeights.initialize(imdb.words.size(), cfg.dim(), 8);
        JavaRDD<int[]> base = jsc.parallelize(sentences, parts).cache();
        long[] sizes = ParameterAveragedSgns.sizes(base);
        SgnsWeights expected = denseReference(base.glom().collect(), imdb.counts, cfg, 2, sizes[1], parts, init,
                g -> 9 + g, ParameterAveragedSgns.Averaging.defaults());
        java.util.Random jitter = new java.util.Random(5);
        for (int run = 0; run < 3; run++) {
            final long salt = jitter.nextLong();
            JavaRDD<int[]> rdd = base.mapPartitionsWithIndex((p, it) -> {
                Thread.sleep(Math.floorMod(salt * 31 + p * 0x9E3779B97F4A7C15L, 80L));
                return it;
            }, true);
            SgnsWeights got = ParameterAveragedSgns.train(jsc, rdd, imdb.counts, cfg, 2, sizes[1], parts, init,
                    g -> 9 + g, null);
            assertArrayEquals(expected.syn0(), got.syn0(), "run " + run);
            assertArrayEquals(expected.syn1neg(), got.syn1neg(), "run " + run);
        }
        base.unpersist();
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
