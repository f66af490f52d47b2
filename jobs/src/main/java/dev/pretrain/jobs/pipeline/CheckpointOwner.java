package dev.pretrain.jobs.pipeline;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;

import dev.pretrain.jobs.spark.HadoopFiles;

/**
 * Which pipeline configuration the train-bert checkpoints in the run's {@code bert/checkpoints/} belong to:
 * {@value #FILE} there holds the train-bert {@link StageFingerprint} they were written under.
 *
 * <p>The trainer's own check ({@code BertSparkTrainer}: model config, training settings, training-set size) refuses
 * a checkpoint of other settings, but not one trained on other examples of the same count (e.g. after a change to
 * {@code examples.masked_lm_prob} or to the vocabulary's content). With {@code --resume}, checkpoints recorded under
 * another fingerprint are therefore deleted before train-bert runs again; checkpoints under the same fingerprint are
 * resumed from by the trainer (newest first, its checks unchanged). Checkpoints without this file (written outside the
 * pipeline or before it existed) are left to the trainer's check.
 */
final class CheckpointOwner {
    /** The owner file in the checkpoint folder. */
    static final String FILE = "_PIPELINE_FINGERPRINT.json";
    private static final Pattern CHECKPOINT = Pattern.compile("checkpoint-\\d{8}\\.zip");

    private CheckpointOwner() {}

    /**
     * Prepares {@code dir} for train-bert with fingerprint {@code sha}: with {@code resume}, deletes the checkpoints
     * of another fingerprint; records {@code sha} as the owner when no checkpoint of unknown owner remains.
     *
     * @return the newest checkpoint's file name that the trainer will resume from, or null if none is left
     * @throws UncheckedIOException if the folder cannot be listed or a checkpoint cannot be deleted
     */
    static String prepare(String dir, String sha, boolean resume, Configuration conf) {
        List<Path> checkpoints = list(dir, conf);
        String owner = owner(dir, conf);
        if (resume && !checkpoints.isEmpty() && owner != null && !owner.equals(sha)) {
            System.out.printf("[pipeline] train-bert: deleting %d checkpoint(s) in %s of another configuration "
                    + "(fingerprint %s, now %s)%n", checkpoints.size(), dir, abbreviate(owner), abbreviate(sha));
            FileSystem fs = HadoopFiles.fs(checkpoints.get(0), conf);
            for (Path p : checkpoints) {
                try {
                    if (!fs.delete(p, false) && fs.exists(p)) {
                        throw new IOException("delete returned false");
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete stale checkpoint " + p, e);
                }
            }
            checkpoints = List.of();
        }
        if (checkpoints.isEmpty() || sha.equals(owner)) {
            record(dir, sha, conf);
        }
        return checkpoints.isEmpty() ? null : checkpoints.get(checkpoints.size() - 1).getName();
    }

    /** Records {@code sha} as the owner of the checkpoints in {@code dir} (after train-bert finished with them). */
    static void record(String dir, String sha, Configuration conf) {
        try {
            HadoopFiles.writeString(HadoopFiles.join(dir, FILE), conf,
                    StageFingerprint.CANONICAL.writeValueAsString(Map.of("stage", "train-bert", "fingerprint", sha))
                            + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String owner(String dir, Configuration conf) {
        String f = HadoopFiles.join(dir, FILE);
        if (!HadoopFiles.exists(f, conf)) {
            return null;
        }
        try {
            Map<String, Object> m = StageFingerprint.CANONICAL.readValue(HadoopFiles.readString(f, conf),
                    new TypeReference<Map<String, Object>>() {});
            return m != null && m.get("fingerprint") instanceof String s ? s : "unreadable";
        } catch (IOException | UncheckedIOException e) {
            return "unreadable";
        }
    }

    private static List<Path> list(String dir, Configuration conf) {
        Path d = HadoopFiles.path(dir, conf);
        FileSystem fs = HadoopFiles.fs(d, conf);
        List<Path> out = new ArrayList<>();
        try {
            for (FileStatus st : fs.listStatus(d)) {
                if (st.isFile() && CHECKPOINT.matcher(st.getPath().getName()).matches()) {
                    out.add(st.getPath());
                }
            }
        } catch (FileNotFoundException e) {
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + d, e);
        }
        out.sort((a, b) -> a.getName().compareTo(b.getName()));
        return out;
    }

    private static String abbreviate(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) : sha;
    }
}
