package dev.pretrain.jobs.cli;

import java.util.function.Function;

import org.apache.spark.sql.SparkSession;

import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.report.TaskFailureCounter;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.OutputMarker;
import dev.pretrain.jobs.spark.SparkSessions;
import picocli.CommandLine.Option;

/** Options every stage command shares: where Spark runs, where the stage report goes, whether to overwrite. */
public final class SparkOptions {
    @Option(names = "--master", description = "Spark master when not under spark-submit (default: ${DEFAULT-VALUE}).",
            defaultValue = SparkSessions.DEFAULT_LOCAL_MASTER)
    String master;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Also write the stage report (JSON) to this path (any Hadoop URI).")
    String report;

    @Option(names = "--overwrite",
            description = {"Replace the output even if it exists and was not written by pretrain (it has no "
                    + OutputMarker.FILE + ").",
                    "Without it such a folder is left untouched and the stage exits with code 2."})
    boolean overwrite;

    /** Runs a stage on a session and prints/writes its report. */
    int run(String appName, Function<SparkSession, StageReport> stage) {
        SparkSession spark = SparkSessions.getOrCreate("pretrain " + appName, master);
        try {
            OutputMarker.setOverwrite(spark.sparkContext().hadoopConfiguration(), overwrite);
            TaskFailureCounter tasks = TaskFailureCounter.install(spark.sparkContext());
            StageReport r = stage.apply(spark);
            TaskFailureCounter.drain(spark.sparkContext(), 10_000);
            r.put("tasks", tasks.snapshot().toReport()); // failed/retried tasks and lost executors of this stage
            String json = r.toJson();
            System.out.println(json);
            if (report != null) {
                HadoopFiles.writeString(report, spark.sparkContext().hadoopConfiguration(), json + "\n");
            }
            return 0;
        } finally {
            spark.stop();
        }
    }
}
