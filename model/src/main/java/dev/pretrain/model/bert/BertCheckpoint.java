package dev.pretrain.model.bert;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checkpoint files of {@link BertSparkTrainer} (format described there): {@code checkpoint-NNNNNNNN.zip} in a Hadoop
 * folder, holding {@code state.json}, {@code model.zip}, with early stopping {@code best_params.bin} and
 * {@code best_updater.bin}, and with a stateful {@link OuterOptimizer} its momentum buffer {@code outer_momentum.bin}.
 * Nothing in a checkpoint is a Java-serialised object: {@code state.json} holds JSON numbers,
 * strings and lists (the split RNG as {@code {"algorithm": "splitmix64", "state": <64-bit integer>}}), the
 * {@code .bin} entries are raw little-endian float32 values, {@code model.zip} is DL4J's ModelSerializer zip.
 * Reading bounds every entry by what the model config allows ({@link #limits}) and refuses any other entry.
 */
final class BertCheckpoint {
    /** Format of a checkpoint; 1 (before 2026-12) held the split RNG as a serialised {@link java.util.Random}. */
    static final int FORMAT = 2;
    /** Most bytes {@code state.json} may hold (its per-round log grows about 400 bytes a round). */
    static final long STATE_JSON_LIMIT = 64L << 20;
    /** Room in {@code model.zip} beyond its arrays: configuration JSON, array headers, zip structure. */
    static final long MODEL_ZIP_SLACK = 64L << 20;
    /** The largest byte array the JVM allocates. */
    static final long MAX_ENTRY = Integer.MAX_VALUE - 8;
    static final String SPLIT_RNG_ALGORITHM = "splitmix64";
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d{8})\\.zip");
    private static final ObjectMapper JSON = new ObjectMapper();

    private BertCheckpoint() {
    }

    /** A loaded checkpoint. */
    record Saved(String path, ComputationGraph model, BertSparkTrainer.State state) {
    }

    static String name(int roundsDone) {
        return String.format("checkpoint-%08d.zip", roundsDone);
    }

    /** Writes {@code dir/checkpoint-NNNNNNNN.zip} atomically, then deletes all but the newest {@code keep}. */
    static void save(String dir, Configuration conf, String fingerprint, ComputationGraph net,
                     BertSparkTrainer.State s, int keep) {
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("format", FORMAT);
        st.put("fingerprint", fingerprint);
        st.put("rounds_done", s.roundsDone);
        st.put("examples_seen", s.seen);
        st.put("train_seconds", s.trainSeconds);
        st.put("evaluations", s.evaluations);
        st.put("since_eval", s.sinceEval);
        st.put("finished", s.finished);
        st.put("best_validation", s.bestValidation);
        st.put("best_evaluation", s.bestEvaluation);
        st.put("split_rng", s.splitRngState == null ? null
                : Map.of("algorithm", SPLIT_RNG_ALGORITHM, "state", s.splitRngState));
        st.put("rounds", s.rounds);
        st.put("log", s.log);
        String target = new Path(dir, name(s.roundsDone)).toString();
        writeAtomically(target, conf, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.putNextEntry(new ZipEntry("state.json"));
            zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(st));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("model.zip"));
            zip.write(BertSparkTrainer.bytes(o -> BertModelIO.save(net, o)));
            zip.closeEntry();
            for (Map.Entry<String, INDArray> e : arrays(s).entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(float32(e.getValue()));
                zip.closeEntry();
            }
            zip.finish();
        });
        List<Path> all = list(dir, conf);
        FileSystem fs = BertSparkTrainer.fs(new Path(dir), conf);
        for (int i = 0; i < all.size() - keep; i++) {
            try {
                fs.delete(all.get(i), false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete old checkpoint " + all.get(i), e);
            }
        }
    }

    private static Map<String, INDArray> arrays(BertSparkTrainer.State s) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        if (s.bestParams != null) m.put("best_params.bin", s.bestParams);
        if (s.bestUpdater != null) m.put("best_updater.bin", s.bestUpdater);
        if (s.outerMomentum != null) m.put("outer_momentum.bin", s.outerMomentum);
        return m;
    }

    /**
     * The accepted entries and their size limits in bytes for a model of {@code parameterCount} float32 parameters:
     * {@code state.json} {@link #STATE_JSON_LIMIT}; {@code model.zip} 16 bytes a parameter (parameters and Adam's two
     * moments, 12 bytes, with room) plus {@link #MODEL_ZIP_SLACK}; {@code best_params.bin} and
     * {@code outer_momentum.bin} 4 and {@code best_updater.bin} 8 bytes a parameter; none above {@link #MAX_ENTRY}.
     */
    static Map<String, Long> limits(long parameterCount) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("state.json", STATE_JSON_LIMIT);
        m.put("model.zip", Math.min(MAX_ENTRY, 16 * parameterCount + MODEL_ZIP_SLACK));
        m.put("best_params.bin", Math.min(MAX_ENTRY, 4 * parameterCount));
        m.put("best_updater.bin", Math.min(MAX_ENTRY, 8 * parameterCount));
        m.put("outer_momentum.bin", Math.min(MAX_ENTRY, 4 * parameterCount));
        return m;
    }

    /** Checkpoint files in {@code dir}, oldest first (empty if the folder does not exist). */
    static List<Path> list(String dir, Configuration conf) {
        Path d = new Path(dir);
        FileSystem fs = BertSparkTrainer.fs(d, conf);
        List<Path> out = new ArrayList<>();
        try {
            if (!fs.exists(d)) return out;
            for (FileStatus f : fs.listStatus(d)) {
                if (f.isFile() && NAME.matcher(f.getPath().getName()).matches()) out.add(f.getPath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + dir, e);
        }
        out.sort((a, b) -> a.getName().compareTo(b.getName()));
        return out;
    }

    /**
     * The newest checkpoint in {@code dir}, or null if there is none.
     *
     * @param parameterCount the parameters of this run's model ({@link BertConfig#parameterCount()}), which bounds
     *                       the entries ({@link #limits})
     * @throws IllegalStateException naming the file and the reason if it was written by a run with another
     *                               fingerprint (model, training settings, training-set size), has another format
     *                               (format 1, with its Java-serialised RNG, included), holds an unexpected or
     *                               oversized entry, or a field of the wrong type
     * @throws UncheckedIOException  if it cannot be read
     */
    static Saved loadLatest(String dir, Configuration conf, String fingerprint, long parameterCount) {
        List<Path> all = list(dir, conf);
        if (all.isEmpty()) return null;
        Path p = all.get(all.size() - 1);
        Map<String, byte[]> entries;
        try (InputStream in = BertSparkTrainer.fs(p, conf).open(p)) {
            entries = CheckpointZip.read(in, p.toString(), limits(parameterCount));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + p, e);
        }
        if (!entries.containsKey("state.json") || !entries.containsKey("model.zip")) {
            throw new IllegalStateException("checkpoint " + p + " lacks state.json or model.zip");
        }
        JsonNode st;
        try {
            st = JSON.readTree(entries.get("state.json"));
        } catch (IOException e) {
            throw new IllegalStateException("checkpoint " + p + ": state.json is not valid JSON: " + e.getMessage(), e);
        }
        if (st == null || !st.isObject()) {
            throw new IllegalStateException("checkpoint " + p + ": state.json is not a JSON object");
        }
        int format = st.path("format").asInt(-1);
        if (format == 1) {
            throw new IllegalStateException("checkpoint " + p + " has format 1, which is no longer accepted: it stores"
                    + " the split RNG as a Java-serialised object. Delete the old checkpoints (or use another"
                    + " --checkpoint-dir) and restart the run.");
        }
        if (format != FORMAT) {
            throw new IllegalStateException("checkpoint " + p + " has format " + st.path("format") + ", expected " + FORMAT);
        }
        if (!fingerprint.equals(st.path("fingerprint").asText())) {
            throw new IllegalStateException("checkpoint " + p + " belongs to another run (model, training settings or"
                    + " training-set size differ): it has " + st.path("fingerprint").asText() + ", this run is "
                    + fingerprint + ". Use another --checkpoint-dir or delete the old checkpoints.");
        }
        BertSparkTrainer.State s = state(st, p.toString());
        ComputationGraph net;
        try {
            net = BertModelIO.load(new ByteArrayInputStream(entries.get("model.zip")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + p + ": model.zip: " + e.getMessage(), e);
        }
        if (entries.containsKey("best_params.bin")) {
            s.bestParams = floats(entries.get("best_params.bin"), net.numParams(), p + ": best_params.bin");
        }
        if (entries.containsKey("best_updater.bin")) {
            INDArray view = net.getUpdater().getStateViewArray();
            s.bestUpdater = floats(entries.get("best_updater.bin"), view == null ? 0 : view.length(),
                    p + ": best_updater.bin");
        }
        if (entries.containsKey("outer_momentum.bin")) {
            s.outerMomentum = floats(entries.get("outer_momentum.bin"), net.numParams(), p + ": outer_momentum.bin");
        }
        return new Saved(p.toString(), net, s);
    }

    /** The training state of a format-{@link #FORMAT} state.json. */
    private static BertSparkTrainer.State state(JsonNode st, String file) {
        BertSparkTrainer.State s = new BertSparkTrainer.State();
        s.roundsDone = (int) integer(st, "rounds_done", file);
        s.seen = integer(st, "examples_seen", file);
        s.trainSeconds = field(st, "train_seconds", JsonNode::isNumber, "a number", file).asDouble();
        s.evaluations = (int) integer(st, "evaluations", file);
        s.sinceEval = (int) integer(st, "since_eval", file);
        s.finished = field(st, "finished", JsonNode::isBoolean, "true or false", file).asBoolean();
        s.bestValidation = st.path("best_validation").asDouble(Double.NaN);
        s.bestEvaluation = (int) integer(st, "best_evaluation", file);
        s.splitRngState = splitRng(st.get("split_rng"), file);
        try {
            s.rounds = new ArrayList<>(JSON.convertValue(field(st, "rounds", JsonNode::isArray, "a list", file),
                    new TypeReference<List<BertRound>>() {}));
            s.log = new ArrayList<>(JSON.convertValue(field(st, "log", JsonNode::isArray, "a list", file),
                    new TypeReference<List<Map<String, Object>>>() {}));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("checkpoint " + file + ": state.json has a malformed 'rounds' or 'log' entry: "
                    + e.getMessage(), e);
        }
        return s;
    }

    /** The state of a {@code split_rng} object, null when absent. */
    private static Long splitRng(JsonNode n, String file) {
        if (n == null || n.isNull()) return null;
        JsonNode state = n.path("state");
        if (!n.isObject() || !SPLIT_RNG_ALGORITHM.equals(n.path("algorithm").asText())
                || !state.isIntegralNumber() || !state.canConvertToLong()) {
            String got = n.isTextual() ? "a string of " + n.asText().length() + " characters" : "a JSON " + n.getNodeType();
            throw new IllegalStateException("checkpoint " + file + ": state.json field 'split_rng' must be {\"algorithm\": \""
                    + SPLIT_RNG_ALGORITHM + "\", \"state\": <64-bit integer>}, got " + got
                    + " (checkpoints hold no Java-serialised objects)");
        }
        return state.asLong();
    }

    private static long integer(JsonNode st, String name, String file) {
        JsonNode n = field(st, name, JsonNode::isIntegralNumber, "an integer", file);
        if (!n.canConvertToLong()) {
            throw new IllegalStateException("checkpoint " + file + ": state.json field '" + name + "' is out of range");
        }
        return n.asLong();
    }

    private static JsonNode field(JsonNode st, String name, java.util.function.Predicate<JsonNode> ok, String what,
                                  String file) {
        JsonNode n = st.get(name);
        if (n == null || !ok.test(n)) {
            throw new IllegalStateException("checkpoint " + file + ": state.json field '" + name + "' must be " + what
                    + ", got " + (n == null ? "nothing" : "a JSON " + n.getNodeType()));
        }
        return n;
    }

    /** The array as raw little-endian float32 values, row-major. */
    static byte[] float32(INDArray a) {
        float[] f = Nd4j.toFlattened('c', a.castTo(DataType.FLOAT)).toFloatVector();
        ByteBuffer b = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(f);
        return b.array();
    }

    /** A {@code [1, length]} float32 array of raw little-endian values, which must number exactly {@code length}. */
    static INDArray floats(byte[] raw, long length, String what) {
        if (raw.length != 4 * length) {
            throw new IllegalStateException("checkpoint " + what + " holds " + raw.length + " bytes, expected " + 4 * length
                    + " (" + length + " float32 values of this model)");
        }
        float[] f = new float[(int) length];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return Nd4j.create(f, new long[]{1, length}, DataType.FLOAT);
    }

    /** Writes {@code target} through a temporary sibling renamed into place (an existing target is replaced). */
    static void writeAtomically(String target, Configuration conf, BertSparkTrainer.Body body) {
        Path dst = new Path(target);
        FileSystem fs = BertSparkTrainer.fs(dst, conf);
        Path tmp = new Path(dst.getParent(), "." + dst.getName() + ".tmp-" + UUID.randomUUID());
        try {
            fs.mkdirs(dst.getParent());
            try (OutputStream out = fs.create(tmp, true)) {
                body.write(out);
            }
            if (fs.exists(dst) && !fs.delete(dst, false)) throw new IOException("cannot replace " + dst);
            if (!fs.rename(tmp, dst)) throw new IOException("cannot rename " + tmp + " to " + dst);
        } catch (IOException e) {
            try {
                fs.delete(tmp, false);
            } catch (IOException ignored) {
                // best effort
            }
            throw new UncheckedIOException("cannot write " + dst, e);
        }
    }

}
