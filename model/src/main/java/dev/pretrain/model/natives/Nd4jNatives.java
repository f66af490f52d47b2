package dev.pretrain.model.natives;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses, for the JVM it runs in, which shipped build of ND4J's CPU natives JavaCPP loads: the fastest the CPU can
 * run ({@link Nd4jNativeBuild#best}). It must run before anything touches ND4J in that JVM: the CLI's {@code main}
 * (driver), {@code Nd4jNativePlugin} (every Spark executor, so a cluster whose executors differ from the driver gets
 * each machine's own choice), the test suites' launcher listener and the benchmark mains call it first.
 *
 * <p>Why it is needed: with no {@code org.bytedeco.javacpp.platform.extension} property, JavaCPP 1.5.7 tries every
 * extension the ND4J presets declare before the generic build, {@code -avx512} among the first, and loads the first
 * whose library is on the classpath; on a CPU without AVX-512 that library dies with SIGILL in its static
 * initializers. This class always sets the property, to the chosen build's extension ({@code ""} for generic, which
 * makes JavaCPP skip every extension).
 *
 * <p>Overrides: {@code -Dpretrain.nd4j.build=generic|avx2|avx512|auto} (default auto; or the environment variable
 * {@code PRETRAIN_ND4J_BUILD}) forces a build (an error if it is not shipped or this CPU cannot run it); an explicit {@code -Dorg.bytedeco.javacpp.platform.extension} is left as
 * the user set it. With a non-CPU ND4J backend (no CPU natives on the classpath, {@code -Pcuda}) nothing is set.
 */
public final class Nd4jNatives {
    /** JavaCPP's system property that names the platform extension to load. */
    public static final String JAVACPP_EXTENSION = "org.bytedeco.javacpp.platform.extension";
    /** This project's override: {@code auto} (default), {@code generic}, {@code avx2} or {@code avx512}. */
    public static final String BUILD_PROPERTY = "pretrain.nd4j.build";
    /**
     * The same override as an environment variable, read where the property is not set: a machine (a Spark Worker and
     * so its executors) can be pinned to a build by its environment.
     */
    public static final String BUILD_ENV = "PRETRAIN_ND4J_BUILD";

    /** The CPU flags reports quote beside every figure. */
    private static final String[] REPORTED_FLAGS = {"sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw",
            "avx512dq", "avx512vl", "avx512_bf16", "amx_bf16"};
    private static final Logger LOG = LoggerFactory.getLogger(Nd4jNatives.class);
    private static Selection selection;

    private Nd4jNatives() {
    }

    /**
     * The choice made in a JVM.
     *
     * @param build  the build JavaCPP was told to load; null when nothing was set (no CPU natives shipped)
     * @param cpu    this machine's CPU flags
     * @param reason why: {@code auto}, {@code forced by -Dpretrain.nd4j.build}, {@code set by the user} ...
     */
    public record Selection(Nd4jNativeBuild build, CpuFlags cpu, String reason) {
        /** One line for logs and benchmark reports: build, reason, the CPU's relevant flags. */
        public String describe() {
            return "nd4j_natives=" + (build == null ? "none" : build.platformDir()) + " (" + reason + "); cpu_flags="
                    + cpu.summary(REPORTED_FLAGS).replace(' ', ',');
        }
    }

    /**
     * Chooses the build for this JVM and tells JavaCPP (idempotent: later calls return the first choice).
     *
     * @throws IllegalStateException if {@code -Dpretrain.nd4j.build} names a build that is not shipped or that this
     *                               CPU cannot run
     */
    public static synchronized Selection select() {
        if (selection == null) {
            selection = decide(CpuFlags.ofThisMachine(), shipped(Nd4jNatives.class.getClassLoader()),
                    requested(), System.getProperty(JAVACPP_EXTENSION));
            if (selection.build() != null && System.getProperty(JAVACPP_EXTENSION) == null) {
                System.setProperty(JAVACPP_EXTENSION, selection.build().extension());
            }
            LOG.info(selection.describe());
        }
        return selection;
    }

    /**
     * The decision, without side effects.
     *
     * @param cpu             the CPU's flags
     * @param shipped         the builds whose libraries are on the classpath
     * @param requested       {@code auto} or a build name ({@code -Dpretrain.nd4j.build})
     * @param userExtension   a JavaCPP extension the user set, or null
     * @throws IllegalStateException if a forced build is not shipped or the CPU cannot run it
     */
    public static Selection decide(CpuFlags cpu, Set<Nd4jNativeBuild> shipped, String requested, String userExtension) {
        if (shipped.isEmpty()) {
            return new Selection(null, cpu, "no ND4J CPU natives on the classpath: left to the backend");
        }
        if (userExtension != null) {
            Nd4jNativeBuild b = Nd4jNativeBuild.ofPlatformDir(Nd4jNativeBuild.PLATFORM + userExtension);
            return new Selection(b, cpu, "set by the user: -D" + JAVACPP_EXTENSION + "=" + userExtension);
        }
        if (requested == null || requested.isBlank() || requested.trim().equalsIgnoreCase("auto")) {
            Nd4jNativeBuild best = Nd4jNativeBuild.best(cpu, shipped);
            return new Selection(best, cpu, "auto: fastest of " + Nd4jNativeBuild.names(shipped) + " this CPU runs");
        }
        Nd4jNativeBuild forced = Nd4jNativeBuild.parse(requested);
        if (!shipped.contains(forced)) {
            throw new IllegalStateException(BUILD_PROPERTY + "=" + requested + " (-D or $" + BUILD_ENV + "): the "
                    + forced.platformDir() + " ND4J natives are not on the classpath (shipped: "
                    + Nd4jNativeBuild.names(shipped) + ")");
        }
        if (!forced.runsOn(cpu)) {
            Set<String> missing = new java.util.TreeSet<>(forced.requiredFlags());
            missing.removeAll(cpu.flags());
            throw new IllegalStateException(BUILD_PROPERTY + "=" + requested + " (-D or $" + BUILD_ENV
                    + "): this CPU lacks " + missing + " (" + cpu.source() + "), which the " + forced.platformDir()
                    + " natives need");
        }
        return new Selection(forced, cpu, "forced: " + BUILD_PROPERTY + "=" + requested);
    }

    /**
     * Prints this JVM's choice, one line ({@link Selection#describe()}), and the build ND4J then loads; for bench
     * scripts and for a user checking a machine: {@code java -cp jobs-*-all.jar dev.pretrain.model.natives.Nd4jNatives}.
     */
    public static void main(String[] args) {
        Selection s = select();
        org.nd4j.linalg.factory.Nd4j.create(new float[] {1f, 2f}).sumNumber();
        System.out.println(s.describe() + "; loaded=" + loaded().map(Nd4jNativeBuild::platformDir).orElse("unknown"));
    }

    /** {@code -Dpretrain.nd4j.build}, else {@code $PRETRAIN_ND4J_BUILD}, else {@code auto}. */
    private static String requested() {
        String p = System.getProperty(BUILD_PROPERTY);
        if (p != null) {
            return p;
        }
        String env = System.getenv(BUILD_ENV);
        return env == null ? "auto" : env;
    }

    /** The builds whose {@code libjnind4jcpu.so} the class loader can find. */
    public static Set<Nd4jNativeBuild> shipped(ClassLoader loader) {
        Set<Nd4jNativeBuild> out = EnumSet.noneOf(Nd4jNativeBuild.class);
        for (Nd4jNativeBuild b : Nd4jNativeBuild.values()) {
            if (loader.getResource(Nd4jNativeBuild.RESOURCE_DIR + b.platformDir() + "/libjnind4jcpu.so") != null) {
                out.add(b);
            }
        }
        return out;
    }

    /**
     * The build of {@code libnd4jcpu.so} mapped into this process (from {@code /proc/self/maps}: JavaCPP extracts each
     * build into a folder named after it); empty before ND4J has loaded, or off Linux.
     */
    public static Optional<Nd4jNativeBuild> loaded() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return Optional.empty();
        }
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.filter(l -> l.endsWith("/libnd4jcpu.so")).findFirst().map(l -> {
                Path lib = Path.of(l.substring(l.indexOf('/')));
                return Nd4jNativeBuild.ofPlatformDir(lib.getParent().getFileName().toString());
            });
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
