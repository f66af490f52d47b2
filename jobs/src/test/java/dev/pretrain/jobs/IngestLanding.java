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
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Slices of the shared corpora for landing-folder tests, and a comparable form of ingest output. */
public final class IngestLanding {
    private IngestLanding() {}

    /**
     * Copies lines [from, to) (0-based, header excluded) of a (possibly gzipped) text file; with
     * {@code header} the file's first line is copied first and not counted.
     */
    public static Path slice(Path src, Path dst, int from, int to, boolean header, boolean gzip) throws IOException {
        Files.createDirectories(dst.getParent());
        try (InputStream raw = Files.newInputStream(src);
             InputStream in = src.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
             OutputStream rawOut = Files.newOutputStream(dst);
             OutputStream out = gzip ? new GZIPOutputStream(rawOut) : rawOut;
             Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            if (header) {
                w.write(r.readLine());
                w.write('\n');
            }
            String line;
            for (int i = 0; i < to && (line = r.readLine()) != null; i++) {
                if (i >= from) {
                    w.write(line);
                    w.write('\n');
                }
            }
        }
        return dst;
    }

    /** Every document as {@code doc_id TAB sentence US sentence ...}, sorted: what two ingests must agree on. */
    public static List<String> docs(Dataset<Row> shards) {
        List<String> out = new ArrayList<>();
        for (Row r : shards.select("doc_id", "sentences").collectAsList()) {
            out.add(r.getString(0) + "\t" + String.join("\u001f", r.<String>getList(1)));
        }
        out.sort(String::compareTo);
        return out;
    }
}
