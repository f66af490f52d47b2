package dev.pretrain.jobs.spark;

import dev.pretrain.model.natives.Nd4jNatives;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** The jobs suite's hook for {@link Nd4jNatives#select()} before any test (the model suite has its own). */
public final class SelectNativesListener implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        System.err.println("test JVM: " + Nd4jNatives.select().describe());
    }
}
