package dev.pretrain.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.apache.spark.ExceptionFailure;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.Success$;
import org.apache.spark.TaskEndReason;
import org.apache.spark.TaskKilled;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.scheduler.TaskInfo;
import org.apache.spark.scheduler.TaskLocality;
import org.junit.jupiter.api.Test;

import scala.Option;

/** The counting of {@link TaskFailureCounter} on synthetic listener events, without a cluster. */
class TaskFailureCounterTest {
    private static long nextTaskId;

    private static <T> scala.collection.immutable.List<T> none() {
        return scala.collection.immutable.List$.MODULE$.empty();
    }

    private static SparkListenerTaskEnd taskEnd(int partition, int attempt, TaskEndReason reason) {
        TaskInfo info = new TaskInfo(nextTaskId++, partition, attempt, partition, 0L, "1", "127.0.0.1",
                TaskLocality.PROCESS_LOCAL(), false);
        return new SparkListenerTaskEnd(0, 0, "ResultTask", reason, info, null, null);
    }

    private static SparkListenerStageSubmitted stage(int attempt) {
        StageInfo info = new StageInfo(3, attempt, "map at X.java:1", 4, none(), none(), "", null,
                none(), Option.empty(), 0, false, 0);
        return new SparkListenerStageSubmitted(info, null);
    }

    private static ExecutorLostFailure executorLost() {
        return new ExecutorLostFailure("1", true, Option.apply("Command exited with code 137"));
    }

    @Test
    void anExecutorLostMidStageCountsItsFailedTasksTheirRetriesAndTheExecutor() {
        TaskFailureCounter c = new TaskFailureCounter();
        // 4 partitions: 0 and 1 succeed, 2 and 3 were running on executor 1 when it died
        c.onStageSubmitted(stage(0));
        c.onTaskEnd(taskEnd(0, 0, Success$.MODULE$));
        c.onTaskEnd(taskEnd(1, 0, Success$.MODULE$));
        c.onTaskEnd(taskEnd(2, 0, executorLost()));
        c.onTaskEnd(taskEnd(3, 0, executorLost()));
        c.onExecutorRemoved(new SparkListenerExecutorRemoved(0L, "1", "Worker shutting down / exit 137"));
        // the retries succeed on the other executor; the shuffle map stage that lost its outputs is re-run
        c.onTaskEnd(taskEnd(2, 1, Success$.MODULE$));
        c.onTaskEnd(taskEnd(3, 1, Success$.MODULE$));
        c.onStageSubmitted(stage(1));
        assertEquals(new TaskFailureCounter.Counts(2, 2, 1, 1), c.snapshot());
    }

    @Test
    void killedAttemptsAreNoFailuresAndAFailedRetryCountsTwice() {
        TaskFailureCounter c = new TaskFailureCounter();
        // a copy killed because another attempt of its task won: no failure
        c.onTaskEnd(taskEnd(0, 0, new TaskKilled("another attempt succeeded", none(), none(),
                none())));
        ExceptionFailure boom = new ExceptionFailure("java.io.IOException", "disk full", new StackTraceElement[0],
                "", Option.empty(), none(), none(), none());
        c.onTaskEnd(taskEnd(1, 0, boom));
        c.onTaskEnd(taskEnd(1, 1, boom)); // its retry failed too
        c.onTaskEnd(taskEnd(1, 2, Success$.MODULE$));
        assertEquals(new TaskFailureCounter.Counts(2, 2, 0, 0), c.snapshot());
    }

    @Test
    void aStageGetsTheDifferenceOfTwoSnapshots() {
        TaskFailureCounter c = new TaskFailureCounter();
        c.onTaskEnd(taskEnd(0, 0, executorLost()));
        c.onExecutorRemoved(new SparkListenerExecutorRemoved(0L, "1", "lost"));
        TaskFailureCounter.Counts before = c.snapshot();
        c.onTaskEnd(taskEnd(0, 1, Success$.MODULE$));
        c.onTaskEnd(taskEnd(1, 0, executorLost()));
        Map<String, Object> section = c.snapshot().minus(before).toReport();
        assertEquals(Map.of("failed", 1L, "retried", 1L, "executors_lost", 0L, "stages_resubmitted", 0L), section);
    }
}
