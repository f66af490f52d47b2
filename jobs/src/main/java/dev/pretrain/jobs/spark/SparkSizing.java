package dev.pretrain.jobs.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.SparkConf;
import org.apache.spark.network.util.JavaUtils;

import dev.pretrain.model.bert.BertConfig;

/**
 * Spark settings that BERT training with DL4J parameter averaging needs, sized from the model. With P =
 * {@link BertConfig#parameterCount()} float32 parameters:
 * <ul>
 *   <li>parameters: 4P bytes; Adam's updater state (first and second moments): 2 x 4P bytes;</li>
 *   <li>each worker's result of an averaging round ships parameters + updater state, R = 12P bytes, serialised by
 *       Kryo in one buffer: {@code spark.kryoserializer.buffer.max} &ge; R + {@value #KRYO_MARGIN_MIB} MiB. Kryo
 *       cannot exceed {@value #KRYO_LIMIT_MIB} MiB, so a model with R beyond that cannot be trained this way
 *       (BERT-large: refused);</li>
 *   <li>the driver collects every worker's result: {@code spark.driver.maxResultSize} &ge; workers x R +
 *       {@value #RESULT_MARGIN_MIB} MiB;</li>
 *   <li>each training task holds parameters, gradients and updater state off-heap (ND4J), 16P bytes, plus its
 *       serialised result R: {@code spark.executor.memoryOverhead} &ge; tasks per executor x 28P +
 *       {@value #OVERHEAD_MARGIN_MIB} MiB (activations come on top and grow with batch size and sequence length).</li>
 * </ul>
 * Sizes are MiB, rounded up. Examples (vocab 30522, sequence 128, 2 workers, 4 tasks per executor): BERT-tiny
 * P = 8.29M: buffer 159m, maxResultSize 446m, overhead 1912m; BERT-mini P = 18.98M: 282m, 692m, 3052m; BERT-base
 * P = 133.25M: 1589m, 3306m, 15260m; BERT-large (P = 367M, R = 4201 MiB) is refused. {@code cluster-conf}'s 1g
 * buffer covers R &le; 960 MiB, i.e. P &le; 83.9M: tiny, mini, small and medium at vocab 30522, not base.
 */
public final class SparkSizing {
    /** Kryo's largest buffer ({@code spark.kryoserializer.buffer.max} must be below 2048m). */
    public static final long KRYO_LIMIT_MIB = 2047;
    static final long KRYO_MARGIN_MIB = 64;
    static final long RESULT_MARGIN_MIB = 256;
    static final long OVERHEAD_MARGIN_MIB = 1024;
    private static final long MIB = 1L << 20;

    /** Recommended settings in MiB; {@code resultBytes} = 12P, one worker's averaging result. */
    public record Sizes(long parameters, long resultBytes, long kryoBufferMaxMiB, long driverMaxResultSizeMiB,
                        long executorMemoryOverheadMiB) {
        /** The settings as Spark keys and values ({@code "287m"}). */
        public Map<String, String> asConf() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("spark.kryoserializer.buffer.max", kryoBufferMaxMiB + "m");
            m.put("spark.driver.maxResultSize", driverMaxResultSizeMiB + "m");
            m.put("spark.executor.memoryOverhead", executorMemoryOverheadMiB + "m");
            return m;
        }
    }

    private SparkSizing() {}

    /**
     * @param config          the model
     * @param workers         parallel training workers (results the driver collects per round), &ge; 1
     * @param tasksPerExecutor concurrent training tasks on one executor ({@code spark.executor.cores /
     *                         spark.task.cpus}), &ge; 1
     * @throws IllegalArgumentException if the Kryo buffer would exceed {@value #KRYO_LIMIT_MIB} MiB (naming the
     *                                  parameter count and the needed size) or a count is below 1
     */
    public static Sizes forBert(BertConfig config, int workers, int tasksPerExecutor) {
        if (workers < 1 || tasksPerExecutor < 1) {
            throw new IllegalArgumentException("SparkSizing: workers (" + workers + ") and tasks per executor ("
                    + tasksPerExecutor + ") must be >= 1");
        }
        long p = config.parameterCount();
        long result = 12 * p;
        long kryo = mib(result) + KRYO_MARGIN_MIB;
        if (kryo > KRYO_LIMIT_MIB) {
            throw new IllegalArgumentException("SparkSizing: a model of " + p + " parameters ships " + mib(result)
                    + " MiB (parameters + Adam state) per worker and needs spark.kryoserializer.buffer.max " + kryo
                    + "m, beyond Kryo's " + KRYO_LIMIT_MIB + "m limit: parameter averaging cannot train it");
        }
        return new Sizes(p, result, kryo, workers * mib(result) + RESULT_MARGIN_MIB,
                tasksPerExecutor * mib(28 * p) + OVERHEAD_MARGIN_MIB);
    }

    /**
     * The settings of {@code conf} below {@code sizes}, one line each ({@code key: set V (now W)}); empty when all
     * suffice. Unset keys count as Spark's defaults (buffer.max 64m, maxResultSize 1g; memoryOverhead is only
     * checked when set); {@code spark.driver.maxResultSize} 0 means unlimited.
     */
    public static List<String> tooSmall(SparkConf conf, Sizes sizes) {
        List<String> out = new ArrayList<>();
        check(out, conf, "spark.kryoserializer.buffer.max", "64m", sizes.kryoBufferMaxMiB());
        if (conf.getSizeAsBytes("spark.driver.maxResultSize", "1g") != 0) {
            check(out, conf, "spark.driver.maxResultSize", "1g", sizes.driverMaxResultSizeMiB());
        }
        if (conf.contains("spark.executor.memoryOverhead")) {
            check(out, conf, "spark.executor.memoryOverhead", null, sizes.executorMemoryOverheadMiB());
        }
        return out;
    }

    private static void check(List<String> out, SparkConf conf, String key, String dflt, long neededMiB) {
        String now = dflt == null ? conf.get(key) : conf.get(key, dflt);
        if (JavaUtils.byteStringAsMb(now) < neededMiB) {
            out.add(key + ": set " + neededMiB + "m (now " + now + ")");
        }
    }

    private static long mib(long bytes) {
        return (bytes + MIB - 1) / MIB;
    }
}
