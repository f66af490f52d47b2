package dev.pretrain.model.word2vec;

import dev.pretrain.model.eval.InMemoryWordEmbeddings;
import dev.pretrain.model.eval.SimilarityResult;
import dev.pretrain.model.eval.WordSimilarityEvaluator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class SgnsTrainerTest {
    /** First ~2M words of IMDB unsup (real text). */
    private static TestCorpus imdb;

    @BeforeAll
    static void load() throws IOException {
        imdb = TestCorpus.build(TestCorpus.readImdb(TestCorpus.imdbUnsup(), 2_000_000), 5);
    }

    @Test
    void negativeSamplingFollowsUnigramToThePowerThreeQuarters() {
        long[] counts = {1000, 500, 100, 10, 1, 0, 37};
        SgnsTrainer t = new SgnsTrainer(SgnsConfig.defaults(), counts);
        int draws = 2_000_000;
        double[] f = t.empiricalNegativeDistribution(draws, 7);
        double z = 0;
        for (long c : counts) z += Math.pow(c, 0.75);
        for (int i = 0; i < counts.length; i++) {
            double p = Math.pow(counts[i], 0.75) / z;
            assertEquals(p, f[i], 4 * Math.sqrt(p * (1 - p) / draws) + 1e-9, "word " + i);
        }
        assertEquals(0.0, f[5]);
    }

    @Test
    void subsamplingKeepProbabilityIsWord2vecFormula() {
        long[] counts = {1_000_000, 10_000, 100, 1};
        long total = 1_010_101;
        SgnsTrainer t = new SgnsTrainer(SgnsConfig.defaults().withSample(1e-3), counts);
        assertEquals(total, t.trainWords());
        double st = 1e-3 * total;
        // word 0: ran = (sqrt(cn/st)+1)*st/cn
        double ran0 = (Math.sqrt(1_000_000 / st) + 1) * st / 1_000_000;
        assertEquals(ran0, t.keepProbability(0), 1e-6);
        assertEquals(0.0327, t.keepProbability(0), 1e-3);
        assertEquals(1.0, t.keepProbability(2)); // rare: ran > 1 -> always kept
        assertEquals(1.0, new SgnsTrainer(SgnsConfig.defaults().withSample(0), counts).keepProbability(0));
    }

    @Test
    void initializationIsWord2vecUniformAndSeeded() {
        SgnsWeights w = SgnsWeights.initialize(1000, 50, 3);
        double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE, sum = 0;
        for (float v : w.syn0()) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
            sum += v;
        }
        assertTrue(lo >= -0.5 / 50 && hi < 0.5 / 50, lo + " " + hi);
        assertTrue(lo < -0.0099 && hi > 0.0099, "spans the interval: " + lo + " " + hi);
        assertEquals(0.0, sum / w.syn0().length, 1e-4);
        for (float v : w.syn1neg()) assertEquals(0f, v);
        assertArrayEquals(w.syn0(), SgnsWeights.initialize(1000, 50, 3).syn0());
        assertFalse(Arrays.equals(w.syn0(), SgnsWeights.initialize(1000, 50, 4).syn0()));
    }

    @Test
    void singleThreadTrainingIsDeterministic() {
        List<int[]> part = imdb.sentences.subList(0, 800); // ~190k words
        SgnsConfig cfg = SgnsConfig.defaults().withDim(32);
        SgnsTrainer t = new SgnsTrainer(cfg, imdb.counts);
        SgnsWeights a = SgnsWeights.initialize(imdb.words.size(), 32, 5);
        SgnsWeights b = a.copy();
        SgnsWeights c = a.copy();
        long na = t.train(a, part, 0.025, 0.0001, 190_000, 42);
        long nb = t.train(b, part, 0.025, 0.0001, 190_000, 42);
        t.train(c, part, 0.025, 0.0001, 190_000, 43);
        long expected = part.stream().mapToLong(s -> s.length).sum();
        assertEquals(expected, na);
        assertEquals(expected, nb);
        assertArrayEquals(a.syn0(), b.syn0());
        assertArrayEquals(a.syn1neg(), b.syn1neg());
        assertFalse(Arrays.equals(a.syn0(), c.syn0()), "another seed gives other weights");
        assertFalse(Arrays.equals(a.syn0(), SgnsWeights.initialize(imdb.words.size(), 32, 5).syn0()), "weights changed");
    }

    @Test
    void hogwildThreadsProcessEveryWord() {
        List<int[]> part = imdb.sentences.subList(0, 400);
        SgnsTrainer t = new SgnsTrainer(SgnsConfig.defaults().withDim(16).withThreads(3), imdb.counts);
        SgnsWeights w = SgnsWeights.initialize(imdb.words.size(), 16, 1);
        long n = t.train(w, part, 0.025, 0.0001, 100_000, 1);
        assertEquals(part.stream().mapToLong(s -> s.length).sum(), n);
        for (float v : w.syn0()) assertTrue(Float.isFinite(v));
        boolean changed = false;
        for (float v : w.syn1neg()) changed |= v != 0f;
        assertTrue(changed);
    }

    @Test
    void rejectsBadInput() {
        SgnsTrainer t = new SgnsTrainer(SgnsConfig.defaults().withDim(8), new long[] {5, 3, 1});
        SgnsWeights w = SgnsWeights.initialize(3, 8, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.train(w, List.of(new int[] {0, 1, 3}), 0.025, 0.0001, 3, 1));
        assertTrue(e.getMessage().contains("word id 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> t.train(SgnsWeights.initialize(3, 9, 1), List.of(new int[] {0}), 0.025, 0.0001, 3, 1));
        assertThrows(IllegalArgumentException.class,
                () -> t.train(SgnsWeights.initialize(4, 8, 1), List.of(new int[] {0}), 0.025, 0.0001, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> new SgnsTrainer(SgnsConfig.defaults(), new long[] {0, 0}));
        assertThrows(IllegalArgumentException.class, () -> new SgnsTrainer(SgnsConfig.defaults(), new long[] {1, -1}));
        assertThrows(IllegalArgumentException.class, () -> new SgnsConfig(100, 5, 0, 1e-4, 0.025, 1e-4, 1, 1, 1));
    }

    /**
     * One epoch on ~2M real words must learn: MEN relatedness Spearman well above the untrained ~0, and
     * hand-picked related pairs more similar than 95% of random word pairs.
     */
    @Test
    void learnsFromRealText() throws IOException {
        SgnsConfig cfg = SgnsConfig.defaults().withEpochs(1);
        SgnsTrainer t = new SgnsTrainer(cfg, imdb.counts);
        SgnsWeights w = SgnsWeights.initialize(imdb.words.size(), cfg.dim(), cfg.seed());
        InMemoryWordEmbeddings before = w.toEmbeddings(imdb.words);
        long n = t.fit(w, imdb.sentences);
        assertEquals(imdb.totalWords, n);
        InMemoryWordEmbeddings emb = w.toEmbeddings(imdb.words);

        var men = TestCorpus.sharedDir().resolve("data/similarity/MEN_dataset_natural_form_full.txt");
        SimilarityResult r0 = WordSimilarityEvaluator.evaluate(before, Files.newBufferedReader(men));
        SimilarityResult r = WordSimilarityEvaluator.evaluate(emb, Files.newBufferedReader(men));
        assertTrue(Math.abs(r0.spearman()) < 0.06, "untrained: " + r0);
        assertTrue(r.spearman() > 0.09, "trained: " + r);

        // Under-trained vectors share a large common component (most cosines near 1), so judge by rank:
        // most partners of related pairs must be among the 10% nearest of the 3000 most frequent words
        // (measured at this seed: 5 of 7; chance level: 10% each).
        int top = 3000;
        String[][] related = {{"movie", "film"}, {"funny", "hilarious"}, {"actor", "actress"}, {"bad", "terrible"},
                {"great", "excellent"}, {"episode", "series"}, {"husband", "wife"}};
        int near = 0;
        StringBuilder msg = new StringBuilder();
        for (String[] p : related) {
            int a = emb.indexOf(p[0]), b = emb.indexOf(p[1]);
            double c = cos(emb, a, b);
            int rank = 0;
            for (int x = 0; x < top; x++) if (x != a && x != b && cos(emb, a, x) > c) rank++;
            msg.append(p[0]).append('/').append(p[1]).append(" rank ").append(rank).append("; ");
            if (rank < 0.10 * top) near++;
        }
        System.out.println("MEN " + r0 + " -> " + r + "; " + msg);
        assertTrue(near >= 4, near + " of " + related.length + " related pairs near: " + msg);
    }

    /** Two disjoint "topics": words co-occur only within their topic, so within-topic vectors must end up closer. */
    @Test
    void separatesSyntheticTopics() {
        int v = 100;
        SplittableRandom rnd = new SplittableRandom(3);
        List<int[]> sents = new ArrayList<>();
        long[] counts = new long[v];
        for (int i = 0; i < 20_000; i++) {
            int topic = i % 2;
            int[] s = new int[20];
            for (int k = 0; k < s.length; k++) {
                s[k] = topic * 50 + rnd.nextInt(50);
                counts[s[k]]++;
            }
            sents.add(s);
        }
        SgnsConfig cfg = SgnsConfig.defaults().withDim(20).withSample(0);
        SgnsWeights w = SgnsWeights.initialize(v, 20, 1);
        new SgnsTrainer(cfg, counts).train(w, sents, 0.025, 0.0001, 400_000, 1);
        InMemoryWordEmbeddings e = w.toEmbeddings(java.util.stream.IntStream.range(0, v).mapToObj(i -> "w" + i).toList());
        double within = 0, across = 0;
        int nw = 0, na = 0;
        for (int a = 0; a < v; a++) {
            for (int b = a + 1; b < v; b++) {
                if ((a < 50) == (b < 50)) { within += cos(e, a, b); nw++; } else { across += cos(e, a, b); na++; }
            }
        }
        within /= nw;
        across /= na;
        System.out.printf("synthetic topics: within %.3f across %.3f%n", within, across);
        assertTrue(within > 0.8 && across < within - 0.5, "within " + within + " across " + across);
    }

    private static double cos(InMemoryWordEmbeddings e, int a, int b) {
        float[] x = e.vector(a), y = e.vector(b);
        double d = 0, nx = 0, ny = 0;
        for (int k = 0; k < x.length; k++) {
            d += x[k] * y[k];
            nx += x[k] * x[k];
            ny += y[k] * y[k];
        }
        return d / Math.sqrt(nx * ny);
    }
}
