package dev.pretrain.model.word2vec;

import dev.pretrain.model.eval.AnalogyEvaluator;
import dev.pretrain.model.eval.AnalogyResult;
import dev.pretrain.model.eval.InMemoryWordEmbeddings;
import dev.pretrain.model.eval.NearestNeighbours;
import dev.pretrain.model.eval.SimilarityResult;
import dev.pretrain.model.eval.WordSimilarityEvaluator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Experiment (not a test): trains SGNS on IMDB unsup and prints words/s/thread and WordSim-353 / analogy figures.
 * Usage: java -cp model/target-w2v/classes:model/target-w2v/test-classes -Dshared.dir=/work/shared
 *        dev.pretrain.model.word2vec.SgnsBenchmark [maxWords] [epochs] [threads] [minCount] [sample] [analogy]
 */
public final class SgnsBenchmark {
    public static void main(String[] args) throws Exception {
        long maxWords = args.length > 0 ? Long.parseLong(args[0]) : Long.MAX_VALUE;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int minCount = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        double sample = args.length > 4 ? Double.parseDouble(args[4]) : 1e-4;
        boolean evalAnalogy = args.length <= 5 || Boolean.parseBoolean(args[5]);
        long t0 = System.nanoTime();
        TestCorpus c = TestCorpus.build(TestCorpus.readImdb(TestCorpus.imdbUnsup(), maxWords), minCount);
        System.out.printf("corpus: %d sentences, %d words, vocab %d (min_count %d), read in %.1fs%n",
                c.sentences.size(), c.totalWords, c.words.size(), minCount, (System.nanoTime() - t0) / 1e9);
        SgnsConfig cfg = SgnsConfig.defaults().withEpochs(epochs).withThreads(threads).withSample(sample);
        SgnsTrainer tr = new SgnsTrainer(cfg, c.counts);
        SgnsWeights w = SgnsWeights.initialize(c.words.size(), cfg.dim(), cfg.seed());
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long t1 = System.nanoTime();
        long words = tr.fit(w, c.sentences);
        double secs = (System.nanoTime() - t1) / 1e9;
        double cpuSecs = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
        if (threads == 1) {
            System.out.printf("thread CPU time %.2fs: %.0f words per CPU-second%n", cpuSecs, words / cpuSecs);
        }
        System.out.printf("trained %d words in %.2fs: %.0f words/s, %.0f words/s/thread (threads=%d, epochs=%d)%n",
                words, secs, words / secs, words / secs / threads, threads, epochs);
        InMemoryWordEmbeddings emb = w.toEmbeddings(c.words);
        Path sim = TestCorpus.sharedDir().resolve("data/similarity");
        for (String f : List.of("wordsim353.tsv", "simlex999.txt", "MEN_dataset_natural_form_full.txt")) {
            SimilarityResult r = WordSimilarityEvaluator.evaluate(emb, Files.newBufferedReader(sim.resolve(f)));
            System.out.printf("%s: spearman %.4f (%d/%d pairs)%n", f, r.spearman(), r.pairsUsed(), r.pairsTotal());
        }
        if (!evalAnalogy) return;
        long t2 = System.nanoTime();
        AnalogyResult a = AnalogyEvaluator.evaluate(emb, Files.newBufferedReader(
                TestCorpus.sharedDir().resolve("data/analogy/questions-words.txt")), 30000);
        System.out.printf("analogy (restrict 30000): %.4f (%d/%d evaluated of %d), semantic %.4f, syntactic %.4f, %.1fs%n",
                a.accuracy(), a.correct(), a.evaluated(), a.total(), a.semanticAccuracy(), a.syntacticAccuracy(),
                (System.nanoTime() - t2) / 1e9);
        for (String q : List.of("good", "movie", "actor", "funny", "king")) {
            if (emb.indexOf(q) >= 0) System.out.println(q + " -> " + NearestNeighbours.of(emb, q, 8));
        }
    }
}
