package dev.pretrain.corpus.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class VocabTest {
  static final Path BERT = Path.of(System.getProperty("shared.dir", "../shared"), "data", "bert");

  @Test
  void readsGoogleUncasedVocab() throws IOException {
    Vocab v = Vocab.read(BERT.resolve("bert-base-uncased-vocab.txt"));
    assertEquals(30522, v.size());
    assertEquals(0, v.padId());
    assertEquals(100, v.unkId());
    assertEquals(101, v.clsId());
    assertEquals(102, v.sepId());
    assertEquals(103, v.maskId());
    assertEquals("[unused0]", v.token(1));
    assertEquals(7592, v.id("hello"));
    assertEquals(-1, v.id("Hello"));
    assertTrue(v.looksUncased());
  }

  @Test
  void readsGoogleCasedVocab() throws IOException {
    Vocab v = Vocab.read(BERT.resolve("bert-base-cased-vocab.txt"));
    assertEquals(28996, v.size());
    assertEquals(100, v.unkId());
    assertEquals(103, v.maskId());
    assertEquals(8667, v.id("Hello"));
    assertFalse(v.looksUncased());
  }

  @Test
  void writeReadRoundTripIsByteIdentical() throws IOException {
    Path file = BERT.resolve("bert-base-uncased-vocab.txt");
    Vocab v = Vocab.read(file);
    StringWriter w = new StringWriter();
    v.write(w);
    assertEquals(Files.readString(file, StandardCharsets.UTF_8), w.toString());
    Vocab again = Vocab.read(new StringReader(w.toString()));
    assertEquals(v.tokens(), again.tokens());
  }

  @Test
  void crlfAndTrailingSpaceAreTrimmed() throws IOException {
    Vocab v = Vocab.read(new StringReader("[PAD]\r\n[UNK] \r\nfoo\r\n"));
    assertEquals(List.of("[PAD]", "[UNK]", "foo"), v.tokens());
    assertEquals(1, v.unkId());
  }

  @Test
  void rejectsDuplicatesAndEmptyLines() {
    IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
        () -> Vocab.read(new StringReader("a\nb\na\n")));
    assertTrue(dup.getMessage().contains("duplicate token 'a'"), dup.getMessage());
    assertTrue(dup.getMessage().contains("lines 1 and 3"), dup.getMessage());
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
        () -> Vocab.read(new StringReader("a\n\nb\n")));
    assertTrue(empty.getMessage().contains("line 2"), empty.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Vocab.of(List.of("x", "")));
  }

  @Test
  void missingSpecialTokenThrowsIllegalState() {
    Vocab v = Vocab.of(List.of("[PAD]", "a"));
    assertEquals(0, v.padId());
    IllegalStateException e = assertThrows(IllegalStateException.class, v::maskId);
    assertTrue(e.getMessage().contains("[MASK]"));
  }

  @Test
  void specialTokenDefaults() {
    assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"), SpecialTokens.bertDefaults());
  }
}
