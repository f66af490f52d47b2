package dev.pretrain.corpus.ingest.readers;

import dev.pretrain.corpus.ingest.DropReason;
import dev.pretrain.corpus.ingest.Lookahead;
import dev.pretrain.corpus.ingest.RawText;
import dev.pretrain.corpus.ingest.SourceReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The documents of a tar archive of plain-text files: one document per regular file member whose name matches a
 * regex ({@link java.util.regex.Matcher#find()}; null: every regular file), its whole content decoded as UTF-8
 * (malformed bytes become U+FFFD, a leading byte-order mark is dropped), in archive order; the member name is the
 * document's record id ({@link RawText#recordId()}). Directories, links and the other members are not documents.
 * A member longer than {@code maxDocumentChars} characters is dropped as {@link DropReason#OVERSIZED} after reading
 * at most that many (bounded memory).
 *
 * <p>The archive is read with Commons Compress (ustar, GNU and PAX long names). An archive that ends inside a member
 * or header ends the documents with an {@link UncheckedIOException} from {@code hasNext()} naming the file (the
 * documents before it have been returned).
 */
public final class TarTextReader extends Lookahead<RawText> implements SourceReader.RawTexts {
  private final TarArchiveInputStream tar;
  private final Pattern members;
  private final String file;
  private final int max;
  private boolean failed;

  /**
   * @param in               the archive's (decompressed) bytes; closed at the end or on {@link #close()}
   * @param file             the file's name, for messages
   * @param memberRegex      regex of the member names to read, or null for all regular files
   * @param maxDocumentChars the size cap, {@code >= 1}
   */
  public TarTextReader(InputStream in, String file, String memberRegex, int maxDocumentChars) {
    if (maxDocumentChars < 1) {
      throw new IllegalArgumentException("maxDocumentChars must be >= 1, got " + maxDocumentChars);
    }
    this.tar = new TarArchiveInputStream(in);
    this.members = memberRegex == null ? null : Pattern.compile(memberRegex);
    this.file = file;
    this.max = maxDocumentChars;
  }

  @Override
  protected RawText compute() {
    if (failed) {
      return null;
    }
    RawText t;
    try {
      t = advance();
    } catch (IOException e) {
      failed = true;
      close();
      throw new UncheckedIOException(new IOException("read error in " + file + ": " + e, e));
    }
    if (t == null) {
      close();
    }
    return t;
  }

  private RawText advance() throws IOException {
    TarArchiveEntry e;
    while ((e = tar.getNextTarEntry()) != null) {
      if (!e.isFile() || members != null && !members.matcher(e.getName()).find()) {
        continue;
      }
      Reader r = SourceReader.utf8(new java.io.FilterInputStream(tar) {
        @Override
        public void close() {
          // the archive stays open for the next member
        }
      });
      StringBuilder doc = new StringBuilder();
      char[] buf = new char[8192];
      boolean oversized = false;
      int n;
      while ((n = r.read(buf)) >= 0) {
        if (!oversized) {
          doc.append(buf, 0, n);
          if (doc.length() > max + 1) { // + 1: a byte-order mark
            oversized = true;
            doc.setLength(0);
          }
        }
      }
      if (doc.length() > 0 && doc.charAt(0) == '\uFEFF') {
        doc.deleteCharAt(0);
      }
      if (doc.length() > max) {
        oversized = true;
      }
      RawText t = oversized ? RawText.dropped(DropReason.OVERSIZED) : RawText.of(doc.toString());
      return t.withMeta(e.getName(), null, null);
    }
    return null;
  }

  @Override
  public void close() {
    try {
      tar.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
