package dev.pretrain.jobs.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Which existing paths a stage may replace: only what pretrain wrote.
 *
 * <p>Every folder a stage writes carries {@value #FILE} (stage name, code version, time); the name starts with
 * '_' so that Spark, Parquet and {@link HadoopFiles#collectFiles} skip it. An existing folder is replaced (or,
 * for the stages that write in place, written into) only if it carries the marker or is empty, or if the user
 * passed {@code --overwrite} (the Hadoop setting {@value #OVERWRITE}); otherwise the stage stops with an
 * {@link IllegalStateException} naming the folder and the reason, and nothing is deleted. A file is never
 * written over a folder, and a file system root is never an output.
 */
public final class OutputMarker {
    /** The marker file in every output folder. */
    public static final String FILE = "_PRETRAIN_OUTPUT.json";
    /** Hadoop setting behind {@code --overwrite}: replace unmarked folders too. */
    public static final String OVERWRITE = "pretrain.output.overwrite";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERSION = readVersion();

    private OutputMarker() {}

    /** Sets {@code --overwrite} for the stages run with this configuration. */
    public static void setOverwrite(Configuration conf, boolean overwrite) {
        conf.setBoolean(OVERWRITE, overwrite);
    }

    static boolean overwrite(Configuration conf) {
        return conf.getBoolean(OVERWRITE, false);
    }

    /** The code version written into markers (the Maven project version). */
    public static String version() {
        return VERSION;
    }

    /**
     * Fails fast, before a stage does its work, if {@code target} exists and may not be replaced by the folder the
     * stage will commit there.
     *
     * @throws IllegalStateException naming the folder and the reason
     */
    public static void checkReplaceable(String target, Configuration conf) {
        Path dst = HadoopFiles.path(target, conf);
        try {
            check(HadoopFiles.fs(dst, conf), dst, true, conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect output " + dst, e);
        }
    }

    /**
     * Makes {@code folder} the output of {@code stage} for a stage that writes it in place (file by file, as
     * {@code train-bert} with its rounds log): a missing or empty folder is created and marked; a marked one is
     * used as it is (a re-run replaces the files it writes, and a run that writes nothing changes nothing); an
     * unmarked one is refused, or with {@code --overwrite} deleted and created afresh.
     *
     * @throws IllegalStateException naming the folder and the reason
     */
    public static void claim(String folder, String stage, Configuration conf) {
        Path dir = HadoopFiles.path(folder, conf);
        FileSystem fs = HadoopFiles.fs(dir, conf);
        try {
            check(fs, dir, true, conf);
            FileStatus st = status(fs, dir);
            if (st != null && st.isDirectory() && isMarked(fs, dir)) {
                return;
            }
            if (st != null && (!st.isDirectory() || !isEmpty(fs, dir))) {
                // only reached with --overwrite: check() refused everything else
                if (!fs.delete(dir, true)) {
                    throw new IOException("cannot delete " + dir);
                }
            }
            fs.mkdirs(dir);
            write(fs, dir, stage);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare output folder " + dir, e);
        }
    }

    /**
     * Marks an existing folder as the output of {@code stage} (for outputs of an earlier version of pretrain that a
     * stage recognises by their content).
     */
    public static void mark(String folder, String stage, Configuration conf) {
        Path dir = HadoopFiles.path(folder, conf);
        try {
            write(HadoopFiles.fs(dir, conf), dir, stage);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark " + dir, e);
        }
    }

    /** Whether {@code folder} exists and carries the marker. */
    public static boolean isMarked(String folder, Configuration conf) {
        Path dir = HadoopFiles.path(folder, conf);
        try {
            return isMarked(HadoopFiles.fs(dir, conf), dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect " + dir, e);
        }
    }

    static boolean isMarked(FileSystem fs, Path folder) throws IOException {
        FileStatus st = status(fs, new Path(folder, FILE));
        return st != null && st.isFile();
    }

    /** Writes the marker of {@code stage} into {@code folder} (a finished temporary folder, or a claimed one). */
    static void write(FileSystem fs, Path folder, String stage) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", stage);
        m.put("version", VERSION);
        m.put("written_at", Instant.now().toString());
        byte[] json;
        try {
            json = (JSON.writeValueAsString(m) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        try (OutputStream out = fs.create(new Path(folder, FILE), true)) {
            out.write(json);
        }
    }

    /**
     * Throws if the existing {@code dst} may not be replaced by a new folder ({@code folder} true) or file.
     *
     * @throws IllegalStateException naming {@code dst} and the reason
     */
    static void check(FileSystem fs, Path dst, boolean folder, Configuration conf) throws IOException {
        if (dst.isRoot()) {
            throw new IllegalStateException(dst + " is a file system root: it is never an output");
        }
        FileStatus st = status(fs, dst);
        if (st == null) {
            return;
        }
        if (!folder) {
            if (st.isDirectory()) {
                throw new IllegalStateException("not writing file " + dst + ": a folder of that name exists "
                        + "(a file is never written over a folder)");
            }
            return;
        }
        if (overwrite(conf)) {
            return;
        }
        if (!st.isDirectory()) {
            throw new IllegalStateException("output " + dst + " is an existing file, not a folder written by pretrain: "
                    + "left untouched (choose another output, or pass --overwrite to replace it)");
        }
        if (!isMarked(fs, dst) && !isEmpty(fs, dst)) {
            throw new IllegalStateException("output folder " + dst + " exists and was not written by pretrain (no "
                    + FILE + " in it): left untouched (choose another output, or pass --overwrite to replace it)");
        }
    }

    private static boolean isEmpty(FileSystem fs, Path dir) throws IOException {
        return !fs.listStatusIterator(dir).hasNext();
    }

    private static FileStatus status(FileSystem fs, Path p) throws IOException {
        try {
            return fs.getFileStatus(p);
        } catch (FileNotFoundException e) {
            return null;
        }
    }

    private static String readVersion() {
        try (InputStream in = OutputMarker.class.getResourceAsStream("/dev/pretrain/jobs/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
