package dev.pretrain.corpus.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Cases from Google's tokenization_test.py and HF transformers' BERT tokenizer tests, plus edge cases. */
class BasicTokenizerTest {

  private static final BasicTokenizer UNCASED = new BasicTokenizer(true);
  private static final BasicTokenizer CASED = new BasicTokenizer(false);

  @Test
  void lowerCasesAndSplitsPunctuationAndWhitespace() {
    assertEquals(List.of("hello", "!", "how", "are", "you", "?"), UNCASED.tokenize(" \tHeLLo!how  \n Are yoU?  "));
    assertEquals(List.of("hello"), UNCASED.tokenize("H\u00E9llo"));
  }

  @Test
  void casedKeepsCaseAndAccents() {
    assertEquals(List.of("HeLLo", "!", "how", "Are", "yoU", "?"), CASED.tokenize(" \tHeLLo!how  \n Are yoU?  "));
    assertEquals(List.of("H\u00E9llo"), CASED.tokenize("H\u00E9llo"));
  }

  @Test
  void stripAccentsIndependentOfLowerCase() {
    String text = " \tH\u00E4LLo!how  \n Are yoU?  ";
    assertEquals(List.of("h\u00E4llo", "!", "how", "are", "you", "?"), new BasicTokenizer(true, false).tokenize(text));
    assertEquals(List.of("hallo", "!", "how", "are", "you", "?"), new BasicTokenizer(true, true).tokenize(text));
    assertEquals(List.of("HaLLo", "!", "how", "Are", "yoU", "?"), new BasicTokenizer(false, true).tokenize(text));
    assertEquals(List.of("H\u00E4LLo", "!", "how", "Are", "yoU", "?"), new BasicTokenizer(false, false).tokenize(text));
    // HF normalizer example: "Héllò hôw are ü?"
    assertEquals(List.of("hello", "how", "are", "u", "?"), UNCASED.tokenize("H\u00E9ll\u00F2 h\u00F4w are \u00FC?"));
    // decomposed input: combining acute (Mn) is dropped when stripping, kept otherwise
    assertEquals(List.of("cafe"), UNCASED.tokenize("cafe\u0301"));
    assertEquals(List.of("cafe\u0301"), CASED.tokenize("cafe\u0301"));
  }

  @Test
  void chineseCharactersAreIsolated() {
    assertEquals(List.of("ah", "\u535A", "\u63A8", "zz"), UNCASED.tokenize("ah\u535A\u63A8zz"));
    // supplementary-plane ideograph (CJK Ext. B, U+20000) as a surrogate pair
    String ext = new String(Character.toChars(0x20000));
    assertEquals(List.of("a", ext, "b"), CASED.tokenize("a" + ext + "b"));
    // Hiragana is not in the CJK ranges: stays in the word
    assertEquals(List.of("x\u3042y"), CASED.tokenize("x\u3042y"));
    // CJK compatibility ideograph U+F900 is NFD-mapped to U+8C48 when stripping accents
    assertEquals(List.of("\u8C48"), UNCASED.tokenize("\uF900"));
    assertEquals(List.of("\uF900"), CASED.tokenize("\uF900"));
  }

  @Test
  void controlAndFormatCharactersAreRemoved() {
    assertEquals(List.of("ab", "cd"), UNCASED.tokenize("a\u0000b\uFFFD c\u0005d\u00AD"));
    assertEquals(List.of(), UNCASED.tokenize("\u00AD"));          // soft hyphen (Cf) alone
    assertEquals(List.of("ab"), CASED.tokenize("a\u200Bb"));       // zero-width space is Cf, not whitespace
    assertEquals(List.of("a", "b", "c"), CASED.tokenize("a\u00A0b\u3000c")); // Zs whitespace
    assertEquals(List.of("a", "b"), CASED.tokenize("a\r\nb"));
    assertEquals(List.of("a", "b"), CASED.tokenize("a\u2028b"));  // line separator: White_Space (HF)
  }

  @Test
  void unicodePunctuationIsIsolated() {
    assertEquals(List.of("don", "'", "t", "\u201C", "go", "\u201D", "\u2014", "now", "\u3002"),
        CASED.tokenize("don't \u201Cgo\u201D\u2014now\u3002"));
    // '$', '^', '`' and '~' are ASCII punctuation though not Unicode P*
    assertEquals(List.of("$", "5", "^", "2", "`", "~"), CASED.tokenize("$5^2`~"));
    // symbols that are not punctuation stay inside words
    assertEquals(List.of("a\u00A9b"), CASED.tokenize("a\u00A9b"));
  }

  @Test
  void specialTokensInTextAreSplitLikeTheReferenceBasicTokenizer() {
    assertEquals(List.of("[", "mask", "]", "x"), UNCASED.tokenize("[MASK] x"));
    assertEquals(List.of("[", "MASK", "]"), CASED.tokenize("[MASK]"));
  }

  @Test
  void lowerCaseIsPerCodePoint() {
    // Greek capital sigma at the end of a word: per-code-point lower case gives σ, not final ς
    assertEquals(List.of("\u03C3\u03C3"), new BasicTokenizer(true, false).tokenize("\u03A3\u03A3"));
    // İ lower-cases to i + U+0307 (kept without stripping, removed with it)
    assertEquals(List.of("i\u0307"), new BasicTokenizer(true, false).tokenize("\u0130"));
    assertEquals(List.of("i"), UNCASED.tokenize("\u0130"));
  }

  @Test
  void emptyAndBlank() {
    assertEquals(List.of(), UNCASED.tokenize(""));
    assertEquals(List.of(), UNCASED.tokenize(" \t\n "));
  }
}
