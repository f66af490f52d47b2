package dev.pretrain.corpus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tiny-vocabulary cases of Google's tokenization_test.py. */
class WordPieceTokenizerTest {
  static final Vocab TINY = Vocab.of(List.of(
      "[UNK]", "[CLS]", "[SEP]", "want", "##want", "##ed", "wa", "un", "runn", "##ing", ","));

  @Test
  void greedyLongestMatchFirst() {
    WordPieceTokenizer wp = new WordPieceTokenizer(TINY, 100);
    assertEquals(List.of(), wp.tokenize(""));
    assertEquals(List.of("un", "##want", "##ed", "runn", "##ing"), wp.tokenize("unwanted running"));
    assertEquals(List.of("[UNK]", "runn", "##ing"), wp.tokenize("unwantedX running"));
    assertEquals(List.of("want"), wp.tokenize("want"));
    assertEquals(List.of("wa"), wp.tokenize("wa"));
    assertEquals(List.of("[UNK]"), wp.tokenize("w"));
  }

  @Test
  void fullTokenizer() {
    BertTokenizer t = new BertTokenizer(TINY, true);
    assertEquals(List.of("un", "##want", "##ed", ",", "runn", "##ing"), t.tokenize("UNwant\u00E9d,running"));
    assertArrayEquals(new int[] {7, 4, 5, 10, 8, 9}, t.encode("UNwant\u00E9d,running"));
  }

  @Test
  void longWordBecomesOneUnk() {
    Vocab v = Vocab.of(List.of("[UNK]", "a", "##a"));
    WordPieceTokenizer wp = new WordPieceTokenizer(v, WordPieceTokenizer.DEFAULT_MAX_INPUT_CHARS_PER_WORD);
    assertEquals(100, wp.tokenize("a".repeat(100)).size());
    assertEquals(List.of("[UNK]"), wp.tokenize("a".repeat(101)));
    BertTokenizer bt = new BertTokenizer(v, true);
    assertArrayEquals(new int[] {0, 1}, bt.encode("A".repeat(101) + " a"));
  }

  @Test
  void lengthLimitCountsCodePointsNotUtf16Units() {
    String g = new String(Character.toChars(0x10348)); // Gothic letter, a surrogate pair
    Vocab v = Vocab.of(List.of("[UNK]", g, "##" + g));
    WordPieceTokenizer wp = new WordPieceTokenizer(v, 3);
    assertEquals(List.of(g, "##" + g, "##" + g), wp.tokenize(g.repeat(3)));  // 6 chars, 3 code points
    assertEquals(List.of("[UNK]"), wp.tokenize(g.repeat(4)));
  }

  @Test
  void vocabWithoutContinuationPieces() {
    Vocab v = Vocab.of(List.of("[UNK]", "ab", "a"));
    WordPieceTokenizer wp = new WordPieceTokenizer(v, 100);
    assertEquals(List.of("ab"), wp.tokenize("ab"));
    assertEquals(List.of("[UNK]"), wp.tokenize("aba"));
  }

  @Test
  void requiresUnk() {
    assertThrows(IllegalStateException.class, () -> new WordPieceTokenizer(Vocab.of(List.of("a")), 100));
    assertThrows(IllegalArgumentException.class, () -> new WordPieceTokenizer(TINY, 0));
  }

  @Test
  void survivesJavaSerialization() throws Exception {
    BertTokenizer t = new BertTokenizer(TINY, true);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(t);
    }
    BertTokenizer back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (BertTokenizer) in.readObject();
    }
    assertArrayEquals(new int[] {7, 4, 5, 10, 8, 9}, back.encode("UNwant\u00E9d,running"));
  }

  @Test
  void encodeAppendsToBuffer() {
    BertTokenizer t = new BertTokenizer(TINY, true);
    IntBuffer buf = new IntBuffer(1);
    buf.add(1);
    assertEquals(2, t.encode("want, ", buf));
    assertArrayEquals(new int[] {1, 3, 10}, buf.toArray());
  }
}
