package dev.pretrain.jobs.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.LineRecordReader;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;

/**
 * The lines of one byte-range split of a text file, read with Hadoop's {@link LineRecordReader} over a
 * {@link FileSplit}, the reader behind Hadoop's and Spark's {@code textFile}: a split that does not start at byte 0
 * skips its first (partial) line, and every split reads past its end to finish its last line, so the splits of a
 * file together give each line exactly once. Compressed files are decompressed by Hadoop's codec for the extension;
 * only a {@code SplittableCompressionCodec} ({@code .bz2}: {@code BZip2Codec}, cut at its compressed block
 * boundaries) can be read from a split that does not start at 0.
 *
 * <p>Lines end at {@code '\n'} only (the record delimiter is set to it; a trailing {@code '\r'} stays, as in
 * {@code BoundedLines}); a UTF-8 byte-order mark at byte 0 is dropped by the reader. Each line is decoded as UTF-8
 * with malformed bytes replaced by U+FFFD, and a line longer than {@code maxChars} characters is returned cut to its
 * first {@code maxChars + 1} characters (so callers can tell it was too long), as {@code BoundedLines} returns it. A
 * line is held whole in memory as bytes while it is read ({@link LineRecordReader#MAX_LINE_LENGTH} is set to
 * unlimited here, since Hadoop silently skips longer lines, which would lose documents from the accounting).
 *
 * <p>An {@link IOException} surfaces as {@link UncheckedIOException} naming the file and the split. Single use, not
 * thread-safe; closed when the lines run out.
 */
public final class SplitLines implements Iterator<String>, AutoCloseable {
    private final LineRecordReader reader;
    private final String where;
    private final int maxChars;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private String next;
    private boolean done;
    private long lines;

    /**
     * Opens the split {@code [start, start + length)} of {@code file} (byte offsets in the file as stored, i.e. in
     * compressed bytes for a compressed file).
     *
     * @param maxChars the longest line returned whole, {@code >= 1}
     * @throws IOException if the file cannot be opened, or a split not starting at 0 is of a file whose codec cannot
     *                     be split
     */
    public SplitLines(String file, long start, long length, Configuration conf, int maxChars) throws IOException {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be >= 1, got " + maxChars);
        }
        this.maxChars = maxChars;
        this.where = file + " (bytes " + start + ".." + (start + length) + ")";
        Configuration c = new Configuration(conf);
        c.setInt(LineRecordReader.MAX_LINE_LENGTH, Integer.MAX_VALUE);
        Path p = HadoopFiles.path(file, conf);
        reader = new LineRecordReader(new byte[] {'\n'});
        try {
            reader.initialize(new FileSplit(p, start, length, new String[0]),
                    new TaskAttemptContextImpl(c, new TaskAttemptID()));
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    /** Lines returned so far. */
    public long lines() {
        return lines;
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (done) {
            return false;
        }
        try {
            if (reader.nextKeyValue()) {
                next = decode(reader.getCurrentValue());
                lines++;
                return true;
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("read error in " + where + " after " + lines + " line(s): " + e, e);
        }
        close();
        return false;
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        String s = next;
        next = null;
        return s;
    }

    /**
     * UTF-8 with replacement, cut to {@code maxChars + 1} chars. Only a prefix of a long line is decoded: a character,
     * or a malformed sequence replaced by one U+FFFD, takes at most 4 bytes, and only the last (at most 3 bytes) of
     * the prefix can decode differently from the whole line, so the first {@code 4 * (maxChars + 2)} bytes give at
     * least {@code maxChars + 2} chars as in the whole line's decoding.
     */
    private String decode(Text t) {
        int n = (int) Math.min(t.getLength(), 4L * (maxChars + 2));
        CharBuffer chars;
        try {
            chars = utf8.reset().decode(ByteBuffer.wrap(t.getBytes(), 0, n));
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("UTF-8 decoding with replacement cannot fail", e);
        }
        return chars.length() > maxChars + 1 ? chars.subSequence(0, maxChars + 1).toString() : chars.toString();
    }

    @Override
    public void close() {
        done = true;
        try {
            reader.close();
        } catch (IOException ignored) {
            // nothing left to read
        }
    }
}
