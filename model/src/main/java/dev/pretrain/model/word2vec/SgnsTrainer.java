package dev.pretrain.model.word2vec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Skip-gram with negative sampling (SGNS) training kernel with the semantics of word2vec C
 * ({@code word2vec.c}, Mikolov et al. 2013, {@code -cbow 0 -hs 0 -negative N}):
 * <ul>
 *   <li><b>subsampling</b>: a word with count {@code cn} is kept with probability
 *       {@code ran = (sqrt(cn / (sample*T)) + 1) * (sample*T) / cn} ({@code T} = sum of all counts), applied when
 *       a sentence is read, so the window spans the kept words;</li>
 *   <li><b>dynamic window</b>: for each centre word {@code b} is drawn uniformly from {@code [0, window)} and the
 *       contexts are the kept words within distance {@code window - b};</li>
 *   <li><b>negative sampling</b> from the unigram distribution raised to 0.75 (sampled exactly with Vose's alias
 *       method instead of word2vec C's 1e8-entry table; same distribution, no 400 MB table); a negative equal to
 *       the centre word is skipped;</li>
 *   <li><b>update</b>: for each (context, centre) pair, the input row {@code syn0[context]} is scored against
 *       {@code syn1neg[target]} for the centre word (label 1) and each negative (label 0);
 *       {@code g = (label - sigmoid(f)) * alpha}, with {@code sigmoid} read from a 1000-entry table over
 *       {@code [-6, 6]} and clipped outside (MAX_EXP = 6); {@code neu1e += g * syn1neg[target]},
 *       {@code syn1neg[target] += g * syn0[context]}; after all targets {@code syn0[context] += neu1e}.</li>
 * </ul>
 * Differences from word2vec C, all deliberate: the table index uses the exact scale 1000/12 (C's integer
 * expression {@code 1000 / 6 / 2} = 83 shifts it slightly); random bits are taken from bits 16.. of the LCG
 * state (C uses the weak low bits for subsampling and the window); sentences are not cut at 1000 words.
 *
 * <p>Performance: contiguous row-major float arrays, no allocation per word, word2vec's LCG as random source, and
 * the per-pair loops (dot product, {@code neu1e}/{@code syn1neg} update) on the JDK Vector API
 * ({@link VectorKernels}) when the JVM runs with {@code --add-modules jdk.incubator.vector}: C2 does not vectorise
 * float dot products (strict summation order), and the SIMD kernel trains about 1.7x more words per CPU-second
 * on AVX-512 (IMDB text8, dim 100: 0.46-0.48M against 0.27M words per CPU-second). Without the module the scalar
 * loops run ({@code -Dpretrain.sgns.scalar=true} forces them); both are deterministic but differ in the last bits
 * (summation order). With {@code threads > 1} the threads update the shared arrays without locks (Hogwild, as
 * word2vec C) and the result is not reproducible; with 1 thread and a fixed seed it is.
 */
public final class SgnsTrainer {
    static final long LCG_MUL = 25214903917L;
    static final long LCG_ADD = 11L;

    static final int EXP_TABLE_SIZE = 1000;
    static final float MAX_EXP = 6f;
    static final float EXP_SCALE = EXP_TABLE_SIZE / (2f * MAX_EXP);
    /** sigmoid(x) at x = (i / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP, i = 0..EXP_TABLE_SIZE. */
    private static final float[] SIGMOID = new float[EXP_TABLE_SIZE + 1];

    static {
        for (int i = 0; i <= EXP_TABLE_SIZE; i++) {
            double x = ((double) i / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP;
            double e = Math.exp(x);
            SIGMOID[i] = (float) (e / (e + 1));
        }
    }

    /**
     * True when the JDK Vector API module is in the boot layer ({@code --add-modules jdk.incubator.vector}) and
     * not disabled with {@code -Dpretrain.sgns.scalar=true}: the per-pair loops then run on {@link VectorKernels}.
     */
    static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !Boolean.getBoolean("pretrain.sgns.scalar");

    /** Which inner loops this JVM uses: the Vector API species, or "scalar". */
    public static String kernel() {
        return VECTOR ? VectorKernels.describe() : "scalar";
    }

    private final SgnsConfig config;
    private final int vocabSize;
    private final long trainWords;
    /** word2vec C's {@code ran}: discard the word if ran &lt; u, u uniform in [0,1). Infinite for count 0. */
    private final float[] keepThreshold;
    /** Interleaved alias table: [2i] = acceptance threshold in 1/65536 units, [2i+1] = alias id. */
    private final int[] alias;

    /**
     * @param config     hyper-parameters ({@code dim} must match the weights passed to {@link #train})
     * @param wordCounts corpus count of each word id ({@code long[vocabSize]}, by convention sorted descending);
     *                   used for the subsampling probabilities and the unigram^0.75 negative distribution
     * @throws IllegalArgumentException if {@code wordCounts} is empty, has a negative entry, or sums to 0
     */
    public SgnsTrainer(SgnsConfig config, long[] wordCounts) {
        if (config == null) throw new IllegalArgumentException("config is null");
        if (wordCounts == null || wordCounts.length == 0) throw new IllegalArgumentException("wordCounts is empty");
        this.config = config;
        this.vocabSize = wordCounts.length;
        long total = 0;
        for (int i = 0; i < wordCounts.length; i++) {
            if (wordCounts[i] < 0) throw new IllegalArgumentException("wordCounts[" + i + "] is negative: " + wordCounts[i]);
            total = Math.addExact(total, wordCounts[i]);
        }
        if (total == 0) throw new IllegalArgumentException("wordCounts sum to 0");
        this.trainWords = total;
        this.keepThreshold = new float[vocabSize];
        double st = config.sample() * total;
        for (int i = 0; i < vocabSize; i++) {
            double cn = wordCounts[i];
            keepThreshold[i] = config.sample() <= 0 || cn == 0
                    ? Float.POSITIVE_INFINITY
                    : (float) ((Math.sqrt(cn / st) + 1) * st / cn);
        }
        this.alias = buildAlias(wordCounts);
    }

    /** Vose's alias method over p_i proportional to count_i^0.75; thresholds quantised to 1/65536 of a bucket. */
    static int[] buildAlias(long[] counts) {
        int n = counts.length;
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.pow(counts[i], 0.75);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) p[i] = p[i] * n / sum; // mean 1
        int[] table = new int[2 * n];
        ArrayDeque<Integer> small = new ArrayDeque<>();
        ArrayDeque<Integer> large = new ArrayDeque<>();
        for (int i = 0; i < n; i++) (p[i] < 1 ? small : large).add(i);
        while (!small.isEmpty() && !large.isEmpty()) {
            int s = small.poll();
            int l = large.peek();
            table[2 * s] = (int) Math.round(p[s] * 65536);
            table[2 * s + 1] = l;
            p[l] = (p[l] + p[s]) - 1;
            if (p[l] < 1) {
                large.poll();
                small.add(l);
            }
        }
        for (int i : large) { table[2 * i] = 65536; table[2 * i + 1] = i; }
        for (int i : small) { table[2 * i] = 65536; table[2 * i + 1] = i; } // rounding leftovers
        return table;
    }

    public SgnsConfig config() { return config; }

    /** Sum of {@code wordCounts}: word2vec C's {@code train_words}. */
    public long trainWords() { return trainWords; }

    /**
     * Probability that one occurrence of {@code wordId} is kept by subsampling ({@code min(1, ran)}).
     */
    public double keepProbability(int wordId) {
        return Math.min(1.0, keepThreshold[wordId]);
    }

    /**
     * Trains {@code weights} in place for {@code config.epochs()} passes over {@code sentences}, the learning rate
     * decaying linearly from {@code config.alpha()} to {@code config.minAlpha()} over all passes (word2vec C
     * schedule). Pass {@code e} uses seed {@code config.seed() + e}.
     *
     * @return words processed (before subsampling), summed over the epochs
     */
    public long fit(SgnsWeights weights, List<int[]> sentences) {
        return fit(this::train, config, weights, sentences);
    }

    /**
     * Trains weights in place on the sentences, one pass (Hogwild over {@code config.threads()} threads within
     * this JVM when threads &gt; 1; thread {@code t} of {@code T} takes the contiguous block of sentences
     * {@code [t n / T, (t + 1) n / T)}, as word2vec C splits its input file).
     * The learning rate decays linearly from {@code alphaStart} to {@code alphaEnd} over {@code expectedWords}
     * (word2vec C: words counted before subsampling), recomputed at every sentence start and every 10,000 words,
     * and stays at {@code alphaEnd} beyond. Seeded: same inputs + seed + threads=1 give identical weights.
     *
     * @param weights       {@code [vocabSize, config.dim()]} weights, updated in place
     * @param sentences     sentences of word ids in {@code [0, vocabSize)}; words outside the vocabulary must
     *                      already be removed (word2vec C drops them when reading)
     * @param alphaStart    learning rate at the first word
     * @param alphaEnd      learning rate reached after {@code expectedWords} words
     * @param expectedWords words (before subsampling) over which the rate decays, &gt; 0
     * @param seed          seed of this pass's random choices (thread t uses a stream derived from seed and t)
     * @return words processed (sum of sentence lengths, before subsampling)
     * @throws IllegalArgumentException on a shape mismatch, a word id out of range, or a bad rate/expectedWords
     */
    public long train(SgnsWeights weights, List<int[]> sentences, double alphaStart, double alphaEnd,
                      long expectedWords, long seed) {
        checkPass(vocabSize, config, weights, alphaStart, alphaEnd, expectedWords);
        int threads = Math.max(1, Math.min(config.threads(), sentences.size()));
        AtomicLong progress = new AtomicLong();
        if (threads == 1) {
            return new Worker(weights, sentences, 0, 1, alphaStart, alphaEnd, expectedWords, seed, progress).call();
        }
        List<Thread> ts = new ArrayList<>();
        List<Worker> workers = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads; t++) {
            Worker w = new Worker(weights, sentences, t, threads, alphaStart, alphaEnd, expectedWords, seed, progress);
            workers.add(w);
            Thread th = new Thread(() -> {
                try {
                    w.call();
                } catch (Throwable e) {
                    synchronized (failure) {
                        if (failure[0] == null) failure[0] = e;
                    }
                }
            }, "sgns-worker-" + t);
            th.setDaemon(true);
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while training", e);
            }
        }
        if (failure[0] instanceof RuntimeException re) throw re;
        if (failure[0] instanceof Error er) throw er;
        long words = 0;
        for (Worker w : workers) words += w.wordsDone;
        return words;
    }

    /**
     * {@code config.epochs()} passes of {@code engine} over {@code sentences}, the learning rate decaying linearly from
     * {@code config.alpha()} to {@code config.minAlpha()} over all passes (word2vec C); pass {@code e} uses seed
     * {@code config.seed() + e}. The {@code fit} of every engine ({@link SgnsTrainer}, {@link Nd4jSgnsTrainer}).
     *
     * @return words processed (before subsampling), summed over the epochs
     */
    static long fit(SgnsEngine engine, SgnsConfig config, SgnsWeights weights, List<int[]> sentences) {
        long words = 0;
        for (int[] s : sentences) words += s.length;
        long expected = Math.max(1, words * config.epochs());
        long done = 0;
        for (int e = 0; e < config.epochs(); e++) {
            double a0 = config.alpha() + (config.minAlpha() - config.alpha()) * ((double) done / expected);
            double a1 = config.alpha() + (config.minAlpha() - config.alpha()) * ((double) (done + words) / expected);
            done += engine.train(weights, sentences, a0, a1, words == 0 ? 1 : words, config.seed() + e);
        }
        return done;
    }

    /**
     * The argument checks of one training pass, shared by the engines.
     *
     * @throws IllegalArgumentException on a shape mismatch or a bad rate/expectedWords
     */
    static void checkPass(int vocabSize, SgnsConfig config, SgnsWeights weights, double alphaStart, double alphaEnd,
                          long expectedWords) {
        if (weights.vocabSize() != vocabSize) {
            throw new IllegalArgumentException("weights vocabSize " + weights.vocabSize() + " != wordCounts length " + vocabSize);
        }
        if (weights.dim() != config.dim()) {
            throw new IllegalArgumentException("weights dim " + weights.dim() + " != config.dim " + config.dim());
        }
        if (!(alphaStart >= 0) || !(alphaEnd >= 0)) {
            throw new IllegalArgumentException("learning rates must be >= 0, got " + alphaStart + ", " + alphaEnd);
        }
        if (expectedWords <= 0) throw new IllegalArgumentException("expectedWords must be > 0, got " + expectedWords);
    }

    /** Murmur3 finaliser of the seed, made odd-free of zero so the LCG never starts at a fixed pattern. */
    static long mixSeed(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    private final class Worker {
        private final float[] syn0;
        private final float[] syn1;
        private final List<int[]> sentences;
        private final int first;
        private final int stride;
        private final double alphaStart;
        private final double alphaEnd;
        private final long expectedWords;
        private final AtomicLong progress;
        private final float[] neu1e;
        private final int[] targets;
        private int[] sen = new int[1024];
        private long next;
        long wordsDone;

        Worker(SgnsWeights w, List<int[]> sentences, int first, int stride, double alphaStart, double alphaEnd,
               long expectedWords, long seed, AtomicLong progress) {
            this.syn0 = w.syn0();
            this.syn1 = w.syn1neg();
            this.sentences = sentences;
            this.first = first;
            this.stride = stride;
            this.alphaStart = alphaStart;
            this.alphaEnd = alphaEnd;
            this.expectedWords = expectedWords;
            this.progress = progress;
            this.neu1e = new float[config.dim()];
            this.targets = new int[config.negative() + 1];
            this.next = mixSeed(seed * 0x9E3779B97F4A7C15L + first);
        }

        private float alpha(long done) {
            double frac = Math.min(1.0, (double) done / expectedWords);
            return (float) (alphaStart + (alphaEnd - alphaStart) * frac);
        }

        long call() {
            // thread `first` of `stride` takes a contiguous block of sentences, as word2vec C gives each thread its
            // own part of the file: interleaved sentences (i % threads) made the threads update the same rare rows
            // at the same time (neighbouring IMDB lines are often about the same film) and lost Hogwild updates
            final int n = sentences.size();
            final int lo = (int) ((long) first * n / stride), hi = (int) ((long) (first + 1) * n / stride);
            for (int i = lo; i < hi; i++) {
                int[] s = sentences.get(i);
                if (s == null) throw new IllegalArgumentException("sentence " + i + " is null");
                // Long sentences: process in 10,000-word chunks so the learning rate keeps decaying.
                for (int from = 0; from < s.length; from += 10_000) {
                    int to = Math.min(s.length, from + 10_000);
                    float alpha = alpha(progress.get());
                    int kept = subsample(s, from, to, i);
                    trainSentence(kept, alpha);
                    progress.addAndGet(to - from);
                    wordsDone += to - from;
                }
            }
            return wordsDone;
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
                    r = r * LCG_MUL + LCG_ADD;
                    if (th < ((int) (r >>> 16) & 0xFFFF) * (1f / 65536)) continue;
                }
                buf[k++] = w;
            }
            next = r;
            return k;
        }

        private void trainSentence(int n, float alpha) {
            final int[] s = sen;
            final float[] syn0 = this.syn0;
            final float[] syn1 = this.syn1;
            final float[] neu1e = this.neu1e;
            final int[] alias = SgnsTrainer.this.alias;
            final int[] targets = this.targets;
            final float[] sigmoid = SIGMOID;
            final int dim = config.dim();
            final int window = config.window();
            final int negative = config.negative();
            final long v = vocabSize;
            long r = next;
            for (int pos = 0; pos < n; pos++) {
                final int word = s[pos];
                r = r * LCG_MUL + LCG_ADD;
                final int b = (int) ((((r >>> 16) & 0xFFFFFFFFL) * window) >>> 32);
                final int lo = Math.max(0, pos - window + b);
                final int hi = Math.min(n - 1, pos + window - b);
                for (int c = lo; c <= hi; c++) {
                    if (c == pos) continue;
                    // targets: the centre word (label 1), then the negatives that differ from it (label 0)
                    targets[0] = word;
                    int nt = 1;
                    for (int d = 0; d < negative; d++) {
                        r = r * LCG_MUL + LCG_ADD;
                        final int t = drawNegative(alias, r, v);
                        if (t != word) targets[nt++] = t;
                    }
                    final int l1 = s[c] * dim;
                    if (VECTOR) VectorKernels.pair(syn0, l1, syn1, targets, nt, alpha, neu1e, dim, sigmoid);
                    else pairScalar(syn0, l1, syn1, targets, nt, alpha, neu1e, dim, sigmoid);
                }
            }
            next = r;
        }
    }

    /**
     * One (context, centre) pair: {@code targets[0]} is the centre word (label 1), {@code targets[1..nt)} the
     * negatives (label 0). For each target, {@code g = (label - sigmoid(syn0[l1] . syn1[t])) * alpha},
     * {@code neu1e += g * syn1[t]}, {@code syn1[t] += g * syn0[l1]}; finally {@code syn0[l1] += neu1e}.
     */
    static void pairScalar(float[] syn0, int l1, float[] syn1, int[] targets, int nt, float alpha, float[] neu1e,
                           int dim, float[] sigmoid) {
        for (int k = 0; k < dim; k++) neu1e[k] = 0f;
        for (int d = 0; d < nt; d++) {
            final int l2 = targets[d] * dim;
            final float label = d == 0 ? 1f : 0f;
            final float f = dot(syn0, l1, syn1, l2, dim);
            final float g;
            if (f > MAX_EXP) g = (label - 1f) * alpha;
            else if (f < -MAX_EXP) g = label * alpha;
            else g = (label - sigmoid[(int) ((f + MAX_EXP) * EXP_SCALE)]) * alpha;
            if (g == 0f) continue;
            for (int k = 0; k < dim; k++) {
                neu1e[k] += g * syn1[l2 + k];
                syn1[l2 + k] += g * syn0[l1 + k];
            }
        }
        for (int k = 0; k < dim; k++) syn0[l1 + k] += neu1e[k];
    }

    /** One unigram^0.75 draw from the alias table with LCG state {@code r} (bits 16..47 bucket, 48..63 coin). */
    static int drawNegative(int[] alias, long r, long v) {
        final long bits = r >>> 16;
        final int bucket = (int) (((bits & 0xFFFFFFFFL) * v) >>> 32);
        final int coin = (int) (bits >>> 32) & 0xFFFF;
        return coin < alias[2 * bucket] ? bucket : alias[2 * bucket + 1];
    }

    /** The negative-sampling probability of each word id estimated from {@code draws} draws (for tests). */
    double[] empiricalNegativeDistribution(int draws, long seed) {
        double[] f = new double[vocabSize];
        long r = mixSeed(seed);
        for (int i = 0; i < draws; i++) {
            r = r * LCG_MUL + LCG_ADD;
            f[drawNegative(alias, r, vocabSize)] += 1.0 / draws;
        }
        return f;
    }

    /** Dot product with four independent accumulators (breaks the add latency chain). */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int k = 0;
        for (; k + 3 < n; k += 4) {
            s0 += a[ao + k] * b[bo + k];
            s1 += a[ao + k + 1] * b[bo + k + 1];
            s2 += a[ao + k + 2] * b[bo + k + 2];
            s3 += a[ao + k + 3] * b[bo + k + 3];
        }
        for (; k < n; k++) s0 += a[ao + k] * b[bo + k];
        return (s0 + s1) + (s2 + s3);
    }
}
