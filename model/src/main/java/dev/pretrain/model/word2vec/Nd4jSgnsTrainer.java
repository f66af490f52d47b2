package dev.pretrain.model.word2vec;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterUpdate;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Skip-gram with negative sampling (SGNS, Mikolov et al. 2013, word2vec C {@code -cbow 0 -hs 0 -negative N}) on
 * ND4J: the same contract as {@link SgnsTrainer#train} / {@link SgnsTrainer#fit}, but the arithmetic runs as
 * batched ND4J ops, so the same code runs on {@code nd4j-native} (CPU) and on {@code nd4j-cuda} (GPU executors,
 * Maven profile {@code -Pcuda}). Only backend-independent ND4J API is used: {@code Nd4j.create*},
 * the {@code gather} custom op, {@link Nd4j#matmul} (batched, rank 3), {@link Transforms#sigmoid}, pairwise
 * in-place ops, and {@link Nd4j#scatterUpdate} with {@link ScatterUpdate.UpdateOp#ADD}.
 *
 * <h2>Sampling (host side, Java)</h2>
 * Identical to {@link SgnsTrainer} with one thread: the same word2vec LCG stream per seed, word2vec C
 * subsampling ({@code ran = (sqrt(cn/(sample*T)) + 1) * sample*T / cn}), the dynamic window ({@code b} uniform in
 * {@code [0, window)}), unigram^0.75 negatives from the same alias table ({@link SgnsTrainer#buildAlias}), a
 * negative equal to the centre word skipped, the learning rate decaying linearly from {@code alphaStart} to
 * {@code alphaEnd} over {@code expectedWords} (recomputed per sentence and every 10,000 words). For the same seed
 * and data the two engines draw exactly the same (context, centre, negatives) pairs in the same order;
 * {@code config.threads()} is not used (one sampling thread; the ND4J backend parallelises the ops).
 * A producer thread samples the next batches while the current one is computed (bounded queue, so sampling never
 * runs more than two batches ahead; the order of the pairs does not depend on timing).
 *
 * <h2>Batch step (device side, ND4J, float32)</h2>
 * {@code syn0} and {@code syn1neg} are copied once per {@link #train} call into two {@code float32 [vocabSize, dim]}
 * INDArrays and copied back at the end. Pairs are grouped into batches of {@code B = batchPairs}; with
 * {@code K = negative + 1} target slots per pair (slot 0 the centre word, label 1; slots 1..negative the
 * negatives, label 0), one batch is:
 * <ol>
 *   <li>{@code in: int32 [B]} the context word ids (input rows, as word2vec C's {@code l1 = syn0[context]}),
 *       {@code out: int32 [B*K]} the target ids, {@code coef: float32 [B, K]} the learning rate of the pair's
 *       sentence chunk, 0 for a skipped negative (a negative equal to the centre word) and for padding;</li>
 *   <li>gather {@code h = syn0[in]: [B, d]} and {@code W = syn1neg[out]: [B, K, d]};</li>
 *   <li>{@code f = W h: [B, K]} (batched matmul), {@code g = (label - sigmoid(f)) * coef: [B, K]};</li>
 *   <li>{@code dh = g^T W: [B, d]} (word2vec's {@code neu1e}), {@code dW = g h^T: [B, K, d]};</li>
 *   <li>{@code syn0[in] += dh}, {@code syn1neg[out] += dW} by scatter-add: a row that occurs several times in a
 *       batch receives the SUM of its updates ({@code Nd4j.scatterUpdate(ADD, ...)}: libnd4j gives every target
 *       row to one owner thread / CUDA block that applies that row's updates one after another, on both
 *       backends; {@code Nd4jSgnsTrainerTest} checks duplicates against a hand-computed sum).</li>
 * </ol>
 * Every pair of a batch therefore sees the weights as they were before the batch: mini-batch SGD over pairs
 * instead of word2vec C's sequential per-pair (Hogwild) updates. This is the trade-off of the GPU word2vec
 * variants (Ji et al. 2016, "Parallelizing Word2Vec in Shared and Distributed Memory", HogBatch; Gupta &amp;
 * Khare 2017, BlazingText), here without shared negatives: every pair keeps its own {@code negative} draws, so
 * the sampled distribution is exactly word2vec's. With {@code batchPairs = 1} the update is word2vec C's
 * per-pair update. The sigmoid is exact (word2vec C reads a 1000-entry table over {@code [-6, 6]} and clips
 * outside); the difference is below 0.003 in {@code sigmoid}. Large batches make frequent rows (the
 * centre word of a window, frequent negatives) take many stale updates at once. Measured on a 2M-word IMDB prefix
 * (1 epoch, dim 100, alpha 0.025; docs/BENCHMARKS.md section "sgns-nd4j-vs-java"): with the default
 * {@value #DEFAULT_BATCH_PAIRS} pairs the scores stayed within {@link SgnsTrainer}'s seed-to-seed spread on
 * analogy and MEN and the embeddings stayed closer to {@link SgnsTrainer}'s (same seed) than two seeds of
 * {@link SgnsTrainer} are to each other; with 8192 pairs they moved further than re-seeding does.
 *
 * <p>Speed: on nd4j-native this engine is about 20x slower than {@link SgnsTrainer} per CPU-second (2M-word
 * IMDB prefix, dim 100: ~30k against ~530-640k words per CPU-second, measured on a loaded 2-core machine): libnd4j's
 * CPU gather, scatter and rank-3 matmul cost about 1-3 microseconds per row / per batch element, and the syn1neg
 * scatter of {@code B*K} rows dominates. Run it with {@code OMP_NUM_THREADS=1} on a busy CPU (OpenMP spin-waiting
 * made 2 threads 4x slower there). The engine exists for nd4j-cuda, where the same ops run as parallel kernels;
 * there, larger batches (fewer op launches and host-device copies per pair) are the lever, at the cost of
 * staler updates.
 *
 * <p>Determinism: with the same inputs, seed and batch size, the result is identical run to run on
 * {@code nd4j-native} (fixed thread partitioning; scatter-add applies a row's updates in batch order). It differs
 * slightly from {@link SgnsTrainer}'s even at batch size 1 (exact sigmoid instead of the table, float summation
 * order: about 1% of the weight change in {@code Nd4jSgnsTrainerTest}).
 * Instances are not thread-safe; use one per thread.
 */
public final class Nd4jSgnsTrainer {
    /** Default pairs per batch. */
    public static final int DEFAULT_BATCH_PAIRS = 1024;

    private final SgnsConfig config;
    private final int vocabSize;
    private final long trainWords;
    private final int batchPairs;
    /** Same as {@link SgnsTrainer}'s: discard the word if keep &lt; u, u uniform in [0,1); +inf when never discarded. */
    private final float[] keepThreshold;
    private final int[] alias;

    /** {@link #Nd4jSgnsTrainer(SgnsConfig, long[], int)} with {@link #DEFAULT_BATCH_PAIRS}. */
    public Nd4jSgnsTrainer(SgnsConfig config, long[] wordCounts) {
        this(config, wordCounts, DEFAULT_BATCH_PAIRS);
    }

    /**
     * @param config     hyper-parameters ({@code dim} must match the weights; {@code threads} is ignored)
     * @param wordCounts corpus count of each word id ({@code long[vocabSize]}): subsampling and negatives
     * @param batchPairs (context, centre) pairs per ND4J batch, &gt;= 1
     * @throws IllegalArgumentException if {@code wordCounts} is empty, has a negative entry or sums to 0, or
     *                                  {@code batchPairs < 1}, or {@code batchPairs * (negative + 1)} overflows int
     */
    public Nd4jSgnsTrainer(SgnsConfig config, long[] wordCounts, int batchPairs) {
        if (config == null) throw new IllegalArgumentException("config is null");
        if (wordCounts == null || wordCounts.length == 0) throw new IllegalArgumentException("wordCounts is empty");
        if (batchPairs < 1) throw new IllegalArgumentException("batchPairs must be >= 1, got " + batchPairs);
        if ((long) batchPairs * (config.negative() + 1) * Math.max(1, config.dim()) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("batchPairs * (negative + 1) * dim too large: " + batchPairs);
        }
        // SgnsTrainer validates the counts and derives the subsampling thresholds; reuse them.
        SgnsTrainer ref = new SgnsTrainer(config, wordCounts);
        this.config = config;
        this.vocabSize = wordCounts.length;
        this.trainWords = ref.trainWords();
        this.batchPairs = batchPairs;
        this.keepThreshold = new float[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            double p = ref.keepProbability(i);
            keepThreshold[i] = p >= 1.0 ? Float.POSITIVE_INFINITY : (float) p;
        }
        this.alias = SgnsTrainer.buildAlias(wordCounts);
    }

    public SgnsConfig config() { return config; }

    public int batchPairs() { return batchPairs; }

    /** Sum of {@code wordCounts}: word2vec C's {@code train_words}. */
    public long trainWords() { return trainWords; }

    /** The ND4J backend in use, e.g. {@code CpuBackend} (nd4j-native) or {@code CudaBackend} (nd4j-cuda). */
    public static String backend() {
        return Nd4j.getBackend().getClass().getSimpleName();
    }

    /**
     * {@code config.epochs()} passes, the learning rate decaying linearly from {@code config.alpha()} to
     * {@code config.minAlpha()} over all passes; pass {@code e} uses seed {@code config.seed() + e}
     * (as {@link SgnsTrainer#fit}).
     *
     * @return words processed (before subsampling), summed over the epochs
     */
    public long fit(SgnsWeights weights, List<int[]> sentences) {
        return SgnsTrainer.fit(this::train, config, weights, sentences);
    }

    /**
     * One pass over {@code sentences} in order, in batches of {@link #batchPairs()} pairs (see the class comment).
     * Same contract as {@link SgnsTrainer#train}: the weights are copied to ND4J at the start and written back into
     * {@code weights.syn0()} / {@code weights.syn1neg()} at the end (in place); nothing is written back if an
     * exception is thrown.
     *
     * @param weights       {@code [vocabSize, config.dim()]} weights, updated in place
     * @param sentences     sentences of word ids in {@code [0, vocabSize)}
     * @param alphaStart    learning rate at the first word
     * @param alphaEnd      learning rate reached after {@code expectedWords} words
     * @param expectedWords words (before subsampling) over which the rate decays, &gt; 0
     * @param seed          seed of this pass's random choices (same stream as {@link SgnsTrainer} with 1 thread)
     * @return words processed (sum of sentence lengths, before subsampling)
     * @throws IllegalArgumentException on a shape mismatch, a word id out of range (naming sentence and position),
     *                                  a null sentence, or a bad rate/expectedWords
     */
    public long train(SgnsWeights weights, List<int[]> sentences, double alphaStart, double alphaEnd,
                      long expectedWords, long seed) {
        SgnsTrainer.checkPass(vocabSize, config, weights, alphaStart, alphaEnd, expectedWords);

        final int k1 = config.negative() + 1;
        Device dev = new Device(weights, batchPairs, k1);
        Sampler sampler = new Sampler(sentences, alphaStart, alphaEnd, expectedWords, seed, k1);
        BlockingQueue<Batch> free = new ArrayBlockingQueue<>(3);
        BlockingQueue<Batch> full = new ArrayBlockingQueue<>(3);
        for (int i = 0; i < 3; i++) free.add(new Batch(batchPairs, k1));
        Throwable[] producerFailure = new Throwable[1];
        Thread producer = new Thread(() -> {
            try {
                while (true) {
                    Batch b = free.take();
                    sampler.fill(b);
                    full.put(b);
                    if (b.n < batchPairs) return; // last (possibly empty) batch
                }
            } catch (InterruptedException e) {
                // consumer gave up
            } catch (Throwable t) {
                producerFailure[0] = t;
                Batch end = new Batch(0, k1);
                end.n = -1;
                full.offer(end);
            }
        }, "nd4j-sgns-sampler");
        producer.setDaemon(true);
        producer.start();
        try {
            while (true) {
                Batch b = full.take();
                if (b.n < 0) break;
                if (b.n > 0) dev.step(b);
                boolean last = b.n < batchPairs;
                free.put(b);
                if (last) break;
            }
            producer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        } finally {
            producer.interrupt();
        }
        Throwable t = producerFailure[0];
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error er) throw er;
        if (t != null) throw new IllegalStateException(t);
        dev.copyBack(weights);
        return sampler.wordsDone;
    }

    /** One batch of pairs as host arrays; slots beyond {@code n} are padding (id 0, coef 0). */
    static final class Batch {
        final int[] in;
        final int[] out;
        final float[] coef;
        int n;

        Batch(int pairs, int k1) {
            in = new int[pairs];
            out = new int[pairs * k1];
            coef = new float[pairs * k1];
        }
    }

    /** The device half: ND4J weights and preallocated per-batch buffers. */
    static final class Device {
        final int b;
        final int k1;
        final int dim;
        final INDArray syn0;
        final INDArray syn1;
        final INDArray h;      // [B, d]
        final INDArray w;      // [B*K, d]
        final INDArray f;      // [B, K]
        final INDArray labels; // [B, K], column 0 = 1
        final INDArray dh;     // [B, d]
        final INDArray dw;     // [B*K, d]

        Device(SgnsWeights weights, int b, int k1) {
            this.b = b;
            this.k1 = k1;
            this.dim = weights.dim();
            long v = weights.vocabSize();
            syn0 = Nd4j.create(weights.syn0(), new long[] {v, dim}, DataType.FLOAT);
            syn1 = Nd4j.create(weights.syn1neg(), new long[] {v, dim}, DataType.FLOAT);
            h = Nd4j.create(DataType.FLOAT, b, dim);
            w = Nd4j.create(DataType.FLOAT, (long) b * k1, dim);
            f = Nd4j.create(DataType.FLOAT, b, k1);
            float[] lab = new float[b * k1];
            for (int i = 0; i < b; i++) lab[i * k1] = 1f;
            labels = Nd4j.create(lab, new long[] {b, k1}, DataType.FLOAT);
            dh = Nd4j.create(DataType.FLOAT, b, dim);
            dw = Nd4j.create(DataType.FLOAT, (long) b * k1, dim);
        }

        void step(Batch batch) {
            INDArray inIdx = Nd4j.createFromArray(batch.in);
            INDArray outIdx = Nd4j.createFromArray(batch.out);
            INDArray coef = Nd4j.create(batch.coef, new long[] {b, k1}, DataType.FLOAT);
            gatherRows(syn0, inIdx, h);
            gatherRows(syn1, outIdx, w);
            INDArray w3 = w.reshape('c', b, k1, dim);
            // f[B,K,1] = W[B,K,d] x h[B,d,1]
            Nd4j.matmul(w3, h.reshape('c', b, dim, 1), f.reshape('c', b, k1, 1), false, false, false);
            Transforms.sigmoid(f, false);
            f.rsubi(labels).muli(coef); // g = (label - sigmoid(f)) * coef
            // dh[B,1,d] = g[B,1,K] x W[B,K,d];  dW[B,K,d] = g[B,K,1] x h[B,1,d]
            Nd4j.matmul(f.reshape('c', b, 1, k1), w3, dh.reshape('c', b, 1, dim), false, false, false);
            Nd4j.matmul(f.reshape('c', b, k1, 1), h.reshape('c', b, 1, dim), dw.reshape('c', b, k1, dim),
                    false, false, false);
            scatterAddRows(syn0, inIdx, dh);
            scatterAddRows(syn1, outIdx, dw);
        }

        void copyBack(SgnsWeights weights) {
            Nd4j.getExecutioner().commit();
            System.arraycopy(syn0.data().asFloat(), 0, weights.syn0(), 0, weights.syn0().length);
            System.arraycopy(syn1.data().asFloat(), 0, weights.syn1neg(), 0, weights.syn1neg().length);
        }
    }

    /** {@code out[i, :] = source[idx[i], :]}: the {@code gather} op along axis 0 into a preallocated array. */
    static void gatherRows(INDArray source, INDArray idx, INDArray out) {
        Nd4j.exec(DynamicCustomOp.builder("gather").addInputs(source, idx).addOutputs(out)
                .addIntegerArguments(0).build());
    }

    /**
     * {@code target[idx[i], :] += updates[i, :]} for every i, in place; a row index occurring several times
     * receives the sum of its updates.
     *
     * @param target  {@code [rows, d]} float32, c-order, updated in place
     * @param idx     {@code int32 [n]} row indices in {@code [0, rows)}
     * @param updates {@code [n, d]} float32
     */
    static void scatterAddRows(INDArray target, INDArray idx, INDArray updates) {
        Nd4j.scatterUpdate(ScatterUpdate.UpdateOp.ADD, target, idx, updates, 1);
    }

    /** Host-side pair generator: {@link SgnsTrainer}'s single-thread sampling, emitting pairs into batches. */
    private final class Sampler {
        private final List<int[]> sentences;
        private final double alphaStart;
        private final double alphaEnd;
        private final long expectedWords;
        private final int k1;
        private long next;
        long wordsDone;
        // position in the stream: sentence, chunk start, kept words of the chunk, centre position, context position
        private int sentence;
        private int chunkFrom;
        private int[] sen = new int[1024];
        private int kept;
        private int pos;
        private int ctx = Integer.MAX_VALUE;
        private int hi = -1;
        private float alpha;
        private boolean chunkLoaded;

        Sampler(List<int[]> sentences, double alphaStart, double alphaEnd, long expectedWords, long seed, int k1) {
            this.sentences = sentences;
            this.alphaStart = alphaStart;
            this.alphaEnd = alphaEnd;
            this.expectedWords = expectedWords;
            this.k1 = k1;
            this.next = SgnsTrainer.mixSeed(seed * 0x9E3779B97F4A7C15L);
        }

        private float alpha(long done) {
            double frac = Math.min(1.0, (double) done / expectedWords);
            return (float) (alphaStart + (alphaEnd - alphaStart) * frac);
        }

        /** Fills {@code b} with up to {@code b.in.length} pairs; fewer only at the end of the data. */
        void fill(Batch b) {
            final int cap = b.in.length;
            int n = 0;
            while (n < cap && nextPair(b, n)) n++;
            b.n = n;
            // padding: id 0, coefficient 0 (zero update)
            for (int p = n; p < cap; p++) {
                b.in[p] = 0;
                for (int j = 0; j < k1; j++) {
                    b.out[p * k1 + j] = 0;
                    b.coef[p * k1 + j] = 0f;
                }
            }
        }

        /** Writes the next pair into slot {@code p}; false when the data is exhausted. */
        private boolean nextPair(Batch b, int p) {
            while (true) {
                if (!chunkLoaded) {
                    if (!loadChunk()) return false;
                }
                // advance to the next context of the current centre, or the next centre
                while (ctx <= hi && ctx == pos) ctx++;
                if (ctx > hi) {
                    if (pos + 1 >= kept) {
                        finishChunk();
                        continue;
                    }
                    pos++;
                    startCentre();
                    continue;
                }
                emit(b, p, sen[ctx], sen[pos]);
                ctx++;
                return true;
            }
        }

        private void startCentre() {
            next = next * SgnsTrainer.LCG_MUL + SgnsTrainer.LCG_ADD;
            final int window = config.window();
            final int bw = (int) ((((next >>> 16) & 0xFFFFFFFFL) * window) >>> 32);
            ctx = Math.max(0, pos - window + bw);
            hi = Math.min(kept - 1, pos + window - bw);
        }

        private void emit(Batch b, int p, int input, int word) {
            final int base = p * k1;
            b.in[p] = input;
            b.out[base] = word;
            b.coef[base] = alpha;
            final long v = vocabSize;
            long r = next;
            for (int d = 1; d < k1; d++) {
                r = r * SgnsTrainer.LCG_MUL + SgnsTrainer.LCG_ADD;
                final int t = SgnsTrainer.drawNegative(alias, r, v);
                b.out[base + d] = t;
                b.coef[base + d] = t == word ? 0f : alpha; // word2vec C skips a negative equal to the centre
            }
            next = r;
        }

        /** Loads the next non-exhausted 10,000-word chunk: rate, subsampling, first centre. */
        private boolean loadChunk() {
            while (sentence < sentences.size()) {
                int[] s = sentences.get(sentence);
                if (s == null) throw new IllegalArgumentException("sentence " + sentence + " is null");
                if (chunkFrom >= s.length) {
                    sentence++;
                    chunkFrom = 0;
                    continue;
                }
                int to = Math.min(s.length, chunkFrom + 10_000);
                alpha = alpha(wordsDone);
                kept = subsample(s, chunkFrom, to, sentence);
                chunkLoaded = true;
                pos = -1;
                ctx = Integer.MAX_VALUE;
                hi = -1;
                if (kept == 0) {
                    finishChunk();
                    continue;
                }
                pos = 0;
                startCentre();
                return true;
            }
            return false;
        }

        private void finishChunk() {
            int[] s = sentences.get(sentence);
            int to = Math.min(s.length, chunkFrom + 10_000);
            wordsDone += to - chunkFrom;
            chunkFrom = to;
            chunkLoaded = false;
        }

        private int subsample(int[] s, int from, int to, int sentenceIndex) {
            if (sen.length < to - from) sen = new int[Math.max(to - from, 2 * sen.length)];
            final int[] buf = sen;
            final float[] keep = keepThreshold;
            final int v = vocabSize;
            long r = next;
            int k = 0;
            for (int j = from; j < to; j++) {
                int w = s[j];
                if (w < 0 || w >= v) {
                    throw new IllegalArgumentException("word id " + w + " at position " + j + " of sentence "
                            + sentenceIndex + " is outside [0, " + v + ")");
                }
                float th = keep[w];
                if (th < 1f) {
                    r = r * SgnsTrainer.LCG_MUL + SgnsTrainer.LCG_ADD;
                    if (th < ((int) (r >>> 16) & 0xFFFF) * (1f / 65536)) continue;
                }
                buf[k++] = w;
            }
            next = r;
            return k;
        }
    }
}
