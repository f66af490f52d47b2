package dev.pretrain.model.bert;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.BaseTrainingMaster;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checkpoint files of {@link BertSparkTrainer} (format described there): {@code checkpoint-NNNNNNNN.zip} in a Hadoop
 * folder, holding {@code model.zip}, {@code state.json} and optionally {@code best_params.bin} and
 * {@code best_updater.bin}.
 */
final class BertCheckpoint {
    static final int FORMAT = 1;
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
        st.put("split_rng", s.splitRng == null ? null : Base64.getEncoder().encodeToString(serialize(s.splitRng)));
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
                zip.write(BertSparkTrainer.bytes(o -> Nd4j.write(e.getValue(), new DataOutputStream(o))));
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
     * @throws IllegalStateException if it was written by a run with another fingerprint (model, training settings,
     *                               training-set size) or has an unknown format
     * @throws UncheckedIOException  if it cannot be read
     */
    static Saved loadLatest(String dir, Configuration conf, String fingerprint) {
        List<Path> all = list(dir, conf);
        if (all.isEmpty()) return null;
        Path p = all.get(all.size() - 1);
        Map<String, byte[]> entries = new HashMap<>();
        try (InputStream in = BertSparkTrainer.fs(p, conf).open(p); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) entries.put(e.getName(), zip.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + p, e);
        }
        if (!entries.containsKey("state.json") || !entries.containsKey("model.zip")) {
            throw new IllegalStateException("checkpoint " + p + " lacks state.json or model.zip");
        }
        try {
            JsonNode st = JSON.readTree(entries.get("state.json"));
            if (st.path("format").asInt() != FORMAT) {
                throw new IllegalStateException("checkpoint " + p + " has format " + st.path("format") + ", expected " + FORMAT);
            }
            if (!fingerprint.equals(st.path("fingerprint").asText())) {
                throw new IllegalStateException("checkpoint " + p + " belongs to another run (model, training settings or"
                        + " training-set size differ): it has " + st.path("fingerprint").asText() + ", this run is "
                        + fingerprint + ". Use another --checkpoint-dir or delete the old checkpoints.");
            }
            BertSparkTrainer.State s = new BertSparkTrainer.State();
            s.roundsDone = st.path("rounds_done").asInt();
            s.seen = st.path("examples_seen").asLong();
            s.trainSeconds = st.path("train_seconds").asDouble();
            s.evaluations = st.path("evaluations").asInt();
            s.sinceEval = st.path("since_eval").asInt();
            s.finished = st.path("finished").asBoolean();
            s.bestValidation = st.path("best_validation").asDouble(Double.NaN);
            s.bestEvaluation = st.path("best_evaluation").asInt();
            if (st.hasNonNull("split_rng")) {
                s.splitRng = (Random) deserialize(Base64.getDecoder().decode(st.get("split_rng").asText()));
            }
            s.rounds = new ArrayList<>(JSON.convertValue(st.get("rounds"), new TypeReference<List<BertRound>>() {}));
            s.log = new ArrayList<>(JSON.convertValue(st.get("log"), new TypeReference<List<Map<String, Object>>>() {}));
            if (entries.containsKey("best_params.bin")) s.bestParams = readArray(entries.get("best_params.bin"));
            if (entries.containsKey("best_updater.bin")) s.bestUpdater = readArray(entries.get("best_updater.bin"));
            ComputationGraph net = BertModelIO.load(new ByteArrayInputStream(entries.get("model.zip")));
            return new Saved(p.toString(), net, s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + p, e);
        }
    }

    private static INDArray readArray(byte[] b) throws IOException {
        return Nd4j.read(new DataInputStream(new ByteArrayInputStream(b)));
    }

    /**
     * The training master's random-split RNG ({@code BaseTrainingMaster.rng}, advanced once per fit); null if this
     * DL4J version has no such field.
     */
    static Random getSplitRng(BaseTrainingMaster<?, ?> tm) {
        try {
            Field f = BaseTrainingMaster.class.getDeclaredField("rng");
            f.setAccessible(true);
            Random r = (Random) f.get(tm);
            return r == null ? null : (Random) deserialize(serialize(r));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Restores the RNG saved by {@link #getSplitRng}; a no-op where the field does not exist. */
    static void setSplitRng(BaseTrainingMaster<?, ?> tm, Random rng) {
        try {
            Field f = BaseTrainingMaster.class.getDeclaredField("rng");
            f.setAccessible(true);
            f.set(tm, rng);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // the split RNG only matters when a round's data exceeds one split; resume stays correct otherwise
        }
    }

    private static byte[] serialize(Object o) {
        return BertSparkTrainer.bytes(out -> {
            ObjectOutputStream oo = new ObjectOutputStream(out);
            oo.writeObject(o);
            oo.flush();
        });
    }

    private static Object deserialize(byte[] b) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
            return in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot restore a serialised RNG", e);
        }
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
