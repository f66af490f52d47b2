package dev.pretrain.model.natives;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Chooses the ND4J native build for the test JVM before any test class is loaded (registered in
 * {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}), as the CLI does for the driver and
 * {@code Nd4jNativePlugin} for executors: without it JavaCPP would load the AVX-512 build on a CPU without AVX-512.
 */
public final class SelectNativesListener implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        System.err.println("test JVM: " + Nd4jNatives.select().describe());
    }
}
