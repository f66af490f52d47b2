package dev.pretrain.corpus.ingest.filters;

import static dev.pretrain.examples.TestCorpora.rawDocuments;
import static dev.pretrain.examples.TestCorpora.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.corpus.ingest.TextCleaner;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each rule just inside and just outside its paper threshold. Expected values follow from the rule definitions:
 * tokens are the words and each punctuation mark; e.g. "the and" + 48 x "abcd" + "." is 50 non-symbol words and 51
 * tokens.
 */
class GopherQualityFilterTest {
  private static final GopherQualityFilter F = GopherQualityFilter.DEFAULT;

  /** "the and" then {@code n} copies of {@code word}, space-separated. */
  private static String words(int n, String word) {
    return "the and" + (" " + word).repeat(n);
  }

  private static String rule(String text) {
    return F.apply(text).dropRule();
  }

  @Test
  void wordCount() {
    assertNull(rule(words(48, "abcd") + "."), "50 non-symbol words");
    assertEquals("gopher_short_doc", rule(words(47, "abcd") + "."), "49 non-symbol words");
    GopherQualityFilter max = GopherQualityFilter.withParams(Map.of("max_doc_words", "60"));
    assertNull(max.apply(words(58, "abcd")).dropRule());
    assertEquals("gopher_long_doc", max.apply(words(59, "abcd")).dropRule());
  }

  @Test
  void meanWordLength() {
    // (3 + 3 + 48 * 3) / 50 = 3.0 is not below 3; one "ab" instead of "abc": 149 / 50 = 2.98
    assertNull(rule(words(48, "abc")));
    assertEquals("gopher_below_avg_word_length", rule(words(47, "abc") + " ab"));
    // (6 + 46 * 10 + 2 * 17) / 50 = 10.0 is not above 10; 48 words of 11: (6 + 528) / 50 = 10.68
    assertNull(rule(words(46, "abcdefghij") + " abcdefghijklmnopq abcdefghijklmnopq"));
    assertEquals("gopher_above_avg_word_length", rule(words(48, "abcdefghijk")));
  }

  @Test
  void hashesAndEllipsesPerWord() {
    // 50 words + "." = 51 tokens; h hashes add h tokens: 5 / 56 = 0.089, 6 / 57 = 0.105 > 0.1
    String base = words(48, "abcd");
    assertNull(rule(base + " #".repeat(5) + "."));
    assertEquals("gopher_too_many_hashes", rule(base + " #".repeat(6) + "."));
    assertNull(rule(base + " …".repeat(5) + "."));
    assertEquals("gopher_too_many_ellipsis", rule(base + " …".repeat(6) + "."));
  }

  @Test
  void bulletAndEllipsisLines() {
    // 10 lines of 10 words: 9 bullet lines = 0.9 is not above 0.9; 10 = 1.0
    String line = "the and abcd abcd abcd abcd abcd abcd abcd abcd";
    StringBuilder nine = new StringBuilder();
    StringBuilder ten = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      nine.append(i < 9 ? "- " : "").append(line).append(".\n");
      ten.append("• ").append(line).append(".\n");
    }
    assertNull(rule(nine.toString()));
    assertEquals("gopher_too_many_bullets", rule(ten.toString()));
    // 3 of 10 lines ending in an ellipsis = 0.3 is not above 0.3; 4 = 0.4
    StringBuilder three = new StringBuilder();
    StringBuilder four = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      three.append(line).append(i < 3 ? "…" : ".").append('\n');
      four.append(line).append(i < 4 ? "… " : ".").append('\n');
    }
    assertNull(rule(three.toString()));
    assertEquals("gopher_too_many_end_ellipsis", rule(four.toString()), "trailing blanks are ignored");
  }

  @Test
  void wordsWithLetters() {
    // 40 words with letters of 50 tokens = 0.8 is not below 0.8; 39 = 0.78
    assertNull(rule(words(38, "abcd") + " 1234".repeat(10)));
    assertEquals("gopher_below_alpha_words", rule(words(37, "abcd") + " 1234".repeat(11)));
  }

  @Test
  void stopWords() {
    assertNull(rule(words(48, "abcd")), "the, and: 2 distinct stop words");
    assertEquals("gopher_too_few_stop_words", rule("The the" + " abcd".repeat(48)), "1 distinct stop word");
  }

  @Test
  void overridesAreCheckedAndZeroSwitchesARuleOff() {
    assertNull(GopherQualityFilter.withParams(Map.of("min_doc_words", "0", "min_stop_words", "0"))
        .apply("short text here").dropRule());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GopherQualityFilter.withParams(Map.of("min_doc_word", "3")));
    assertTrue(e.getMessage().contains("min_doc_word"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> GopherQualityFilter.withParams(Map.of("min_doc_words", "x")));
  }

  @Test
  void mostImdbReviewsPass() {
    // Movie reviews are edited prose; Gopher's rules target boilerplate, lists and spam. Reviews under 50 words
    // fail gopher_short_doc by design, so the share is taken over the reviews of at least 60 tokens. Punctuation
    // marks are tokens (as in the reference), so punctuation-heavy reviews can fall under the 80% of words with a
    // letter, and a review of 3 paragraphs with one ending in "..." has 33% ellipsis lines: "mostly" is taken
    // as more than 85%.
    SourceSpec spec = SourceSpec.tsv("imdb", "x", 4, true).withHtml(true);
    TextCleaner cleaner = new TextCleaner(true, false);
    int long_ = 0;
    int kept = 0;
    for (String raw : rawDocuments(spec, shared("corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz")).subList(0, 1000)) {
      String clean = cleaner.clean(raw);
      if (Words.of(clean).size() < 60) {
        continue;
      }
      long_++;
      if (F.apply(clean).kept()) {
        kept++;
      }
    }
    assertTrue(long_ > 800, "reviews of 60+ tokens: " + long_);
    assertTrue(kept > 0.85 * long_, kept + " of " + long_ + " kept");
  }
}
