package dev.pretrain.model.word2vec.bench;

import dev.pretrain.model.eval.AnalogyEvaluator;
import dev.pretrain.model.eval.AnalogyResult;
import dev.pretrain.model.eval.InMemoryWordEmbeddings;
import dev.pretrain.model.eval.SimilarityResult;
import dev.pretrain.model.eval.WordSimilarityEvaluator;
import dev.pretrain.model.export.Word2VecFormat;
import dev.pretrain.model.word2vec.Nd4jSgnsTrainer;
import dev.pretrain.model.word2vec.SgnsConfig;
import dev.pretrain.model.word2vec.SgnsTrainer;
import dev.pretrain.model.word2vec.SgnsWeights;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Plain-Java SGNS benchmark on a text8-style corpus, comparable with the peers {@code w2v_c.sh} (word2vec C) and
 * {@code gensim_w2v.py}: same hyper-parameters (skip-gram, dim 100, window 5, negative 5, sample 1e-4,
 * min_count 5, alpha 0.025 to 0.0001, 5 epochs), one sentence per line.
 *
 * <p>Prints one {@code RESULT ours ...} line with the in-vocabulary words (before subsampling) trained per second
 * in both peer conventions: {@code words/thread/cpu_s} = words / process CPU-seconds (word2vec C's
 * "Words/thread/sec", whose clock() is process CPU time) and {@code in_vocab_words/s} = words / training
 * wall-seconds (gensim's figure; {@code /thread} divides it by the threads). Then a {@code RESULT ours_eval}
 * line: analogy accuracy (3CosAdd over the 30,000 most frequent words, as {@code compute-accuracy M 30000}),
 * semantic/syntactic, and Spearman rho on WordSim-353, SimLex-999 and MEN.
 *
 * <pre>
 * java -cp ... dev.pretrain.model.word2vec.bench.Word2VecBench --corpus /tmp/imdb-text8.txt [--threads 1]
 *      [--iter 5] [--min-count 5] [--seed 1] [--data /work/shared/data] [--no-eval]
 *      [--save-text F.txt] [--save-binary F.bin] [--sections] [--max-sentences N]
 *      [--engine java|nd4j] [--batch-pairs B] [--part K/N]
 * </pre>
 *
 * <p>{@code --part K/N} trains only the contiguous block K (0-based) of N blocks of the sentences, with the
 * vocabulary and counts of the whole corpus: what one of N Spark partitions of {@code SparkAveragingBench}
 * trains. {@code bench/sgns-averaging.sh speedup} runs N of them at once as separate processes to measure how far
 * this machine itself lets N independent single-thread trainers scale (memory and shared cache, no Spark).
 *
 * <p>{@code --engine java} (default) trains with {@link SgnsTrainer} (plain Java, Hogwild threads);
 * {@code --engine nd4j} with {@link Nd4jSgnsTrainer} (batched ND4J ops on the backend on the classpath,
 * nd4j-native or nd4j-cuda; {@code --batch-pairs} pairs per batch, default
 * {@value Nd4jSgnsTrainer#DEFAULT_BATCH_PAIRS}; {@code --threads} is then ignored for sampling). The RESULT
 * lines then carry {@code engine=nd4j batch=B backend=...}.
 */
public final class Word2VecBench {
    private Word2VecBench() {}

    public static void main(String[] args) throws IOException {
        System.out.println("bench natives: " + dev.pretrain.model.natives.Nd4jNatives.select().describe());
        Path corpus = null;
        int threads = 1, iter = 5, minCount = 5, maxSentences = Integer.MAX_VALUE, part = 0, parts = 1;
        int batchPairs = Nd4jSgnsTrainer.DEFAULT_BATCH_PAIRS;
        String engine = "java";
        long seed = 1;
        Path data = Path.of(System.getProperty("shared.dir", "../shared")).resolve("data");
        boolean eval = true, sections = false;
        Path saveText = null, saveBin = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--corpus" -> corpus = Path.of(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--iter" -> iter = Integer.parseInt(args[++i]);
                case "--min-count" -> minCount = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--data" -> data = Path.of(args[++i]);
                case "--no-eval" -> eval = false;
                case "--max-sentences" -> maxSentences = Integer.parseInt(args[++i]);
                case "--sections" -> sections = true;
                case "--engine" -> engine = args[++i];
                case "--part" -> {
                    String[] kn = args[++i].split("/");
                    if (kn.length != 2) throw new IllegalArgumentException("--part must be K/N, got '" + args[i] + "'");
                    part = Integer.parseInt(kn[0]);
                    parts = Integer.parseInt(kn[1]);
                    if (parts < 1 || part < 0 || part >= parts) {
                        throw new IllegalArgumentException("--part K/N needs 0 <= K < N, got '" + args[i] + "'");
                    }
                }
                case "--batch-pairs" -> batchPairs = Integer.parseInt(args[++i]);
                case "--save-text" -> saveText = Path.of(args[++i]);
                case "--save-binary" -> saveBin = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + a + "' (see the class Javadoc)");
            }
        }
        if (corpus == null) throw new IllegalArgumentException("--corpus FILE is required");
        if (!engine.equals("java") && !engine.equals("nd4j")) {
            throw new IllegalArgumentException("--engine must be java or nd4j, got '" + engine + "'");
        }
        if (!Files.isRegularFile(corpus)) throw new IOException("corpus file not found: " + corpus);

        long t0 = System.nanoTime();
        Text8Corpus c = Text8Corpus.read(corpus, minCount);
        double readS = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "corpus %s: %d tokens, %d in-vocab words, vocab %d (min_count %d), %d sentences, read %.1fs%n",
                corpus.getFileName(), c.rawTokens(), c.inVocabWords(), c.words().size(), minCount,
                c.sentences().size(), readS);

        List<int[]> sentences = c.sentences().subList(0, Math.min(maxSentences, c.sentences().size()));
        int n = sentences.size();
        sentences = sentences.subList((int) ((long) part * n / parts), (int) ((long) (part + 1) * n / parts));
        long inVocab = 0;
        for (int[] s : sentences) inVocab += s.length;
        SgnsConfig cfg = SgnsConfig.defaults().withEpochs(iter).withThreads(threads).withSeed(seed);
        SgnsWeights w = SgnsWeights.initialize(c.words().size(), cfg.dim(), cfg.seed());
        String engineTag;
        java.util.function.ToLongFunction<List<int[]>> fit;
        if (engine.equals("nd4j")) {
            Nd4jSgnsTrainer nd = new Nd4jSgnsTrainer(cfg, c.counts(), batchPairs);
            engineTag = "engine=nd4j batch=" + batchPairs + " backend=" + Nd4jSgnsTrainer.backend();
            fit = s -> nd.fit(w, s);
        } else {
            SgnsTrainer trainer = new SgnsTrainer(cfg, c.counts());
            engineTag = "engine=java";
            fit = s -> trainer.fit(w, s);
        }
        System.out.println("kernel: " + (engine.equals("nd4j") ? engineTag : SgnsTrainer.kernel()));
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t1 = System.nanoTime();
        long words = fit.applyAsLong(sentences);
        double wall = (System.nanoTime() - t1) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        System.out.printf(Locale.ROOT, "RESULT ours %s corpus=%s part=%d/%d threads=%d iter=%d vocab=%d in_vocab_words=%d train_s=%.2f cpu_s=%.2f "
                        + "words/thread/cpu_s=%.0f in_vocab_words/s=%.0f in_vocab_words/s/thread=%.0f%n",
                engineTag, corpus.getFileName(), part, parts, threads, iter, c.words().size(), inVocab, wall, cpu,
                words / cpu, words / wall, words / wall / threads);

        InMemoryWordEmbeddings emb = w.toEmbeddings(c.words());
        if (saveText != null) {
            try (Writer out = Files.newBufferedWriter(saveText, StandardCharsets.UTF_8)) {
                Word2VecFormat.writeText(emb, out);
            }
        }
        if (saveBin != null) {
            try (OutputStream out = Files.newOutputStream(saveBin)) {
                Word2VecFormat.writeBinary(emb, out);
            }
        }
        if (!eval) return;
        long t2 = System.nanoTime();
        AnalogyResult a = AnalogyEvaluator.evaluate(emb,
                Files.newBufferedReader(data.resolve("analogy/questions-words.txt")), 30000);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "RESULT ours_eval %s threads=%d iter=%d analogy=%.2f%% (%d/%d seen of %d) sem=%.2f%% syn=%.2f%%",
                engineTag, threads, iter, 100 * a.accuracy(), a.correct(), a.evaluated(), a.total(),
                100 * a.semanticAccuracy(), 100 * a.syntacticAccuracy()));
        String[][] sims = {{"ws353", "wordsim353.tsv"}, {"simlex999", "simlex999.txt"},
                {"men", "MEN_dataset_natural_form_full.txt"}};
        for (String[] s : sims) {
            SimilarityResult r = WordSimilarityEvaluator.evaluate(emb,
                    Files.newBufferedReader(data.resolve("similarity").resolve(s[1])));
            sb.append(String.format(Locale.ROOT, " %s_spearman=%.4f (%d/%d pairs)", s[0], r.spearman(), r.pairsUsed(),
                    r.pairsTotal()));
        }
        System.out.println(sb);
        if (sections) {
            for (Map.Entry<String, double[]> e : a.perSection().entrySet()) {
                double[] v = e.getValue();
                System.out.printf(Locale.ROOT, "  %-30s %5.2f%% (%d/%d)%n", e.getKey(), 100 * v[3], (long) v[0], (long) v[1]);
            }
        }
        System.out.printf(Locale.ROOT, "eval %.1fs%n", (System.nanoTime() - t2) / 1e9);
    }
}
