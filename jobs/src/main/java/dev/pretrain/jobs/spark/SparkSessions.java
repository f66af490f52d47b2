package dev.pretrain.jobs.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Creates the Spark session of a job. Under {@code spark-submit} the master and every setting come
 * from the submit command and {@code spark-defaults.conf}; run directly (bin/pretrain, tests) the
 * job defaults to local mode with one task slot per core ({@code local[N]}).
 *
 * <p>Kryo with {@link PretrainKryoRegistrator} (ND4J's serializers among others) is set unless the user chose a
 * serializer: DL4J's parameter averaging ships INDArrays between driver and workers. {@link Nd4jNativePlugin} is added to
 * {@code spark.plugins} (beside any the user set), so that every executor loads the ND4J native build its CPU runs.
 */
public final class SparkSessions {
    /** Default local master: two task slots, this project's reference machine has two cores. */
    public static final String DEFAULT_LOCAL_MASTER = "local[2]";

    private SparkSessions() {}

    /**
     * @param appName application name shown in the Spark UI
     * @param master  master URL to use when none is configured (null: {@link #DEFAULT_LOCAL_MASTER})
     */
    public static SparkSession getOrCreate(String appName, String master) {
        SparkConf conf = new SparkConf(true);
        if (!conf.contains("spark.master")) {
            conf.setMaster(master == null ? DEFAULT_LOCAL_MASTER : master);
        }
        conf.setIfMissing("spark.app.name", appName);
        conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        conf.setIfMissing("spark.kryo.registrator", PretrainKryoRegistrator.class.getName());
        conf.setIfMissing("spark.kryoserializer.buffer.max", "1g");
        conf.set("spark.plugins", withPlugin(conf.get("spark.plugins", ""), Nd4jNativePlugin.class.getName()));
        // DL4J's training stats call an NTP time source by default; there is no network on workers.
        System.setProperty("org.deeplearning4j.spark.time.TimeSource",
                "org.deeplearning4j.spark.time.SystemClockTimeSource");
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.sql.shuffle.partitions", "8");
            conf.setIfMissing("spark.ui.enabled", "false");
            conf.setIfMissing("spark.sql.adaptive.enabled", "true");
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /** {@code plugins} (Spark's comma-separated {@code spark.plugins}) with {@code plugin} added once. */
    static String withPlugin(String plugins, String plugin) {
        for (String p : plugins.split(",")) {
            if (p.trim().equals(plugin)) {
                return plugins;
            }
        }
        return plugins.isBlank() ? plugin : plugins + "," + plugin;
    }
}
