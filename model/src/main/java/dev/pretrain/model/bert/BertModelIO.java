package dev.pretrain.model.bert;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/** Saves and loads BERT graphs as DL4J model zips ({@link ModelSerializer}: configuration JSON, parameters, updater state). */
public final class BertModelIO {
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
     * Reads a model zip written by {@link #save} (updater state restored).
     *
     * @throws IOException if the stream is not a readable DL4J ComputationGraph zip
     */
    public static ComputationGraph load(InputStream in) throws IOException {
        try {
            return ModelSerializer.restoreComputationGraph(in, true);
        } catch (RuntimeException e) {
            throw new IOException("BertModelIO: not a DL4J ComputationGraph model zip: " + e.getMessage(), e);
        }
    }
}
