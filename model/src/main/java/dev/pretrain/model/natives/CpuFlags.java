package dev.pretrain.model.natives;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The instruction-set flags of the CPU this JVM runs on, as the Linux kernel reports them in the {@code flags} line of
 * {@code /proc/cpuinfo} (names as the kernel spells them: {@code avx2}, {@code fma}, {@code f16c}, {@code avx512f},
 * {@code avx512bw}, {@code bmi2}, {@code abm} for LZCNT ...). The kernel lists only features it has enabled (an
 * AVX-512 CPU whose OS does not save the ZMM state shows no {@code avx512*} flag), which is the set a native library
 * may use.
 *
 * @param flags the flags, lower case; empty where they could not be read (then only the generic build is safe)
 * @param source where they came from ({@code /proc/cpuinfo}, or a description for flag sets given by tests)
 */
public record CpuFlags(Set<String> flags, String source) {
    /** The kernel's CPU description on Linux. */
    public static final Path PROC_CPUINFO = Path.of("/proc/cpuinfo");

    public CpuFlags {
        flags = Collections.unmodifiableSet(new TreeSet<>(flags));
    }

    /** A flag set given directly (tests, the {@code flags=} override), e.g. {@code of("avx2 fma f16c", "test")}. */
    public static CpuFlags of(String spaceSeparated, String source) {
        TreeSet<String> set = new TreeSet<>();
        for (String f : spaceSeparated.trim().toLowerCase().split("\\s+")) {
            if (!f.isEmpty()) {
                set.add(f);
            }
        }
        return new CpuFlags(set, source);
    }

    /**
     * Reads this machine's flags from {@code /proc/cpuinfo}; where that file does not exist (not Linux) the set is empty.
     *
     * @throws UncheckedIOException if the file exists but cannot be read
     */
    public static CpuFlags ofThisMachine() {
        if (!Files.isReadable(PROC_CPUINFO)) {
            return new CpuFlags(Set.of(), PROC_CPUINFO + " (not readable: no flags)");
        }
        try {
            return parseCpuinfo(Files.readString(PROC_CPUINFO), PROC_CPUINFO.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PROC_CPUINFO, e);
        }
    }

    /**
     * Parses the text of {@code /proc/cpuinfo}: the flags that every processor listed has (the intersection, so a
     * machine whose cores differ is described by what all of them can run).
     */
    public static CpuFlags parseCpuinfo(String cpuinfo, String source) {
        Set<String> common = null;
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.substring(0, colon).trim().equals("flags")) {
                continue;
            }
            Set<String> these = new TreeSet<>(Arrays.asList(line.substring(colon + 1).trim().toLowerCase().split("\\s+")));
            these.remove("");
            if (common == null) {
                common = these;
            } else {
                common.retainAll(these);
            }
        }
        return new CpuFlags(common == null ? Set.of() : common, source);
    }

    public boolean hasAll(Set<String> required) {
        return flags.containsAll(required);
    }

    /** The flags among {@code names} that this CPU has, in the given order, space-separated (for reports). */
    public String summary(String... names) {
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            if (flags.contains(n)) {
                sb.append(sb.length() == 0 ? "" : " ").append(n);
            }
        }
        return sb.length() == 0 ? "(none of " + String.join(" ", names) + ")" : sb.toString();
    }
}
