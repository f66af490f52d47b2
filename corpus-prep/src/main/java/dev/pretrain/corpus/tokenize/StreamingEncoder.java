package dev.pretrain.corpus.tokenize;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;

/**
 * Line-by-line encoding of a text stream of any size with bounded memory: {@link BertTokenizer} semantics for
 * each line ({@code input_ids} without [CLS]/[SEP]; identical ids to {@link BertTokenizer#encode(String)} of the
 * line), but a line is never held whole. The text is read in chunks of {@link #CHUNK_CHARS} characters; words
 * that straddle a chunk boundary are carried over, and a word that grows beyond {@code 2 * (maxInputCharsPerWord
 * + 1)} UTF-16 units is truncated to that length, since it becomes one [UNK] whatever follows. Memory is
 * O(chunk + ids of one chunk) whatever the line length, e.g. for a 100 MB single-line file.
 *
 * <p>Lines: a line ends at {@code '\n'}; {@code '\r'} stays in the line (it is whitespace to the tokenizer, so
 * CRLF files give the same ids as LF files); a final line without {@code '\n'} counts; an empty input has zero
 * lines (as {@code wc -l}, Python's {@code readlines} and Spark's {@code textFile}; note the HF peer script
 * {@code hf_wordpiece.js} writes one empty line for an empty file). Each line's ids reach the {@link IdSink} in
 * one or more {@link IdSink#ids} calls followed by one {@link IdSink#endLine()}.
 *
 * <p>Bytes: {@link #encode(InputStream, IdSink)} decodes UTF-8 with {@link Utf8Reader}: malformed sequences
 * become U+FFFD (which BERT's text cleaning then drops) and are counted in {@link Stats#malformed()}. NUL bytes
 * (U+0000) are dropped by the text cleaning like other controls. Not thread-safe (one instance per thread).
 */
public final class StreamingEncoder {
  /** Characters read and tokenized per step. */
  public static final int CHUNK_CHARS = 1 << 16;

  /** Receives the ids of each line. */
  public interface IdSink {
    /** Ids {@code ids[from, from + count)} of the current line (int32 vocabulary ids, in order). */
    void ids(int[] ids, int from, int count) throws IOException;

    /** Ends the current line. */
    void endLine() throws IOException;

    /**
     * A sink that writes the ids as text, one line of space-separated decimal ids per input line, each ended by
     * {@code '\n'} (the {@code --ids-text} format). The stream is not closed or flushed per line; buffer it.
     */
    static IdSink text(OutputStream out) {
      return new IdSink() {
        private final byte[] buf = new byte[12];
        private boolean first = true;

        @Override
        public void ids(int[] ids, int from, int count) throws IOException {
          for (int i = from; i < from + count; i++) {
            if (!first) out.write(' ');
            first = false;
            int v = ids[i];
            int p = buf.length;
            do {
              buf[--p] = (byte) ('0' + v % 10);
              v /= 10;
            } while (v != 0);
            out.write(buf, p, buf.length - p);
          }
        }

        @Override
        public void endLine() throws IOException {
          out.write('\n');
          first = true;
        }
      };
    }
  }

  /**
   * Totals of one {@code encode} call.
   *
   * @param lines lines encoded
   * @param words basic-tokenized words (WordPiece inputs)
   * @param tokens ids written
   * @param unknown [UNK] ids written
   * @param overlongWords words with more than {@code maxInputCharsPerWord} code points (each one [UNK])
   * @param malformed U+FFFD inserted for malformed UTF-8 (0 when reading from a {@link Reader} that is not a
   *     {@link Utf8Reader})
   */
  public record Stats(long lines, long words, long tokens, long unknown, long overlongWords, long malformed) {
    /** @return [UNK] ids / ids, 0 when there are no ids */
    public double unkRate() {
      return tokens == 0 ? 0 : (double) unknown / tokens;
    }

