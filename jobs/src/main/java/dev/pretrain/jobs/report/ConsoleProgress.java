package dev.pretrain.jobs.report;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.scheduler.TaskInfo;

/**
 * Progress of long Spark stages on the console: one line per running stage at most every
 * {@code interval} seconds, e.g.
 * {@code [progress] stage 12 (treeAggregate at Word2VecStage.java:114): 3/8 tasks, 41 s elapsed, ETA 1 min 22 s},
 * and a closing line when a stage that printed progress completes. Stages shorter than the interval
 * print nothing. The ETA assumes the remaining tasks take as long on average as the finished ones
 * (elapsed × remaining / done); it is "?" until a task has finished.
 *
 * <p>A {@link SparkListener}: events arrive on Spark's listener-bus thread, so printing never
 * slows a task. Install with {@link #install(SparkContext)}; the interval comes from the system
 * property {@code pretrain.progress.seconds} or the environment variable
 * {@code PRETRAIN_PROGRESS_SECONDS} (default 5; 0 turns progress off).
 */
public final class ConsoleProgress extends SparkListener {
    /** Default seconds between progress lines. */
    public static final double DEFAULT_INTERVAL_SECONDS = 5;

    private final PrintStream out;
    private final long intervalNanos;
    private final Map<Integer, Stage> running = new ConcurrentHashMap<>();
    private long lastPrintNanos;

    private static final class Stage {
        final String name;
        final int total;
        final long startNanos = System.nanoTime();
        /** Partitions with a successful attempt: a second success (speculation, a resubmitted stage) adds none. */
        final java.util.BitSet succeeded = new java.util.BitSet();
        int done;
        int failed;
        boolean printed;

        Stage(String name, int total) {
            this.name = name;
            this.total = total;
        }
    }

    /**
     * @param out             where lines go (the pipeline uses {@code System.err})
     * @param intervalSeconds least time between two lines, and least age of a stage before it is shown
     */
    public ConsoleProgress(PrintStream out, double intervalSeconds) {
        if (!(intervalSeconds >= 0)) {
            throw new IllegalArgumentException("progress interval must be >= 0 seconds: " + intervalSeconds);
        }
        this.out = out;
        this.intervalNanos = (long) (intervalSeconds * 1e9);
        this.lastPrintNanos = System.nanoTime() - intervalNanos;
    }

    /**
     * Adds a progress listener printing to stderr to {@code sc}; returns it (for
     * {@code sc.removeSparkListener}), or null when progress is turned off (interval 0).
     */
    public static ConsoleProgress install(SparkContext sc) {
        String v = System.getProperty("pretrain.progress.seconds", System.getenv("PRETRAIN_PROGRESS_SECONDS"));
        double seconds = DEFAULT_INTERVAL_SECONDS;
        if (v != null && !v.isBlank()) {
            try {
                seconds = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("PRETRAIN_PROGRESS_SECONDS / pretrain.progress.seconds is not a "
                        + "number of seconds: '" + v + "'", e);
            }
        }
        if (seconds == 0) {
            return null;
        }
        ConsoleProgress p = new ConsoleProgress(System.err, seconds);
        sc.addSparkListener(p);
        return p;
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted event) {
        StageInfo info = event.stageInfo();
        running.put(info.stageId(), new Stage(info.name(), info.numTasks()));
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd event) {
        Stage s = running.get(event.stageId());
        if (s == null) {
            return;
        }
        long now = System.nanoTime();
        synchronized (this) {
            TaskInfo t = event.taskInfo();
            if (t != null && t.successful()) {
                int partition = t.index();
                if (!s.succeeded.get(partition)) {
                    s.succeeded.set(partition);
                    s.done++;
                }
            } else if (t == null || !t.killed()) {
                s.failed++; // a killed attempt (the other copy of a speculative task won) is no failure
            }
            if (now - s.startNanos >= intervalNanos && now - lastPrintNanos >= intervalNanos) {
                print(event.stageId(), s, now, false);
            }
        }
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted event) {
        StageInfo info = event.stageInfo();
        Stage s = running.remove(info.stageId());
        if (s != null && s.printed) {
            synchronized (this) {
                print(info.stageId(), s, System.nanoTime(), true);
            }
        }
    }

    private void print(int stageId, Stage s, long now, boolean completed) {
        double elapsed = (now - s.startNanos) / 1e9;
        out.println(completed ? finished(stageId, s.name, s.done, s.total, elapsed)
                : line(stageId, s.name, s.done, s.total, s.failed, elapsed));
        s.printed = true;
        lastPrintNanos = now;
    }

    /** A progress line: tasks done of total, elapsed time and the ETA. */
    public static String line(int stageId, String name, int done, int total, int failed, double elapsedSeconds) {
        String eta = done > 0 ? duration(elapsedSeconds * (total - done) / done) : "?";
        return String.format(Locale.ROOT, "[progress] stage %d (%s): %d/%d tasks%s, %s elapsed, ETA %s",
                stageId, name, done, total, failed > 0 ? " (" + failed + " failed attempts)" : "",
                duration(elapsedSeconds), eta);
    }

    /** The closing line of a stage that showed progress. */
    public static String finished(int stageId, String name, int done, int total, double elapsedSeconds) {
        return String.format(Locale.ROOT, "[progress] stage %d (%s): done, %d/%d tasks in %s",
                stageId, name, done, total, duration(elapsedSeconds));
    }

    /** "42 s", "3 min 05 s", "1 h 02 min". */
    public static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }
}
