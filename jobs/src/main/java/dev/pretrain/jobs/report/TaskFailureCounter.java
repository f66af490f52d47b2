package dev.pretrain.jobs.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.spark.SparkContext;
import org.apache.spark.Success$;
import org.apache.spark.TaskKilled;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;

/**
 * Counts what Spark's fault tolerance did while a stage ran, for the stage report's {@code tasks} section:
 * {@code {failed, retried, executors_lost, stages_resubmitted}}.
 *
 * <ul>
 *   <li>{@code failed}: task attempts that ended with a failure reason ({@code ExecutorLostFailure} when the
 *       executor died, {@code FetchFailed}, an exception, ...); an attempt killed on purpose ({@code TaskKilled}:
 *       the other copy of a speculative task won, or a job was cancelled) is not counted;</li>
 *   <li>{@code retried}: task attempts with {@code attemptNumber > 0} that ended (a re-run of a task after its
 *       earlier attempt failed, whatever this one's outcome);</li>
 *   <li>{@code executors_lost}: {@code SparkListenerExecutorRemoved} events (an executor that died or was
 *       removed; a standalone Worker then starts a replacement);</li>
 *   <li>{@code stages_resubmitted}: stage attempts with {@code attemptNumber > 0} (a shuffle map stage re-run
 *       because the map outputs of a lost executor were needed again).</li>
 * </ul>
 *
 * <p>A {@link SparkListener}: events arrive on Spark's listener-bus thread, asynchronously. A stage's counts are
 * the difference of two {@link #snapshot}s around it, taken after {@link #drain} so that the events of its last jobs
 * have been delivered. Stages run one after another in a run, so the difference belongs to that stage.
 */
public final class TaskFailureCounter extends SparkListener {
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong executorsLost = new AtomicLong();
    private final AtomicLong stagesResubmitted = new AtomicLong();

    /** Counts at one moment. */
    public record Counts(long failed, long retried, long executorsLost, long stagesResubmitted) {
        /** The counts since {@code before}. */
        public Counts minus(Counts before) {
            return new Counts(failed - before.failed, retried - before.retried,
                    executorsLost - before.executorsLost, stagesResubmitted - before.stagesResubmitted);
        }

        /** The report section: {@code failed}, {@code retried}, {@code executors_lost}, {@code stages_resubmitted}. */
        public Map<String, Object> toReport() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("failed", failed);
            m.put("retried", retried);
            m.put("executors_lost", executorsLost);
            m.put("stages_resubmitted", stagesResubmitted);
            return m;
        }
    }

    /** Adds a counter to {@code sc}'s listeners; returns it (remove it with {@code sc.removeSparkListener}). */
    public static TaskFailureCounter install(SparkContext sc) {
        TaskFailureCounter c = new TaskFailureCounter();
        sc.addSparkListener(c);
        return c;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd event) {
        TaskInfo t = event.taskInfo();
        if (t != null && t.attemptNumber() > 0) {
            retried.incrementAndGet();
        }
        Object reason = event.reason();
        if (reason != Success$.MODULE$ && !(reason instanceof TaskKilled)) {
            failed.incrementAndGet();
        }
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved event) {
        executorsLost.incrementAndGet();
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted event) {
        if (event.stageInfo().attemptNumber() > 0) {
            stagesResubmitted.incrementAndGet();
        }
    }

    /** The counts so far. */
    public Counts snapshot() {
        return new Counts(failed.get(), retried.get(), executorsLost.get(), stagesResubmitted.get());
    }

    /**
     * Waits (at most {@code timeoutMillis}) until Spark's listener bus has delivered the events posted so far, so that
     * a {@link #snapshot} after a stage's jobs includes their task ends. Returns false on timeout (the counts may then
     * miss the last events).
     */
    public static boolean drain(SparkContext sc, long timeoutMillis) {
        try {
            sc.listenerBus().waitUntilEmpty(timeoutMillis);
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }
}
