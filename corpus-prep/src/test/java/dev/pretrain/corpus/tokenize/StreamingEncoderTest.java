package dev.pretrain.corpus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Robustness of file encoding: malformed UTF-8, NUL bytes, empty input, a 100 MB single line. */
class StreamingEncoderTest {
  static BertTokenizer uncased;

  @BeforeAll
  static void load() throws IOException {
    uncased = new BertTokenizer(Vocab.read(BertTokenizerTest.BERT.resolve("bert-base-uncased-vocab.txt")), true);
  }

  /** Collects lines of ids (small inputs only). */
  static final class Lines implements StreamingEncoder.IdSink {
    final List<int[]> lines = new ArrayList<>();
    IntBuffer cur = new IntBuffer();

    @Override
    public void ids(int[] ids, int from, int count) {
      for (int i = from; i < from + count; i++) cur.add(ids[i]);
    }

    @Override
    public void endLine() {
      lines.add(cur.toArray());
      cur = new IntBuffer();
    }
  }

  static Lines encode(byte[] bytes, StreamingEncoder.Stats[] stats) throws IOException {
    Lines sink = new Lines();
    stats[0] = new StreamingEncoder(uncased).encode(new ByteArrayInputStream(bytes), sink);
    return sink;
  }

  static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
    return out;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void malformedUtf8IsReplacedAndCounted() throws IOException {
    // FF never occurs in UTF-8; 80 is a lone continuation byte; E2 82 is a truncated 3-byte sequence (one maximal
    // subpart -> one U+FFFD); C0 AF is an overlong '/' (two U+FFFD); C3 at the end of input is truncated.
    byte[] in = concat(utf8("ab"), bytes(0xFF), utf8("cd e"), bytes(0x80), utf8("f "), bytes(0xE2, 0x82),
        utf8("g x"), bytes(0xC0, 0xAF), utf8("y\nend"), bytes(0xC3));
    String expected = "ab\uFFFDcd e\uFFFDf \uFFFDg x\uFFFD\uFFFDy\nend\uFFFD";
    Utf8Reader r = new Utf8Reader(new ByteArrayInputStream(in));
    assertEquals(expected, readAll(r));
    assertEquals(6, r.malformedCount());
    assertEquals(in.length, r.bytesRead());

    StreamingEncoder.Stats[] st = new StreamingEncoder.Stats[1];
    Lines out = encode(in, st);
    assertEquals(6, st[0].malformed());
    assertEquals(2, st[0].lines());
    // U+FFFD is dropped by BERT's text cleaning, so the bad bytes vanish from the word they sit in
    assertArrayEquals(uncased.encode("abcd ef g xy"), out.lines.get(0));
    assertArrayEquals(uncased.encode("end"), out.lines.get(1));
    assertArrayEquals(uncased.encode(expected.substring(0, expected.indexOf('\n'))), out.lines.get(0));
  }

  @Test
  void utf8ReaderMatchesJdkDecodingOnRandomBytesAcrossBufferBoundaries() throws IOException {
    Random rnd = new Random(42);
    for (int round = 0; round < 20; round++) {
      byte[] in = new byte[1 + rnd.nextInt(5000)];
      for (int i = 0; i < in.length; i++) {
        int b;
        do {
          b = rnd.nextInt(4) == 0 ? 0x20 + rnd.nextInt(0x60) : rnd.nextInt(256);
        } while (b == 0xEF); // no EF: a real U+FFFD (EF BF BD) in the input cannot occur
        in[i] = (byte) b;
      }
      String jdk = new String(in, StandardCharsets.UTF_8);
      Utf8Reader r = new Utf8Reader(new ByteArrayInputStream(in), 16 + rnd.nextInt(64));
      assertEquals(jdk, readAll(r), "round " + round);
      assertEquals(jdk.chars().filter(c -> c == 0xFFFD).count(), r.malformedCount(), "round " + round);
    }
  }

  @Test
  void nulBytesAreDropped() throws IOException {
    assertArrayEquals(uncased.encode("ab cd"), uncased.encode("a\u0000b c\u0000\u0000d"));
    assertEquals(0, uncased.encode("\u0000\u0000\u0000").length);
    StreamingEncoder.Stats[] st = new StreamingEncoder.Stats[1];
    Lines out = encode(concat(utf8("a"), bytes(0), utf8("b c"), bytes(0, 0), utf8("d\n"), bytes(0, 0, 0),
        utf8("\n"), bytes(0)), st);
    assertEquals(3, st[0].lines());
    assertEquals(0, st[0].malformed());
    assertArrayEquals(uncased.encode("ab cd"), out.lines.get(0));
    assertEquals(0, out.lines.get(1).length);
    assertEquals(0, out.lines.get(2).length);
  }

  @Test
  void emptyInputHasNoLines() throws IOException {
    StreamingEncoder.Stats[] st = new StreamingEncoder.Stats[1];
    Lines out = encode(new byte[0], st);
    assertEquals(0, st[0].lines());
    assertTrue(out.lines.isEmpty());
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    new StreamingEncoder(uncased).encode(new ByteArrayInputStream(new byte[0]), StreamingEncoder.IdSink.text(text));
    assertEquals(0, text.size());
    // a lone newline is one empty line; a final line without newline counts
    assertEquals(1, encode(utf8("\n"), st).lines.size());
    assertEquals(List.of("7592 2088", ""), textLines("Hello world\n\n"));
    assertEquals(List.of("7592", "2088"), textLines("Hello\nworld"));
  }

