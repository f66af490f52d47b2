package dev.pretrain.corpus.ingest;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Reads UTF-8 text files line by line for {@link DocumentSplitter}; {@code .gz} and {@code .xz} files are
 * decompressed (xz with XZ for Java, org.tukaani.xz).
 * Malformed UTF-8 is replaced by U+FFFD (later removed by {@link TextCleaner}) instead of failing the job.
 */
public final class TextFiles {
  private TextFiles() {
  }

  /**
   * Wraps a (possibly compressed, judged by {@code fileName} ending in {@code .gz} or {@code .xz}) stream.
   *
   * @throws IOException if the stream does not start as its extension says (not gzip, not xz)
   */
  public static BufferedReader reader(InputStream in, String fileName) throws IOException {
    InputStream s = fileName.endsWith(".gz") ? new GZIPInputStream(in, 1 << 16)
        : fileName.endsWith(".xz") ? new XZInputStream(new BufferedInputStream(in, 1 << 16)) : in;
    return new BufferedReader(SourceReader.utf8(s), 1 << 16);
  }

  public static BufferedReader reader(Path file) throws IOException {
    return reader(Files.newInputStream(file), file.getFileName().toString());
  }

  /**
   * Lines of a reader as an iterator ({@link BufferedReader#readLine()}: {@code \n}, {@code \r\n} and a
   * lone {@code \r} end a line, terminators removed). An {@link IOException} surfaces as {@link UncheckedIOException}.
   */
  public static Iterator<String> lines(BufferedReader reader) {
    return new Lookahead<>() {
      @Override
      protected String compute() {
        try {
          return reader.readLine();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }
}
