package dev.pretrain.model.word2vec;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;

/**
 * SGNS trained on Spark by parameter averaging (synchronous model averaging, as DL4J's
 * {@code ParameterAveragingTrainingMaster} / Spark MLlib's Word2Vec): each epoch is cut into {@code rounds}; in a
 * round every partition starts from the broadcast weights, trains its share of the round's sentences (sentence
 * {@code i} of a partition belongs to round {@code i % rounds}) with the plain-Java {@link SgnsTrainer}, and the
 * driver combines the copies, weighted by words trained ({@code treeReduce} of {@link ParameterAverager}), into
 * {@code w0 + k * (mean(w_i) - w0)} with {@code k} = partitions holding sentences (see {@link #scaleUpdate}).
 * The summed update is stale by one round, so the words trained per round must stay small: on IMDB (23.4M
 * words, 1 epoch) 16 rounds matched one partition at k = 2 but diverged at k = 4, with 16 and with 32 rounds:
 * keep k &lt;= 2 until a stable rule is found. The per-row mean over the workers that changed a row ({@link RowAverager},
 * Spark MLlib's rule) is stable but under-trains (analogy 5.3% at k = 2 and 1.4% at k = 4 against 11.3% at 1).
 * The learning rate decays linearly from {@code alpha} to {@code min_alpha} over all epochs (word2vec C).
 */
public final class ParameterAveragedSgns {
    private ParameterAveragedSgns() {}

    /** Log record of one averaging round. */
    public record Round(int epoch, int round, long words, double alphaStart, double seconds) {}

    /** Sizes of a sentence RDD: {sentences, words, non-empty partitions} (one pass). */
    public static long[] sizes(JavaRDD<int[]> sentences) {
        return sentences.mapPartitions(it -> {
            long[] c = new long[3];
            while (it.hasNext()) {
                c[0]++;
                c[1] += it.next().length;
            }
            c[2] = c[0] > 0 ? 1 : 0;
            return Collections.singletonList(c).iterator();
        }).reduce((a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
    }

    /**
     * Trains {@code cfg.epochs()} epochs.
     *
     * @param sentences   word-id sentences (ids in {@code [0, counts.length)}), ideally persisted
     * @param counts      corpus count per word id (subsampling and negative distribution)
     * @param cfg         hyper-parameters ({@code threads} = Hogwild threads inside each partition)
     * @param rounds      averaging rounds per epoch, &gt;= 1
     * @param corpusWords words in {@code sentences} (from {@link #sizes})
     * @param workers     partitions that hold sentences (from {@link #sizes}), the update scale {@code k}
     * @param init        initial weights (not modified)
     * @param roundSeed   seed of global round {@code epoch * rounds + r}; partition {@code p} adds {@code 31 * p}
     * @param log         called after every round (may be null)
     * @return the trained weights
     */
    public static SgnsWeights train(JavaSparkContext jsc, JavaRDD<int[]> sentences, long[] counts, SgnsConfig cfg,
                                    int rounds, long corpusWords, int workers, SgnsWeights init,
                                    LongUnaryOperator roundSeed, Consumer<Round> log) {
        if (rounds < 1) throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
        long totalWords = corpusWords * cfg.epochs();
        SgnsWeights weights = init;
        long done = 0;
        for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
            for (int r = 0; r < rounds; r++) {
                long roundStart = System.nanoTime();
                Broadcast<SgnsWeights> bw = jsc.broadcast(weights);
                double alphaStart = alphaAt(cfg, done, totalWords);
                double alphaEnd = alphaAt(cfg, done + corpusWords / rounds, totalWords);
                final int round = r;
                final long seed = roundSeed.applyAsLong((long) epoch * rounds + r);
                ParameterAverager avg = sentences.mapPartitionsWithIndex((part, it) -> {
                    List<int[]> slice = new ArrayList<>();
                    long words = 0;
                    for (int i = 0; it.hasNext(); i++) {
                        int[] s = it.next();
                        if (i % rounds == round) {
                            slice.add(s);
                            words += s.length;
                        }
                    }
                    SgnsWeights w = bw.value().copy();
                    long trained = slice.isEmpty() ? 0 : new SgnsTrainer(cfg, counts).train(w, slice, alphaStart,
                            alphaEnd, Math.max(1, words), seed + 31L * part);
                    return Collections.singletonList(new ParameterAverager(w.vocabSize(), w.dim()).add(w, trained))
                            .iterator();
                }, true).treeReduce(ParameterAverager::merge);
                long trained = avg.totalWeight();
                if (trained > 0) weights = scaleUpdate(weights, avg.average(), workers);
                bw.destroy();
                done += trained;
                if (log != null) log.accept(new Round(epoch, r, trained, alphaStart, (System.nanoTime() - roundStart) / 1e9));
            }
        }
        return weights;
    }

    /**
     * The round's update: the words-weighted mean of the workers' updates, applied once per worker
     * ({@code w0 + k * (mean(w_i) - w0)}, k = workers that trained). Plain averaging would divide
     * every worker's progress by k (measured on the pipeline corpus, 2 partitions, 3 epochs:
     * WordSim-353 rho 0.21 averaged against 0.40 for one partition); scaling the mean update by k is
     * the linear learning-rate scaling of data-parallel SGD, and for the sparse rows of rare words,
     * touched by one worker only, it restores exactly that worker's update. Overwrites and returns {@code mean}.
     */
    public static SgnsWeights scaleUpdate(SgnsWeights before, SgnsWeights mean, int workers) {
        if (workers <= 1) {
            return mean;
        }
        scale(before.syn0(), mean.syn0(), workers);
        scale(before.syn1neg(), mean.syn1neg(), workers);
        return mean;
    }

    private static void scale(float[] before, float[] mean, int k) {
        for (int i = 0; i < mean.length; i++) {
            mean[i] = before[i] + k * (mean[i] - before[i]);
        }
    }

    /** word2vec C's linear decay: alpha * (1 - progress), floored at min_alpha. */
    public static double alphaAt(SgnsConfig cfg, long wordsDone, long totalWords) {
        double a = cfg.alpha() * (1.0 - (double) wordsDone / Math.max(1, totalWords + 1));
        return Math.max(a, cfg.minAlpha());
    }
}
