package dev.pretrain.model.word2vec.bench;

import dev.pretrain.model.eval.AnalogyEvaluator;
import dev.pretrain.model.eval.AnalogyResult;
import dev.pretrain.model.eval.InMemoryWordEmbeddings;
import dev.pretrain.model.eval.SimilarityResult;
import dev.pretrain.model.eval.WordSimilarityEvaluator;
import dev.pretrain.model.word2vec.ParameterAveragedSgns;
import dev.pretrain.model.word2vec.SgnsConfig;
import dev.pretrain.model.word2vec.SgnsWeights;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Spark parameter-averaged SGNS path ({@link ParameterAveragedSgns}, the loop of {@code train-word2vec}) on a
 * text8-style corpus in Spark local mode, once per partition count, with the same hyper-parameters as
 * {@link Word2VecBench}; prints one {@code RESULT spark_avg} line per partition count (analogy over the top
 * 30,000 words, WordSim-353 / SimLex-999 / MEN Spearman, training seconds).
 *
 * <pre>
 * java [spark --add-opens flags] -cp ... dev.pretrain.model.word2vec.bench.SparkAveragingBench
 *      --corpus /tmp/imdb-text8.txt [--partitions 1,2,4,8] [--iter 1] [--rounds 16] [--rounds-per-partition 0] [--cores 2] [--seed 1]
 *      [--master local[2]|local-cluster[N,1,MB]|spark://...] [--conf key=value ...]
 *      [--rule bmuf|bmuf_nesterov|scaled_sum|mean] [--momentum 1-zeta/k] [--block-lr min(2,k)]
 *      [--data /work/shared/data]
 * </pre>
 * Rounds per epoch: {@code max(--rounds, --rounds-per-partition * partitions)}. {@code --master local-cluster[N,1,MB]}
 * starts N executor JVMs of 1 core: it needs {@code SPARK_HOME} (a folder whose {@code jars/} holds Spark's
 * classpath), {@code SPARK_SCALA_VERSION=2.12} and {@code --conf spark.executor.extraClassPath=<model classes>}
 * ({@code bench/sgns-averaging.sh speedup} sets them up).
 * Sentences are split into contiguous partitions ({@code parallelize}, then moved by one shuffle so that the tasks
 * do not carry them); partition {@code p} of round
 * {@code g} uses seed {@code seed * 1000003 + g + 31 p}.
 */
public final class SparkAveragingBench {
    private SparkAveragingBench() {}

    public static void main(String[] args) throws IOException {
        System.out.println("bench natives: " + dev.pretrain.model.natives.Nd4jNatives.select().describe());
        Path corpus = null;
        int iter = 1, rounds = 16, cores = 2, minCount = 5, roundsPerWorker = 0;
        long seed = 1;
        String master = null;
        List<String[]> confs = new ArrayList<>();
        ParameterAveragedSgns.Rule rule = ParameterAveragedSgns.Rule.BMUF;
        double momentum = Double.NaN, blockLr = Double.NaN;
        List<Integer> parts = new ArrayList<>(List.of(1, 2, 4, 8));
        Path data = Path.of(System.getProperty("shared.dir", "../shared")).resolve("data");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--corpus" -> corpus = Path.of(args[++i]);
                case "--iter" -> iter = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--rounds-per-partition" -> roundsPerWorker = Integer.parseInt(args[++i]);
                case "--cores" -> cores = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--master" -> master = args[++i];
                case "--conf" -> {
                    String kv = args[++i];
                    int eq = kv.indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("--conf expects key=value, got '" + kv + "'");
                    confs.add(new String[] {kv.substring(0, eq), kv.substring(eq + 1)});
                }
                case "--rule" -> rule = ParameterAveragedSgns.Rule.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--momentum" -> momentum = Double.parseDouble(args[++i]);
                case "--block-lr" -> blockLr = Double.parseDouble(args[++i]);
                case "--data" -> data = Path.of(args[++i]);
                case "--partitions" -> {
                    parts.clear();
                    for (String p : args[++i].split(",")) parts.add(Integer.parseInt(p.strip()));
                }
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "' (see the class Javadoc)");
            }
        }
        if (corpus == null) throw new IllegalArgumentException("--corpus FILE is required");
        Text8Corpus c = Text8Corpus.read(corpus, minCount);
        System.out.printf(Locale.ROOT, "corpus %s: %d in-vocab words, vocab %d%n", corpus.getFileName(),
                c.inVocabWords(), c.words().size());
        SgnsConfig cfg = SgnsConfig.defaults().withEpochs(iter).withSeed(seed);
        SparkConf conf = new SparkConf().setMaster(master != null ? master : "local[" + cores + "]").setAppName("sgns-partitions")
                .set("spark.ui.enabled", "false").set("spark.driver.maxResultSize", "4g");
        ParameterAveragedSgns.Averaging averaging = new ParameterAveragedSgns.Averaging(rule, momentum, blockLr);
        for (String[] kv : confs) conf.set(kv[0], kv[1]);
        try (JavaSparkContext jsc = new JavaSparkContext(conf)) {
            jsc.setLogLevel("WARN");
            for (int p : parts) {
                // parallelize's partitions carry their data inside every task (ParallelCollectionPartition): one
                // shuffle to the same contiguous partitions makes each round's tasks small, as the pipeline's
                // repartition does
                final int np = p;
                JavaRDD<int[]> rdd = jsc.parallelize(c.sentences(), p)
                        .mapPartitionsWithIndex((i, it) -> {
                            List<scala.Tuple2<Integer, int[]>> out = new ArrayList<>();
                            while (it.hasNext()) out.add(new scala.Tuple2<>(i, it.next()));
                            return out.iterator();
                        }, true)
                        .mapToPair(t -> t)
                        .partitionBy(new org.apache.spark.HashPartitioner(np))
                        .values()
                        .persist(StorageLevel.MEMORY_ONLY());
                long[] sizes = ParameterAveragedSgns.sizes(rdd);
                final long s0 = seed;
                final int rr = Math.max(rounds, roundsPerWorker * p);
                double[] roundSecs = new double[1];
                long t0 = System.nanoTime();
                SgnsWeights w = ParameterAveragedSgns.train(jsc, rdd, c.counts(), cfg, rr, sizes[1], (int) sizes[2],
                        SgnsWeights.initialize(c.words().size(), cfg.dim(), seed), g -> s0 * 1_000_003L + g, r -> roundSecs[0] += r.seconds(), averaging);
                double secs = (System.nanoTime() - t0) / 1e9;
                rdd.unpersist();
                InMemoryWordEmbeddings emb = w.toEmbeddings(c.words());
                AnalogyResult a = AnalogyEvaluator.evaluate(emb,
                        Files.newBufferedReader(data.resolve("analogy/questions-words.txt")), 30000);
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                        "RESULT spark_avg rule=%s momentum=%.3f block_lr=%.3f master=%s partitions=%d iter=%d rounds=%d cores=%d train_s=%.1f words_per_s=%.0f analogy=%.2f%% sem=%.2f%% syn=%.2f%%",
                        rule, averaging.momentumFor((int) sizes[2]), averaging.blockLrFor((int) sizes[2]), conf.get("spark.master"), p, iter, rr, cores, secs,
                        sizes[1] * (double) iter / secs, 100 * a.accuracy(), 100 * a.semanticAccuracy(),
                        100 * a.syntacticAccuracy()));
                for (String[] s : new String[][] {{"ws353", "wordsim353.tsv"}, {"simlex999", "simlex999.txt"},
                        {"men", "MEN_dataset_natural_form_full.txt"}}) {
                    SimilarityResult r = WordSimilarityEvaluator.evaluate(emb,
                            Files.newBufferedReader(data.resolve("similarity").resolve(s[1])));
                    sb.append(String.format(Locale.ROOT, " %s_spearman=%.4f", s[0], r.spearman()));
                }
                System.out.println(sb);
            }
        }
    }
}
