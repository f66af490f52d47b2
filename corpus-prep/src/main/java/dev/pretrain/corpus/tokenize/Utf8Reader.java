package dev.pretrain.corpus.tokenize;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A UTF-8 {@link Reader} that never fails on bad input: every malformed or truncated byte sequence is replaced by
 * one U+FFFD REPLACEMENT CHARACTER and counted ({@link #malformedCount()}). Replacement follows the JDK's UTF-8
 * decoder, i.e. the same characters as {@code new String(bytes, UTF_8)}: one U+FFFD per maximal invalid subpart
 * (the Unicode/WHATWG practice that Node's {@code Buffer.toString('utf8')} follows, e.g. {@code E2 82 'g'} gives
 * one, the overlong {@code C0 AF} two), except that an encoded surrogate ({@code ED A0..BF 80..BF}, CESU-8) gives
 * one U+FFFD where Node gives three (measured with JDK 17 and Node 20). BERT's text cleaning drops U+FFFD, so the
 * token ids do not depend on the count. A leading byte-order mark is kept as U+FEFF (a Cf control, also dropped
 * by the cleaning). Not thread-safe.
 */
public final class Utf8Reader extends Reader {
  private final InputStream in;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteBuffer bytes;
  private final CharBuffer chars;
  private boolean eof;
  private boolean flushed;
  private long malformed;
  private long bytesRead;

  /** @param in UTF-8 bytes (not closed until {@link #close()}) */
  public Utf8Reader(InputStream in) {
    this(in, 1 << 16);
  }

  public Utf8Reader(InputStream in, int bufferSize) {
    if (in == null) throw new NullPointerException("in");
    if (bufferSize < 16) throw new IllegalArgumentException("bufferSize must be >= 16, got " + bufferSize);
    this.in = in;
    this.bytes = ByteBuffer.allocate(bufferSize);
    this.bytes.flip();
    this.chars = CharBuffer.allocate(bufferSize);
    this.chars.flip();
  }

  /** @return the number of U+FFFD characters inserted so far for malformed or truncated byte sequences */
  public long malformedCount() {
    return malformed;
  }

  /** @return the number of bytes read from the underlying stream so far */
  public long bytesRead() {
    return bytesRead;
  }

  @Override
  public int read(char[] cbuf, int off, int len) throws IOException {
    if (len == 0) return 0;
    while (!chars.hasRemaining()) {
      if (flushed) return -1;
      fill();
    }
    int n = Math.min(len, chars.remaining());
    chars.get(cbuf, off, n);
    return n;
  }

  private void fill() throws IOException {
    chars.clear();
    try {
      while (chars.position() == 0) {
        if (!eof && bytes.remaining() < 4) {
          bytes.compact();
          int r = in.read(bytes.array(), bytes.position(), bytes.remaining());
          if (r < 0) {
            eof = true;
          } else {
            bytes.position(bytes.position() + r);
            bytesRead += r;
          }
          bytes.flip();
        }
        CoderResult cr = decoder.decode(bytes, chars, eof);
        if (cr.isError()) {
          // malformed (or, for UTF-8, never: unmappable) input of cr.length() bytes: one U+FFFD
          if (!chars.hasRemaining()) return; // room for the replacement next time; bytes stay unconsumed
          bytes.position(bytes.position() + cr.length());
          chars.put('\uFFFD');
          malformed++;
        } else if (cr.isUnderflow() && eof) {
          if (!bytes.hasRemaining()) {
            decoder.flush(chars);
            flushed = true;
            return;
          }
        } else if (cr.isOverflow()) {
          return;
        }
      }
    } finally {
      chars.flip();
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
