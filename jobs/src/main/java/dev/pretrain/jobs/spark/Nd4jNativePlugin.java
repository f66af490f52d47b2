package dev.pretrain.jobs.spark;

import dev.pretrain.model.natives.Nd4jNatives;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * Spark plugin ({@code spark.plugins}) that runs {@link Nd4jNatives#select()} when the driver and each executor start,
 * before any task can load ND4J: every JVM of the application loads the ND4J native build its own CPU runs (a cluster
 * whose executors are older machines than the driver gets the generic or AVX2 build there). Each JVM logs its choice
 * ({@code nd4j_natives=linux-x86_64-avx2 (auto ...); cpu_flags=...}). {@link SparkSessions} adds it to
 * {@code spark.plugins} beside the plugins the cluster already names, also under {@code spark-submit}.
 */
public final class Nd4jNativePlugin implements SparkPlugin {
    @Override
    public DriverPlugin driverPlugin() {
        return new DriverPlugin() {
            @Override
            public Map<String, String> init(SparkContext sc, PluginContext ctx) {
                Nd4jNatives.select();
                return Map.of();
            }
        };
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new ExecutorPlugin() {
            @Override
            public void init(PluginContext ctx, Map<String, String> extraConf) {
                Nd4jNatives.select();
            }
        };
    }
}
