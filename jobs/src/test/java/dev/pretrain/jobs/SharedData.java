package dev.pretrain.jobs;

import java.io.IOException;
import java.nio.file.Path;

/** The shared real corpora (../shared/data), and slices of them for fast end-to-end tests. */
public final class SharedData {
    public static final Path DATA = Path.of(System.getProperty("shared.dir", "../shared")).resolve("data");

    private SharedData() {}

    public static Path corpus(String name) {
        return DATA.resolve("corpora").resolve(name);
    }

    /** Copies the first {@code lines} lines of a (possibly gzipped) file, gzipping the copy if {@code gzip}. */
    public static Path head(Path src, Path dst, int lines, boolean gzip) throws IOException {
        return IngestLanding.slice(src, dst, 0, lines, false, gzip);
    }
}
