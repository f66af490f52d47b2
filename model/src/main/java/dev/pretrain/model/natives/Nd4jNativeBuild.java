package dev.pretrain.model.natives;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The builds of ND4J's CPU natives ({@code libnd4jcpu.so}) this project can load, each a classifier jar of
 * {@code org.nd4j:nd4j-native:1.0.0-M2.1} whose libraries JavaCPP finds under
 * {@code org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64<extension>/}.
 *
 * <p>The instruction sets each build needs were read from the shipped binaries ({@code objdump -d}): the generic build
 * uses SSE2 only; the AVX2 build uses AVX2, FMA and F16C ({@code vcvtph2ps}); the AVX-512 build in addition uses
 * AVX-512 F/VL/BW/DQ ({@code kmovb}, {@code kmovd}, {@code vextracti32x8}, {@code vpternlogd}), BMI1/BMI2
 * ({@code andn}, {@code shlx}, {@code rorx}) and LZCNT, and dies with SIGILL on a CPU without them. The deployed jar
 * holds the generic build only unless built with {@code -Pisa-natives} (the others measured no faster:
 * {@code bench/nd4j-natives.sh}); the test classpath holds all three.
 */
public enum Nd4jNativeBuild {
    /** Baseline x86-64 (SSE2): runs on every x86-64 CPU. */
    GENERIC("", Set.of()),
    /** {@code -avx2}: Haswell / Zen and later. */
    AVX2("-avx2", Set.of("avx", "avx2", "fma", "f16c")),
    /** {@code -avx512}: Skylake-SP / Zen 4 and later. */
    AVX512("-avx512", Set.of("avx", "avx2", "fma", "f16c", "avx512f", "avx512vl", "avx512bw", "avx512dq",
            "bmi1", "bmi2", "abm"));

    /** Where JavaCPP looks for the ND4J CPU libraries of a build: this prefix, the platform, the extension. */
    public static final String RESOURCE_DIR = "org/nd4j/linalg/cpu/nativecpu/bindings/";
    /** The platform of the only natives shipped. */
    public static final String PLATFORM = "linux-x86_64";

    private final String extension;
    private final Set<String> requiredFlags;

    Nd4jNativeBuild(String extension, Set<String> requiredFlags) {
        this.extension = extension;
        this.requiredFlags = requiredFlags;
    }

    /** JavaCPP's platform extension of this build ({@code ""}, {@code -avx2}, {@code -avx512}). */
    public String extension() {
        return extension;
    }

    /** The {@code /proc/cpuinfo} flags this build's code needs. */
    public Set<String> requiredFlags() {
        return requiredFlags;
    }

    /** The folder name of this build's libraries, e.g. {@code linux-x86_64-avx512}. */
    public String platformDir() {
        return PLATFORM + extension;
    }

    /** Whether a CPU with these flags can run this build. */
    public boolean runsOn(CpuFlags cpu) {
        return cpu.hasAll(requiredFlags);
    }

    /** The fastest of {@code shipped} that the CPU can run; {@link #GENERIC} when none of the others can run. */
    public static Nd4jNativeBuild best(CpuFlags cpu, Set<Nd4jNativeBuild> shipped) {
        Nd4jNativeBuild best = GENERIC;
        for (Nd4jNativeBuild b : values()) {   // declared slowest first
            if (shipped.contains(b) && b.runsOn(cpu)) {
                best = b;
            }
        }
        return best;
    }

    /** The build whose library folder is {@code dir} ({@code linux-x86_64-avx2} ...), or null. */
    public static Nd4jNativeBuild ofPlatformDir(String dir) {
        for (Nd4jNativeBuild b : values()) {
            if (b.platformDir().equals(dir)) {
                return b;
            }
        }
        return null;
    }

    /**
     * Parses a build name as given in {@code -Dpretrain.nd4j.build}: {@code generic}, {@code avx2}, {@code avx512}
     * (any case, a leading {@code -} allowed).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Nd4jNativeBuild parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        n = n.startsWith("-") ? n.substring(1) : n;
        return switch (n) {
            case "generic", "", "x86_64", "x86-64" -> GENERIC;
            case "avx2" -> AVX2;
            case "avx512" -> AVX512;
            default -> throw new IllegalArgumentException("unknown ND4J native build '" + name
                    + "': use auto, generic, avx2 or avx512");
        };
    }

    /** The builds in {@code set}, slowest first (for messages). */
    static String names(Set<Nd4jNativeBuild> set) {
        StringBuilder sb = new StringBuilder();
        for (Nd4jNativeBuild b : EnumSet.copyOf(set)) {
            sb.append(sb.length() == 0 ? "" : ", ").append(b.name().toLowerCase(Locale.ROOT));
        }
        return sb.toString();
    }
}
