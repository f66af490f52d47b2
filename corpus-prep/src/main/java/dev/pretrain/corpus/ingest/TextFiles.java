package dev.pretrain.corpus.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.zip.GZIPInputStream;

/**
 * Reads UTF-8 text files line by line for {@link DocumentSplitter}; {@code .gz} files are decompressed.
 * Malformed UTF-8 is replaced by U+FFFD (later removed by {@link TextCleaner}) instead of failing the job.
 */
public final class TextFiles {
  private TextFiles() {
  }

  /** Wraps a (possibly gzip-compressed, judged by {@code fileName} ending in {@code .gz}) stream. */
  public static BufferedReader reader(InputStream in, String fileName) throws IOException {
    InputStream s = fileName.endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
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
      String compute() {
        try {
          return reader.readLine();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }
}
