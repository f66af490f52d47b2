package dev.pretrain.model.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class Nd4jNativesTest {
    /** /proc/cpuinfo flags of the machines the project has run on (abridged to what matters, as the kernel lists them). */
    static final CpuFlags SAPPHIRE_RAPIDS = CpuFlags.of("fpu sse sse2 ssse3 sse4_1 sse4_2 popcnt avx f16c fma avx2 bmi1 bmi2 "
            + "abm avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16 amx_bf16", "Xeon Sapphire Rapids");
    static final CpuFlags ZEN3_AVX2_ONLY = CpuFlags.of("fpu sse sse2 ssse3 sse4_1 sse4_2 popcnt avx f16c fma avx2 bmi1 "
            + "bmi2 abm sha_ni vaes", "AMD EPYC Zen 3");
    static final CpuFlags PLAIN_X86_64 = CpuFlags.of("fpu sse sse2 lm", "x86-64 baseline");
    /** AVX-512 F/CD only (Knights Landing style): not enough for the -avx512 build (needs BW, DQ, VL). */
    static final CpuFlags AVX512F_ONLY = CpuFlags.of("sse2 avx f16c fma avx2 bmi1 bmi2 abm avx512f avx512cd", "KNL");
    static final Set<Nd4jNativeBuild> ALL = EnumSet.allOf(Nd4jNativeBuild.class);

    @Test
    void autoPicksTheFastestBuildTheCpuRuns() {
        assertEquals(Nd4jNativeBuild.AVX512, Nd4jNatives.decide(SAPPHIRE_RAPIDS, ALL, "auto", null).build());
        assertEquals(Nd4jNativeBuild.AVX2, Nd4jNatives.decide(ZEN3_AVX2_ONLY, ALL, "auto", null).build());
        assertEquals(Nd4jNativeBuild.GENERIC, Nd4jNatives.decide(PLAIN_X86_64, ALL, "auto", null).build());
        assertEquals(Nd4jNativeBuild.AVX2, Nd4jNatives.decide(AVX512F_ONLY, ALL, null, null).build());
        assertEquals(Nd4jNativeBuild.GENERIC, Nd4jNatives.decide(new CpuFlags(Set.of(), "unreadable"), ALL, "", null).build());
    }

    @Test
    void autoPicksOnlyAmongTheShippedBuilds() {
        Set<Nd4jNativeBuild> genericAndAvx512 = EnumSet.of(Nd4jNativeBuild.GENERIC, Nd4jNativeBuild.AVX512);
        assertEquals(Nd4jNativeBuild.GENERIC, Nd4jNatives.decide(ZEN3_AVX2_ONLY, genericAndAvx512, "auto", null).build());
        assertEquals(Nd4jNativeBuild.AVX512, Nd4jNatives.decide(SAPPHIRE_RAPIDS, genericAndAvx512, "auto", null).build());
        assertEquals(Nd4jNativeBuild.GENERIC,
                Nd4jNatives.decide(SAPPHIRE_RAPIDS, EnumSet.of(Nd4jNativeBuild.GENERIC), "auto", null).build());
    }

    @Test
    void forcedBuildsAreCheckedAgainstTheCpuAndTheClasspath() {
        assertEquals(Nd4jNativeBuild.GENERIC, Nd4jNatives.decide(SAPPHIRE_RAPIDS, ALL, "generic", null).build());
        assertEquals(Nd4jNativeBuild.AVX2, Nd4jNatives.decide(SAPPHIRE_RAPIDS, ALL, "AVX2", null).build());
        IllegalStateException cpu = assertThrows(IllegalStateException.class,
                () -> Nd4jNatives.decide(ZEN3_AVX2_ONLY, ALL, "avx512", null));
        assertTrue(cpu.getMessage().contains("avx512bw") && cpu.getMessage().contains("AMD EPYC Zen 3"), cpu.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> Nd4jNatives.decide(SAPPHIRE_RAPIDS, EnumSet.of(Nd4jNativeBuild.GENERIC), "avx2", null));
        assertTrue(missing.getMessage().contains("linux-x86_64-avx2"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Nd4jNatives.decide(SAPPHIRE_RAPIDS, ALL, "sse9", null));
    }

    @Test
    void anExplicitJavacppExtensionOrANonCpuBackendIsLeftAlone() {
        Nd4jNatives.Selection user = Nd4jNatives.decide(PLAIN_X86_64, ALL, "auto", "-avx2");
        assertEquals(Nd4jNativeBuild.AVX2, user.build());
        assertTrue(user.reason().startsWith("set by the user"), user.reason());
        assertNull(Nd4jNatives.decide(SAPPHIRE_RAPIDS, Set.of(), "auto", null).build());
    }

    @Test
    void cpuinfoFlagsAreThoseEveryProcessorHas() {
        String cpuinfo = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma f16c avx512f\n\n"
                + "processor\t: 1\nflags\t\t: fpu sse2 avx avx2 fma f16c\n";
        CpuFlags f = CpuFlags.parseCpuinfo(cpuinfo, "two cores");
        assertEquals(Set.of("fpu", "sse2", "avx", "avx2", "fma", "f16c"), f.flags());
        assertEquals("avx2 fma", f.summary("avx2", "avx512f", "fma"));
    }

    @Test
    void everyBuildIsShippedOnTheTestClasspath() {
        assertEquals(ALL, Nd4jNatives.shipped(getClass().getClassLoader()));
    }

    /**
     * The generic build really runs while the AVX-512 (and AVX2) jars are on the classpath: a child JVM forced to
     * {@code generic} maps the library from the {@code linux-x86_64} folder and computes the same numbers as one on the
     * build chosen for this CPU.
     */
    @Test
    void aChildJvmRunsOnTheGenericBuildWithTheAvx512JarOnTheClasspath() throws Exception {
        String generic = probe(List.of("-Dpretrain.nd4j.build=generic"), "select");
        assertTrue(generic.startsWith("loaded=linux-x86_64 "), generic);
        Nd4jNativeBuild best = Nd4jNativeBuild.best(CpuFlags.ofThisMachine(), ALL);
        String auto = probe(List.of(), "select");
        assertTrue(auto.startsWith("loaded=" + best.platformDir() + " "), auto + " (expected " + best + ")");
        assertEquals(generic.substring(generic.indexOf(' ')), auto.substring(auto.indexOf(' ')), "same results");
    }

    /**
     * Why selection is needed: without it JavaCPP itself goes for the AVX-512 build whenever its jar is on the
     * classpath: on this CPU it loads it (AVX-512 machines) or the JVM dies (the SIGILL seen on AVX2-only EPYCs).
     */
    @Test
    void withoutSelectionJavacppLoadsTheAvx512Build() throws Exception {
        Process p = start(List.of(), "");
        String out = output(p);
        if (Nd4jNativeBuild.AVX512.runsOn(CpuFlags.ofThisMachine())) {
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("loaded=linux-x86_64-avx512 "), out);
        } else {
            assertTrue(p.exitValue() != 0, "expected the unselected AVX-512 build to crash here: " + out);
        }
    }

    private static String probe(List<String> jvmArgs, String arg) throws Exception {
        Process p = start(jvmArgs, arg);
        String out = output(p);
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> l.startsWith("loaded=")).findFirst().orElseThrow(() -> new AssertionError(out));
    }

    private static Process start(List<String> jvmArgs, String arg) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Nd4jProbe.class.getName());
        cmd.add(arg);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb.start();
    }

    private static String output(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        return out;
    }
}
