package dev.pretrain.model.word2vec;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.storage.StorageLevel;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Benchmark (not a test): {@link ParameterAveragedSgns} on a synthetic Zipfian corpus with a large vocabulary, to
 * show what the sparse exchange lifts (the dense exchange collected {@code k * 2 * vocab * dim} float32 per round,
 * beyond Kryo's 1g buffer and the 1g maxResultSize from vocab x dim of about 67M). Word id {@code r} (rank
 * {@code r + 1}) has probability proportional to {@code (r + 1)^-s}; sentence {@code i} has {@code --sentence}
 * words drawn with its own seeded generator ({@code mixSeed(seed * 1000003 + i)}), so the corpus does not depend
 * on the partitioning; counts are the corpus's own.
 *
 * <pre>
 * java -Xmx12g [spark --add-opens flags] --add-modules jdk.incubator.vector -cp test-classes:classes:... \
 *      dev.pretrain.model.word2vec.ZipfAveragingBench [--vocab 1000000] [--dim 300] [--words 16000000] [--zipf 1.0]
 *      [--sentence 100] [--rounds 3] [--partitions 2] [--seed 1] [--local-dir DIR] [--conf key=value ...]
 * </pre>
 * Spark {@code local[partitions]} with Kryo, {@code spark.kryoserializer.buffer.max 1g} and
 * {@code spark.driver.maxResultSize 1g} (cluster-conf/spark-defaults.conf). Prints one {@code ROUND} line per round
 * (seconds, words, rows changed, workers' rows, bytes collected against the dense exchange's), {@code STAGE} lines
 * (Spark's own shuffle-write and task-result bytes per stage kind), and a {@code RESULT} line with peak heap
 * (sampled every 50 ms, garbage included), the largest heap in use right after a GC (the live set then: what -Xmx
 * must hold at least), peak RSS ({@code VmHWM}) and the largest {@code --local-dir} size seen at a round's end.
 */
public final class ZipfAveragingBench {
    private ZipfAveragingBench() {}

    public static void main(String[] args) throws Exception {
        int vocab = 1_000_000, dim = 300, sentence = 100, rounds = 3, partitions = 2;
        long words = 16_000_000L, seed = 1;
        double zipf = 1.0;
        Path localDir = null;
        List<String[]> confs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--vocab" -> vocab = Integer.parseInt(args[++i]);
                case "--dim" -> dim = Integer.parseInt(args[++i]);
                case "--words" -> words = Long.parseLong(args[++i]);
                case "--zipf" -> zipf = Double.parseDouble(args[++i]);
                case "--sentence" -> sentence = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--local-dir" -> localDir = Path.of(args[++i]);
                case "--conf" -> {
                    String kv = args[++i];
                    int eq = kv.indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("--conf expects key=value, got '" + kv + "'");
                    confs.add(new String[] {kv.substring(0, eq), kv.substring(eq + 1)});
                }
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "' (see the class Javadoc)");
            }
        }
        AtomicLong peakHeap = new AtomicLong();
        Thread sampler = new Thread(() -> {
            java.lang.management.MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
            while (!Thread.currentThread().isInterrupted()) {
                peakHeap.accumulateAndGet(mx.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        AtomicLong peakLive = new AtomicLong(); // heap used after a GC: the live set at that point, at most
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((javax.management.NotificationEmitter) gc).addNotificationListener((note, hb) -> {
                if (!com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(note.getType())) return;
                com.sun.management.GarbageCollectionNotificationInfo info = com.sun.management.GarbageCollectionNotificationInfo
                        .from((javax.management.openmbean.CompositeData) note.getUserData());
                long used = 0;
                for (java.lang.management.MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values()) used += u.getUsed();
                peakLive.accumulateAndGet(used, Math::max);
            }, null, null);
        }

        SparkConf conf = new SparkConf().setMaster("local[" + partitions + "]").setAppName("zipf-averaging")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryoserializer.buffer.max", "1g").set("spark.driver.maxResultSize", "1g");
        if (localDir != null) conf.set("spark.local.dir", localDir.toString());
        for (String[] kv : confs) conf.set(kv[0], kv[1]);
        StageBytes stages = new StageBytes();
        try (JavaSparkContext jsc = new JavaSparkContext(conf)) {
            jsc.setLogLevel("WARN");
            jsc.sc().addSparkListener(stages);
            RowBlockExchange ex = ParameterAveragedSgns.exchangeFor(jsc.getConf(), vocab, dim);
            System.out.printf(Locale.ROOT, "exchange: %d rows per block, %d blocks per matrix, %d reduce partitions, %d jobs per round%n",
                    ex.rowsPerBlock(), ex.blocksPerMatrix(), ex.reducePartitions(), ex.jobs().size());

            long t0 = System.nanoTime();
            final int v = vocab, len = sentence, np = partitions;
            final double s = zipf;
            final long sentences = Math.max(1, words / sentence), sd = seed;
            List<Integer> ids = new ArrayList<>();
            for (int p = 0; p < partitions; p++) ids.add(p);
            JavaRDD<int[]> corpus = jsc.parallelize(ids, partitions).mapPartitions(it -> {
                int p = it.next();
                double[] cdf = new double[v];
                double z = 0;
                for (int r = 0; r < v; r++) cdf[r] = z += Math.pow(r + 1, -s);
                long lo = sentences * p / np, hi = sentences * (p + 1) / np;
                List<int[]> out = new ArrayList<>((int) (hi - lo));
                for (long i = lo; i < hi; i++) {
                    SplittableRandom rnd = new SplittableRandom(SgnsTrainer.mixSeed(sd * 1_000_003L + i));
                    int[] sen = new int[len];
                    for (int k = 0; k < len; k++) {
                        int r = java.util.Arrays.binarySearch(cdf, rnd.nextDouble() * z);
                        sen[k] = Math.min(v - 1, r < 0 ? -r - 1 : r);
                    }
                    out.add(sen);
                }
                return out.iterator();
            }, true).persist(StorageLevel.MEMORY_ONLY());
            long[] counts = corpus.mapPartitions(it -> {
                long[] c = new long[v];
                while (it.hasNext()) for (int w : it.next()) c[w]++;
                return Collections.singletonList(c).iterator();
            }).reduce((a, b) -> {
                for (int i = 0; i < a.length; i++) a[i] += b[i];
                return a;
            });
            long[] sizes = ParameterAveragedSgns.sizes(corpus);
            int occurring = 0;
            for (long c : counts) if (c > 0) occurring++;
            System.out.printf(Locale.ROOT, "corpus: %d sentences, %d words, vocab %d, %d occur (%.1f%%), zipf s=%.2f, generated in %.1f s%n",
                    sizes[0], sizes[1], vocab, occurring, 100.0 * occurring / vocab, zipf, (System.nanoTime() - t0) / 1e9);

            SgnsConfig cfg = SgnsConfig.defaults().withDim(dim).withEpochs(1).withSeed(seed);
            int k = (int) sizes[2];
            long dense = (long) k * 2L * vocab * dim * 4L; // k dense averagers of syn0 + syn1neg, float32
            final Path dir = localDir;
            long[] maxDisk = new long[1];
            List<ParameterAveragedSgns.Round> log = new ArrayList<>();
            long t1 = System.nanoTime();
            SgnsWeights w = ParameterAveragedSgns.train(jsc, corpus, counts, cfg, rounds, sizes[1], k,
                    SgnsWeights.initialize(vocab, dim, seed), g -> sd * 1_000_003L + g, r -> {
                        long disk = dir == null ? -1 : du(dir);
                        maxDisk[0] = Math.max(maxDisk[0], disk);
                        log.add(r);
                        System.out.printf(Locale.ROOT,
                                "ROUND %d seconds=%.1f words=%d syn0_rows=%d syn1neg_rows=%d worker_rows=%d collected_mb=%.1f dense_mb=%.1f local_dir_mb=%.1f heap_peak_gb=%.2f live_after_gc_peak_gb=%.2f%n",
                                r.round(), r.seconds(), r.words(), r.syn0Rows(), r.syn1negRows(), r.workerRows(),
                                r.collectedBytes() / 1e6, dense / 1e6, disk / 1e6, peakHeap.get() / 1e9, peakLive.get() / 1e9);
                    }, ParameterAveragedSgns.Averaging.defaults(), "java"); // this overload drops its reference to init
            double trainS = (System.nanoTime() - t1) / 1e9;
            float[] s0 = w.syn0();
            double norm = 0;
            for (float x : s0) norm += (double) x * x;
            Thread.sleep(2000); // let the listener bus deliver the last task-end events
            for (Map.Entry<String, long[]> e : stages.byName().entrySet()) {
                long[] b = e.getValue();
                System.out.printf(Locale.ROOT, "STAGE %s stages=%d seconds=%.1f shuffle_write_mb=%.1f task_result_mb=%.1f max_task_result_mb=%.1f%n",
                        e.getKey(), b[0], b[1] / 1e3, b[2] / 1e6, b[3] / 1e6, b[4] / 1e6);
            }
            double secs = 0, rows0 = 0, rows1 = 0, collected = 0;
            for (ParameterAveragedSgns.Round r : log) {
                secs += r.seconds();
                rows0 += r.syn0Rows();
                rows1 += r.syn1negRows();
                collected += r.collectedBytes();
            }
            int n = Math.max(1, log.size());
            System.out.printf(Locale.ROOT,
                    "RESULT zipf_averaging vocab=%d dim=%d partitions=%d rounds=%d words=%d train_s=%.1f s_per_round=%.1f syn0_rows_per_round=%.0f syn1neg_rows_per_round=%.0f collected_mb_per_round=%.1f dense_mb_per_round=%.1f heap_peak_gb=%.2f live_after_gc_peak_gb=%.2f rss_peak_gb=%.2f local_dir_peak_mb=%.1f xmx_gb=%.1f syn0_rms=%.3g%n",
                    vocab, dim, partitions, rounds, sizes[1], trainS, secs / n, rows0 / n, rows1 / n, collected / n / 1e6,
                    dense / 1e6, peakHeap.get() / 1e9, peakLive.get() / 1e9, vmHwm() / 1e9, maxDisk[0] / 1e6,
                    Runtime.getRuntime().maxMemory() / 1e9, Math.sqrt(norm / s0.length));
        }
        sampler.interrupt();
    }

    /** Bytes of the regular files under {@code dir} (0 if it does not exist). */
    private static long du(Path dir) {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0; // removed meanwhile
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    /** Peak resident set size of this process ({@code VmHWM} in /proc/self/status), bytes; -1 if unknown. */
    private static long vmHwm() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return 1024L * Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Spark's own figures by stage kind (the stage name up to " at "): {stages, milliseconds, shuffle bytes written,
     * task result bytes, largest task result}.
     */
    private static final class StageBytes extends SparkListener {
        private final Map<Integer, String> names = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<String, long[]> byName = new TreeMap<>();

        @Override
        public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskMetrics() == null) return;
            long[] b = byName.computeIfAbsent(kindOf(end.stageId()), x -> new long[5]);
            b[2] += end.taskMetrics().shuffleWriteMetrics().bytesWritten();
            b[3] += end.taskMetrics().resultSize();
            b[4] = Math.max(b[4], end.taskMetrics().resultSize());
        }

        @Override
        public synchronized void onStageCompleted(SparkListenerStageCompleted done) {
            org.apache.spark.scheduler.StageInfo info = done.stageInfo();
            String name = info.name();
            int at = name.indexOf(" at ");
            names.put(info.stageId(), at > 0 ? name.substring(0, at) : name);
            long[] b = byName.computeIfAbsent(kindOf(info.stageId()), x -> new long[5]);
            b[0]++;
            if (info.submissionTime().isDefined() && info.completionTime().isDefined()) {
                b[1] += (Long) info.completionTime().get() - (Long) info.submissionTime().get();
            }
        }

        @Override
        public void onStageSubmitted(org.apache.spark.scheduler.SparkListenerStageSubmitted submitted) {
            String name = submitted.stageInfo().name();
            int at = name.indexOf(" at ");
            names.put(submitted.stageInfo().stageId(), at > 0 ? name.substring(0, at) : name);
        }

        private String kindOf(int stageId) { return names.getOrDefault(stageId, "stage"); }

        synchronized Map<String, long[]> byName() { return new TreeMap<>(byName); }
    }
}