    /** @return ids per word, 0 when there are no words */
    public double tokensPerWord() {
      return words == 0 ? 0 : (double) tokens / words;
    }

    /** @return share of words over the length limit, 0 when there are no words */
    public double overlongRate() {
      return words == 0 ? 0 : (double) overlongWords / words;
    }
  }

  private final BasicTokenizer basic;
  private final WordPieceTokenizer wordPiece;
  private final int unkId;
  private final int carryLimit;
  private final WordBuffer wb = new WordBuffer();
  private final IntBuffer ids = new IntBuffer(CHUNK_CHARS + 16);
  private final char[] buf = new char[CHUNK_CHARS];
  private long words;
  private long tokens;
  private long unknown;
  private long overlong;

  public StreamingEncoder(BertTokenizer tokenizer) {
    this.basic = tokenizer.basicTokenizer();
    this.wordPiece = tokenizer.wordPieceTokenizer();
    this.unkId = tokenizer.vocab().unkId();
    this.carryLimit = 2 * (wordPiece.maxInputCharsPerWord() + 1);
  }

  /** Encodes UTF-8 bytes (see the class comment for malformed input). Does not close {@code in}. */
  public Stats encode(InputStream in, IdSink sink) throws IOException {
    Utf8Reader r = new Utf8Reader(in);
    return encode(r, sink);
  }

  /** Encodes the text of {@code in} line by line. Does not close {@code in}. */
  public Stats encode(Reader in, IdSink sink) throws IOException {
    words = tokens = unknown = overlong = 0;
    long lines = 0;
    boolean lineOpen = false;
    wb.clear();
    int carry = 0; // a trailing high surrogate kept for the next read
    while (true) {
      int r = in.read(buf, carry, buf.length - carry);
      if (r < 0) break;
      int n = carry + r;
      carry = 0;
      if (n > 0 && Character.isHighSurrogate(buf[n - 1])) { // its low half may come with the next read
        n--;
        carry = 1;
      }
      int s = 0;
      for (int i = 0; i < n; i++) {
        if (buf[i] == '\n') {
          if (i > s) basic.splitChunk(new String(buf, s, i - s), 0, i - s, wb);
          wb.endWord();
          flush(sink, false);
          sink.endLine();
          lines++;
          lineOpen = false;
          s = i + 1;
        }
      }
      if (n > s) {
        basic.splitChunk(new String(buf, s, n - s), 0, n - s, wb);
        lineOpen = true;
        flush(sink, true);
      }
      if (carry == 1) buf[0] = buf[n];
    }
    if (carry == 1) { // lone high surrogate at the very end
      basic.splitChunk(String.valueOf(buf[0]), 0, 1, wb);
      lineOpen = true;
    }
    if (lineOpen) {
      wb.endWord();
      flush(sink, false);
      sink.endLine();
      lines++;
    }
    long bad = in instanceof Utf8Reader u ? u.malformedCount() : 0;
    return new Stats(lines, words, tokens, unknown, overlong, bad);
  }

  /** Encodes the closed words of {@code wb} into the sink; keeps the open word when {@code keepOpen}. */
  private void flush(IdSink sink, boolean keepOpen) throws IOException {
    ids.clear();
    int max = wordPiece.maxInputCharsPerWord();
    char[] chars = wb.chars;
    for (int w = 0; w < wb.count; w++) {
      int st = wb.start(w);
      int en = wb.end(w);
      if (en - st > max && Character.codePointCount(chars, st, en - st) > max) overlong++;
      wordPiece.encodeWord(chars, st, en, ids);
    }
    words += wb.count;
    int[] a = ids.array();
    for (int k = 0, m = ids.size(); k < m; k++) if (a[k] == unkId) unknown++;
    tokens += ids.size();
    if (ids.size() > 0) sink.ids(a, 0, ids.size());
    if (keepOpen) {
      wb.keepOpenWord(carryLimit);
    } else {
      wb.clear();
    }
  }
}
