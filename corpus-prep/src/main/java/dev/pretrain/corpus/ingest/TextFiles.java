package dev.pretrain.corpus.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
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
    var decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    return new BufferedReader(new InputStreamReader(s, decoder), 1 << 16);
  }

  public static BufferedReader reader(Path file) throws IOException {
    return reader(Files.newInputStream(file), file.getFileName().toString());
  }

  /**
   * Lines of a reader as an iterator ({@link BufferedReader#readLine()}: {@code \n}, {@code \r\n} and a
   * lone {@code \r} end a line, terminators removed). An {@link IOException} surfaces as {@link UncheckedIOException}.
   */
  public static Iterator<String> lines(BufferedReader reader) {
    return new Iterator<>() {
      String next;
      boolean eof;

      @Override
      public boolean hasNext() {
        if (next == null && !eof) {
          try {
            next = readRaw(reader);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          eof = next == null;
        }
        return next != null;
      }

      @Override
      public String next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        String n = next;
        next = null;
        return n;
      }
    };
  }

  private static String readRaw(BufferedReader r) throws IOException {
    return r.readLine();
  }
}
