package dev.pretrain.jobs.stages;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.io.compress.SplittableCompressionCodec;

import dev.pretrain.corpus.ingest.DocumentFormat;
import dev.pretrain.corpus.ingest.SourceSpec;

/**
 * How {@link IngestStage} cuts its input files into read tasks. A file is read as byte-range splits of
 * {@code splitBytes} (the last one shorter; offsets in the file's stored, i.e. compressed, bytes) when it is larger
 * than {@code splitBytes}, its source is {@link SourceSpec#lineSplittable() line-splittable} (lines, TSV, JSON lines,
 * CSV with single-line records) and its compression can be split: none, or a Hadoop
 * {@link SplittableCompressionCodec} ({@code .bz2}). Every other file is one task. The splits are read by
 * {@link dev.pretrain.jobs.spark.SplitLines} (Hadoop's {@code LineRecordReader}), which gives every line of the file
 * to exactly one split.
 */
public final class IngestSplits {
    /** Default split size: 128 MiB, Hadoop's default block and split size. */
    public static final long DEFAULT_SPLIT_BYTES = 128L << 20;

    private IngestSplits() {}

    /**
     * One read task: a whole file ({@code splits == 1}) or split {@code split} (0-based) of {@code splits}.
     *
     * @param spec   index of the source in {@link IngestStage.Options#sources()}
     * @param start  first byte of the split in the stored file
     * @param length bytes of the split (the file's length for a whole file)
     */
    public record ReadTask(int spec, String file, long start, long length, int split, int splits)
            implements Serializable {
        public ReadTask {
            if (start < 0 || length < 0 || split < 0 || splits < 1 || split >= splits) {
                throw new IllegalArgumentException("bad read task of " + file + ": bytes " + start + " + " + length
                        + ", split " + split + " of " + splits);
            }
        }

        /** Whether the task reads its file whole, as a stream (not with a line reader over a byte range). */
        public boolean wholeFile() {
            return splits == 1;
        }
    }

    /**
     * Why {@code file} of {@code spec} cannot be read in byte-range splits, or null if it can: its documents (or CSV
     * records) may span lines, or its compression cannot be split ({@code "gzip is not splittable"}).
     */
    public static String unsplittableReason(SourceSpec spec, String file, Configuration conf) {
        if (!spec.lineSplittable()) {
            return spec.format() == DocumentFormat.CSV
                    ? "csv records may span lines (single_line_records=true says they do not)"
                    : "format " + formatName(spec.format()) + " has documents that span lines";
        }
        Path p = new Path(file);
        String name = p.getName();
        if (name.endsWith(".zst") || name.endsWith(".zstd")) {
            return "zstd is not splittable";
        }
        if (name.endsWith(".xz")) {
            return "xz is not splittable";
        }
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
        if (codec == null || codec instanceof SplittableCompressionCodec) {
            return null;
        }
        return codecName(codec) + " is not splittable";
    }

    private static String formatName(DocumentFormat f) {
        return f == DocumentFormat.WIKI_XML ? "wikipedia_xml" : f.name().toLowerCase(Locale.ROOT);
    }

    private static String codecName(CompressionCodec codec) {
        String ext = codec.getDefaultExtension();
        if (".gz".equals(ext)) {
            return "gzip";
        }
        return ext.startsWith(".") ? ext.substring(1) : codec.getClass().getSimpleName();
    }

    /**
     * The read tasks of one file: {@code ceil(bytes / splitBytes)} splits of {@code splitBytes} if it is splittable
     * and larger than {@code splitBytes}, else one whole-file task.
     *
     * @param bytes      the file's stored length
     * @param splitBytes split size, {@code >= 1}
     * @throws IllegalArgumentException if {@code splitBytes < 1} or the file would have more than
     *                                  {@link Integer#MAX_VALUE} splits
     */
    public static List<ReadTask> tasks(int spec, String file, long bytes, long splitBytes, boolean splittable) {
        if (splitBytes < 1) {
            throw new IllegalArgumentException("split size must be >= 1 byte, got " + splitBytes);
        }
        if (!splittable || bytes <= splitBytes) {
            return List.of(new ReadTask(spec, file, 0, bytes, 0, 1));
        }
        long n = (bytes + splitBytes - 1) / splitBytes;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(file + ": " + bytes + " bytes in splits of " + splitBytes
                    + " would make " + n + " splits");
        }
        List<ReadTask> out = new ArrayList<>((int) n);
        for (int i = 0; i < n; i++) {
            long start = i * splitBytes;
            out.add(new ReadTask(spec, file, start, Math.min(splitBytes, bytes - start), i, (int) n));
        }
        return out;
    }
}