  private static List<String> textLines(String s) throws IOException {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    new StreamingEncoder(uncased).encode(new ByteArrayInputStream(utf8(s)), StreamingEncoder.IdSink.text(text));
    String t = text.toString(StandardCharsets.US_ASCII);
    assertTrue(t.endsWith("\n"));
    return Arrays.asList(t.substring(0, t.length() - 1).split("\n", -1));
  }

  @Test
  void streamingEqualsLineByLineOnRealText() throws IOException {
    List<String> lines = ParityTest.input("imdb-unsup-2000").subList(0, 500);
    StreamingEncoder.Stats[] st = new StreamingEncoder.Stats[1];
    Lines out = encode(utf8(String.join("\n", lines) + "\n"), st);
    assertEquals(lines.size(), out.lines.size());
    long tokens = 0;
    for (int i = 0; i < lines.size(); i++) {
      int[] e = uncased.encode(lines.get(i));
      tokens += e.length;
      assertArrayEquals(e, out.lines.get(i), "line " + (i + 1));
    }
    assertEquals(tokens, st[0].tokens());
    assertTrue(st[0].tokensPerWord() > 1.0 && st[0].tokensPerWord() < 1.5, "tokens/word " + st[0].tokensPerWord());
  }

  @Test
  void countsForReports() throws IOException {
    String line = "Hello " + "a".repeat(101) + " world\u0000";
    TokenizeCounts c = new TokenizeCounts();
    IntBuffer out = new IntBuffer();
    assertEquals(3, uncased.encode(line, out, c));
    assertEquals(1, c.texts);
    assertEquals(3, c.words);
    assertEquals(3, c.tokens);
    assertEquals(1, c.unknown);
    assertEquals(1, c.overlongWords);
    assertEquals(1.0 / 3, c.unkRate(), 1e-12);
    assertEquals(1.0 / 3, c.overlongWordRate(), 1e-12);
    assertEquals(1.0, c.tokensPerWord(), 1e-12);
    // the streaming encoder counts the same way
    StreamingEncoder.Stats[] st = new StreamingEncoder.Stats[1];
    encode(utf8(line + "\n" + line), st);
    assertEquals(new StreamingEncoder.Stats(2, 6, 6, 2, 2, 0), st[0]);
    assertEquals(6, c.add(c).words);
  }

  /**
   * A 100 MB single-line file: a phrase (with an accent, CJK, punctuation and a supplementary-plane character, so
   * that chunk boundaries fall inside words and surrogate pairs) repeated, with a 1,000,000-character word and
   * 1,000,000 NUL bytes in the middle. Ids are checked on the fly against the phrase's ids; no more than one
   * chunk's ids are ever handed over at once.
   */
  @Test
  void hundredMegabyteSingleLineWithBoundedMemory(@TempDir Path dir) throws IOException {
    String phrase = "The unaffable naïve café, 東京 costs $12.50! \uD83D\uDE00ok ";
    byte[] pb = utf8(phrase);
    long target = 100L * 1000 * 1000;
    long reps = target / pb.length / 2;
    Path file = dir.resolve("one-line.txt");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      for (long i = 0; i < reps; i++) out.write(pb);
      byte[] word = new byte[1_000_000];
      Arrays.fill(word, (byte) 'x');
      out.write(word);
      out.write(' ');
      out.write(new byte[1_000_000]); // NUL bytes: dropped
      for (long i = 0; i < reps; i++) out.write(pb);
    }
    assertTrue(Files.size(file) >= target);
    int[] p = uncased.encode(phrase);
    int unk = uncased.vocab().unkId();
    long expectedCount = 2 * reps * p.length + 1;
    // expected ids, generated lazily: phrase x reps, [UNK], phrase x reps
    class Check implements StreamingEncoder.IdSink {
      long pos;
      int maxPerCall;
      int lines;

      int expectedAt(long k) {
        long half = reps * p.length;
        if (k < half) return p[(int) (k % p.length)];
        if (k == half) return unk;
        return p[(int) ((k - half - 1) % p.length)];
      }

      @Override
      public void ids(int[] ids, int from, int count) {
        maxPerCall = Math.max(maxPerCall, count);
        for (int i = from; i < from + count; i++) {
          if (ids[i] != expectedAt(pos)) {
            throw new AssertionError("id " + pos + ": expected " + expectedAt(pos) + ", got " + ids[i]);
          }
          pos++;
        }
      }

      @Override
      public void endLine() {
        lines++;
      }
    }
    Check check = new Check();
    StreamingEncoder.Stats st;
    try (InputStream in = Files.newInputStream(file)) {
      st = new StreamingEncoder(uncased).encode(in, check);
    }
    assertEquals(expectedCount, check.pos);
    assertEquals(1, check.lines);
    assertEquals(1, st.lines());
    assertEquals(1, st.overlongWords());
    assertEquals(0, st.malformed());
    assertTrue(check.maxPerCall <= StreamingEncoder.CHUNK_CHARS, "ids per call " + check.maxPerCall);
  }

  private static String readAll(Reader r) throws IOException {
    StringBuilder sb = new StringBuilder();
    char[] b = new char[7];
    int n;
    while ((n = r.read(b, 0, b.length)) >= 0) sb.append(b, 0, n);
    return sb.toString();
  }
}
