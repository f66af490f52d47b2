package dev.pretrain.jobs.spark;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Reading and writing through the Hadoop {@link FileSystem} API, so that every path may be a
 * {@code file://}, {@code hdfs://} or {@code s3a://} URI (a path without a scheme is resolved
 * against the default file system, the local one in Spark local mode).
 *
 * <p>Writes are atomic: a file or folder is written under a temporary sibling name and renamed
 * into place, so a killed run never leaves a half-written output and a re-run is idempotent. A
 * previous output is replaced only as {@link OutputMarker} allows: a folder only if pretrain wrote
 * it (or {@code --overwrite}), a file never over a folder.
 */
public final class HadoopFiles {
    private HadoopFiles() {}

    /** Resolves {@code path} to a qualified Hadoop path. */
    public static Path path(String path, Configuration conf) {
        Path p = new Path(path);
        try {
            return p.getFileSystem(conf).makeQualified(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve file system of " + path, e);
        }
    }

    public static FileSystem fs(Path path, Configuration conf) {
        try {
            return path.getFileSystem(conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open file system of " + path, e);
        }
    }

    public static boolean exists(String path, Configuration conf) {
        Path p = path(path, conf);
        try {
            return fs(p, conf).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + p, e);
        }
    }

    /**
     * Expands a path or glob to its files (folders are listed recursively, hidden files starting
     * with '.' or '_' skipped), sorted by URI.
     *
     * @throws IllegalArgumentException if nothing matches
     */
    public static List<String> expand(String pattern, Configuration conf) {
        Path p = new Path(pattern);
        FileSystem fs = fs(p, conf);
        List<String> files = new ArrayList<>();
        try {
            FileStatus[] matches = fs.globStatus(p);
            if (matches == null || matches.length == 0) {
                throw new IllegalArgumentException("input not found: " + pattern);
            }
            List<FileStatus> found = new ArrayList<>();
            for (FileStatus st : matches) {
                collectFiles(fs, st, found);
            }
            for (FileStatus st : found) {
                files.add(st.getPath().toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + pattern, e);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no files under input: " + pattern);
        }
        files.sort(String::compareTo);
        return files;
    }

    /**
     * Adds {@code st} to {@code out} if it is a file, or every file below it (recursively) if it is a folder;
     * names starting with '.' or '_' (hidden files, {@code _SUCCESS} markers) are skipped at every level.
     */
    public static void collectFiles(FileSystem fs, FileStatus st, List<FileStatus> out) throws IOException {
        String name = st.getPath().getName();
        if (name.startsWith(".") || name.startsWith("_")) {
            return;
        }
        if (st.isDirectory()) {
            for (FileStatus child : fs.listStatus(st.getPath())) {
                collectFiles(fs, child, out);
            }
        } else {
            out.add(st);
        }
    }

    /** Total bytes of the given files (compressed size for compressed files). */
    public static long length(String file, Configuration conf) {
        Path p = path(file, conf);
        try {
            return fs(p, conf).getFileStatus(p).getLen();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + p, e);
        }
    }

    /**
     * Opens a file for reading, decompressing by its extension with Hadoop's codecs
     * ({@code .gz}, {@code .bz2}, {@code .deflate}, ...).
     */
    public static InputStream open(String file, Configuration conf) throws IOException {
        Path p = path(file, conf);
        InputStream in = fs(p, conf).open(p);
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
        return codec == null ? in : codec.createInputStream(in);
    }

    /**
     * Opens a UTF-8 text file; malformed bytes are replaced by U+FFFD instead of failing, and a
     * leading byte-order mark is skipped.
     */
    public static BufferedReader openText(String file, Configuration conf) throws IOException {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        BufferedReader r = new BufferedReader(new InputStreamReader(open(file, conf), dec), 1 << 16);
        r.mark(1);
        if (r.read() != '\uFEFF') {
            r.reset();
        }
        return r;
    }

    public static String readString(String file, Configuration conf) {
        try (Reader r = openText(file, conf)) {
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[8192];
            int n;
            while ((n = r.read(buf)) > 0) {
                sb.append(buf, 0, n);
            }
            return sb.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static byte[] readBytes(String file, Configuration conf) {
        try (InputStream in = open(file, conf)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Something that writes a whole output to a stream. */
    @FunctionalInterface
    public interface StreamWriter {
        void write(OutputStream out) throws IOException;
    }

    /** Something that writes a whole text output. */
    @FunctionalInterface
    public interface TextWriter {
        void write(Writer out) throws IOException;
    }

    /**
     * Writes {@code target} atomically: to a temporary sibling, then renamed over any old file.
     *
     * @throws IllegalStateException if {@code target} is an existing folder (a file is never written over one)
     */
    public static void writeAtomically(String target, Configuration conf, StreamWriter body) {
        Path dst = path(target, conf);
        FileSystem fs = fs(dst, conf);
        Path tmp = sibling(dst, "tmp");
        try {
            OutputMarker.check(fs, dst, false, conf);
            fs.mkdirs(dst.getParent());
            try (OutputStream out = fs.create(tmp, true)) {
                body.write(out);
            }
            replace(fs, tmp, dst, false, conf);
        } catch (IOException e) {
            deleteQuietly(fs, tmp);
            throw new UncheckedIOException("cannot write " + dst, e);
        } catch (RuntimeException e) {
            deleteQuietly(fs, tmp);
            throw e;
        }
    }

    public static void writeTextAtomically(String target, Configuration conf, TextWriter body) {
        writeAtomically(target, conf, out -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            body.write(w);
            w.flush();
        });
    }

    public static void writeString(String target, Configuration conf, String text) {
        writeTextAtomically(target, conf, w -> w.write(text));
    }

    public static void copy(String from, String to, Configuration conf) {
        byte[] data = readRaw(from, conf);
        writeAtomically(to, conf, out -> out.write(data));
    }

    private static byte[] readRaw(String file, Configuration conf) {
        Path p = path(file, conf);
        try (InputStream in = fs(p, conf).open(p)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }

    /** A fresh temporary sibling folder name for an atomic folder write of {@code target}. */
    public static String temporarySibling(String target, Configuration conf) {
        return sibling(path(target, conf), "tmp").toString();
    }

    /**
     * Commits a finished temporary folder as the output {@code target} of {@code stage}: writes the
     * {@link OutputMarker} into it, then moves it over {@code target}. An existing {@code target} is replaced
     * only if {@link OutputMarker} allows it; otherwise the temporary folder is deleted and {@code target} left
     * as it is.
     *
     * @throws IllegalStateException naming {@code target} if it may not be replaced
     */
    public static void commit(String stage, String temporary, String target, Configuration conf) {
        Path src = path(temporary, conf);
        Path dst = path(target, conf);
        FileSystem fs = fs(dst, conf);
        try {
            OutputMarker.write(fs, src, stage);
            fs.mkdirs(dst.getParent());
            replace(fs, src, dst, true, conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + src + " to " + dst, e);
        } catch (IllegalStateException e) {
            deleteQuietly(fs, src);
            throw e;
        }
    }

    /** Renames {@code src} over {@code dst}; an existing {@code dst} (checked first) is moved aside, then deleted. */
    private static void replace(FileSystem fs, Path src, Path dst, boolean folder, Configuration conf)
            throws IOException {
        if (fs.exists(dst)) {
            OutputMarker.check(fs, dst, folder, conf);
            Path old = sibling(dst, "old");
            if (!fs.rename(dst, old)) {
                throw new IOException("cannot move old output " + dst + " aside");
            }
            if (!fs.rename(src, dst)) {
                fs.rename(old, dst);
                throw new IOException("cannot rename " + src + " to " + dst);
            }
            fs.delete(old, true);
        } else if (!fs.rename(src, dst)) {
            throw new IOException("cannot rename " + src + " to " + dst);
        }
    }

    /** A hidden, unique sibling of {@code p}: {@code .<name>.<kind>-<uuid>}. */
    private static Path sibling(Path p, String kind) {
        if (p.isRoot()) {
            throw new IllegalArgumentException(p + " is a file system root: it is never an output");
        }
        return new Path(p.getParent(), "." + p.getName() + "." + kind + "-" + UUID.randomUUID());
    }

    /** Deletes, recursively and quietly, a path the stage itself created (a staging or temporary folder). */
    public static void delete(String target, Configuration conf) {
        Path p = path(target, conf);
        deleteQuietly(fs(p, conf), p);
    }

    private static void deleteQuietly(FileSystem fs, Path p) {
        try {
            fs.delete(p, true);
        } catch (IOException ignored) {
            // best effort: a stale temporary sibling is harmless and hidden
        }
    }

    /** Joins a base URI/path and child names with '/'. */
    public static String join(String base, String... children) {
        StringBuilder sb = new StringBuilder(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        for (String c : children) {
            sb.append('/').append(c);
        }
        return sb.toString();
    }
}
