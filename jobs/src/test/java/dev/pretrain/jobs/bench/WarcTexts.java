package dev.pretrain.jobs.bench;

import dev.pretrain.corpus.ingest.RawText;
import dev.pretrain.corpus.ingest.readers.WarcReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Benchmark helper (bench/web-ingest.sh): writes the text {@link WarcReader} gives for the first record of a web
 * archive that yields a document (for an HTML {@code response}, {@link dev.pretrain.corpus.ingest.extractors.HtmlMainText}'s
 * main text; for a WET {@code conversion}, the record's text as stored) to a UTF-8 file, and prints its URL, characters
 * and lines.
 *
 * <p>Usage: {@code WarcTexts ARCHIVE OUT_TXT}. Exit status 1 (message on stderr) if no record yields a document; a
 * read failure propagates as {@link java.io.UncheckedIOException}.
 */
public final class WarcTexts {
  private WarcTexts() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: WarcTexts ARCHIVE OUT_TXT");
      System.exit(2);
    }
    Path in = Path.of(args[0]);
    try (InputStream s = new BufferedInputStream(Files.newInputStream(in), 1 << 16);
         WarcReader r = new WarcReader(s, in.toString(), 50 << 20)) {
      while (r.hasNext()) {
        RawText t = r.next();
        if (t.text() != null) {
          Files.writeString(Path.of(args[1]), t.text(), StandardCharsets.UTF_8);
          System.out.println("url=" + t.url() + " chars=" + t.text().length() + " lines="
              + t.text().split("\n", -1).length + " records_read=" + r.records());
          return;
        }
      }
    }
    System.err.println("no document in " + in);
    System.exit(1);
  }
}
