package dev.pretrain.jobs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** The shared real corpora (../shared/data), and slices of them for fast end-to-end tests. */
final class SharedData {
    static final Path DATA = Path.of(System.getProperty("shared.dir", "../shared")).resolve("data");

    private SharedData() {}

    static Path corpus(String name) {
        return DATA.resolve("corpora").resolve(name);
    }

    /** Copies the first {@code lines} lines of a (possibly gzipped) file, gzipping the copy if {@code gzip}. */
    static Path head(Path src, Path dst, int lines, boolean gzip) throws IOException {
        try (InputStream raw = Files.newInputStream(src);
             InputStream in = src.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
             OutputStream rawOut = Files.newOutputStream(dst);
             OutputStream out = gzip ? new GZIPOutputStream(rawOut) : rawOut;
             Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            String line;
            for (int i = 0; i < lines && (line = r.readLine()) != null; i++) {
                w.write(line);
                w.write('\n');
            }
        }
        return dst;
    }
}
