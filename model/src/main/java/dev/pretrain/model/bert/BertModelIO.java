package dev.pretrain.model.bert;

import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/** Saves and loads BERT graphs as DL4J model zips ({@link ModelSerializer}: configuration JSON, parameters, updater state). */
public final class BertModelIO {
    /** The entries of a model zip written by {@link #save} (ModelSerializer without a normalizer). */
    public static final Set<String> ENTRIES = Set.of("configuration.json", "coefficients.bin", "updaterState.bin",
            "noParams.marker");
    /** Most bytes {@link #load} reads (the largest byte array the JVM allocates). */
    public static final int MAX_BYTES = Integer.MAX_VALUE - 16;

    private BertModelIO() {
    }

    /** Writes the model zip including the Adam updater state; does not close {@code out}. */
    public static void save(ComputationGraph model, OutputStream out) throws IOException {
        ModelSerializer.writeModel(model, new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        }, true);
    }

    /**
     * Reads a model zip written by {@link #save} (updater state restored). The zip may hold only the entries
     * {@link #save} writes ({@link #ENTRIES}): DL4J's loader would read a {@code preprocessor.bin} entry with Java
     * deserialisation, so a zip with any other entry is refused before DL4J sees it. The whole zip is held in memory,
     * as DL4J's loader does.
     *
     * @throws IOException if the stream is larger than {@link #MAX_BYTES}, holds an entry outside {@link #ENTRIES}, or
     *                     is not a readable DL4J ComputationGraph zip (the message says which)
     */
    public static ComputationGraph load(InputStream in) throws IOException {
        byte[] zip = in.readNBytes(MAX_BYTES + 1);
        if (zip.length > MAX_BYTES) {
            throw new IOException("BertModelIO: model zip larger than " + MAX_BYTES + " bytes");
        }
        try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = entries.getNextEntry()) != null; ) {
                if (!ENTRIES.contains(e.getName())) {
                    throw new IOException("BertModelIO: model zip holds an unexpected entry '" + e.getName()
                            + "' (accepted: " + ENTRIES + "; DL4J would deserialise a preprocessor.bin as a Java object)");
                }
            }
        }
        try {
            return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(zip), true);
        } catch (RuntimeException e) {
            throw new IOException("BertModelIO: not a DL4J ComputationGraph model zip: " + e.getMessage(), e);
        }
    }
}
