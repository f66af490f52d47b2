package dev.pretrain.corpus.ingest;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The lines of a reader with bounded memory: a line longer than {@code maxChars} is returned cut to its first
 * {@code maxChars + 1} characters (so callers can tell it was too long) and the rest of it is skipped unread
 * into memory. Lines end at {@code '\n'}; a trailing {@code '\r'} stays (the splitter strips it). A byte-order
 * mark (U+FEFF) at the very start is skipped. The reader is closed when the lines run out; an
 * {@link IOException} surfaces as {@link UncheckedIOException} naming the file. Single use, not thread-safe.
 */
public final class BoundedLines implements Iterator<String>, AutoCloseable {
  private final Reader reader;
  private final String file;
  private final int maxChars;
  private final char[] buf = new char[1 << 16];
  private int pos;
  private int len;
  private boolean eof;
  private boolean closed;
  private boolean first = true;
  private String next;
  private long lineNo;

  /**
   * @param maxChars the longest line kept whole, {@code >= 1}
   */
  public BoundedLines(Reader reader, String file, int maxChars) {
    if (maxChars < 1) {
      throw new IllegalArgumentException("maxChars must be >= 1, got " + maxChars);
    }
    this.reader = reader;
    this.file = file;
    this.maxChars = maxChars;
  }

  /** 1-based number of the last line returned. */
  public long lineNumber() {
    return lineNo;
  }

  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    int n = reader.read(buf, 0, buf.length);
    if (n < 0) {
      eof = true;
      return false;
    }
    pos = 0;
    len = n;
    if (first) {
      first = false;
      if (n > 0 && buf[0] == '\uFEFF') {
        pos = 1;
      }
    }
    return true;
  }

  private String readLine() throws IOException {
    StringBuilder sb = null;
    boolean any = false;
    while (true) {
      if (pos >= len && !fill()) {
        return any ? (sb == null ? "" : sb.toString()) : null;
      }
      any = true;
      int start = pos;
      while (pos < len && buf[pos] != '\n') {
        pos++;
      }
      int take = pos - start;
      if (sb == null) {
        sb = new StringBuilder(Math.min(take + 16, maxChars + 1));
      }
      int room = maxChars + 1 - sb.length();
      if (room > 0) {
        sb.append(buf, start, Math.min(room, take));
      }
      if (pos < len) {
        pos++; // the '\n'
        return sb.toString();
      }
    }
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (closed) {
      return false;
    }
    try {
      next = readLine();
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("read error in " + file + " after line " + lineNo + ": " + e, e);
    }
    if (next == null) {
      close();
      return false;
    }
    lineNo++;
    return true;
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

  @Override
  public void close() {
    closed = true;
    try {
      reader.close();
    } catch (IOException ignored) {
      // nothing left to read
    }
  }
}
