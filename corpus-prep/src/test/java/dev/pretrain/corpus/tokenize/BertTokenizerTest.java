package dev.pretrain.corpus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Google BERT-Base vocabularies; expected outputs are the published examples of Google/HF documentation. */
class BertTokenizerTest {
  static final Path BERT = Path.of(System.getProperty("shared.dir", "../shared"), "data", "bert");
  static BertTokenizer uncased;
  static BertTokenizer cased;

  @BeforeAll
  static void load() throws IOException {
    uncased = new BertTokenizer(Vocab.read(BERT.resolve("bert-base-uncased-vocab.txt")), true);
    cased = new BertTokenizer(Vocab.read(BERT.resolve("bert-base-cased-vocab.txt")), false);
  }

  @Test
  void helloWorldIds() {
    // well-known input_ids of "Hello world" without [CLS]=101/[SEP]=102
    assertArrayEquals(new int[] {7592, 2088}, uncased.encode("Hello world"));
    assertArrayEquals(new int[] {8667, 1362}, cased.encode("Hello world"));
  }

  @Test
  void documentedExamples() {
    // HF "Summary of the tokenizers" (bert-base-uncased)
    assertEquals(List.of("i", "have", "a", "new", "gp", "##u", "!"), uncased.tokenize("I have a new GPU!"));
    // HF glossary (bert-base-cased)
    assertEquals(List.of("A", "Titan", "R", "##T", "##X", "has", "24", "##GB", "of", "V", "##RA", "##M"),
        cased.tokenize("A Titan RTX has 24GB of VRAM"));
  }

  @Test
  void sampleTextHasNoUnknownAsciiWords() throws IOException {
    // every ASCII word of sample_text.txt is covered by both vocabularies (all ASCII characters are in them)
    int unk = uncased.vocab().unkId();
    for (String line : ParityTest.input("sample_text")) {
      String ascii = line.replaceAll("[^\\x00-\\x7F]", " ");
      for (int id : uncased.encode(ascii)) assertTrue(id != unk, line);
      for (int id : cased.encode(ascii)) assertTrue(id != cased.vocab().unkId(), line);
    }
  }

  @Test
  void unicodeAndCjkOfSampleText() {
    // first line of sample_text.txt contains CJK ideographs, each its own token
    List<String> t = uncased.tokenize("\u529B\u52A0\u52DD\u5317\u533A");
    assertEquals(List.of("\u529B", "\u52A0", "\u52DD", "\u5317", "\u533A"), t);
  }

  @Test
  void accentsStrippedOnlyWhenUncased() {
    assertEquals(List.of("cafe"), uncased.tokenize("Caf\u00E9"));
    assertTrue(cased.tokenize("Caf\u00E9").stream().noneMatch(s -> s.equals("Cafe")));
  }

  @Test
  void encodeAgreesWithTokenize() {
    String s = "The quick brown fox, who was un-re-markable, jumped (twice)!";
    int[] ids = uncased.encode(s);
    List<String> toks = uncased.tokenize(s);
    assertEquals(toks.size(), ids.length);
    for (int i = 0; i < ids.length; i++) assertEquals(toks.get(i), uncased.vocab().token(ids[i]));
  }
}
