package dev.pretrain.corpus.ingest.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.pretrain.corpus.ingest.SentenceSegmenter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class C4QualityFilterTest {
  private static final SentenceSegmenter EN = new SentenceSegmenter("en");
  private static final String FIVE = "The first line is fine.\nThe second line is fine.\nThe third line is fine.\n"
      + "The fourth line is fine.\nThe fifth line is fine.";

  private static FilterVerdict c4(String text) {
    return C4QualityFilter.DEFAULT.apply(text, EN);
  }

  @Test
  void keepsOnlyLinesWithTerminalPunctuationAndThreeWords() {
    String text = FIVE + "\nNo terminal punctuation here\nWait for it...\nTwo words.\nThree words here!\n"
        + "He said \"yes.\"";
    assertEquals(FIVE + "\nThree words here!\nHe said \"yes.\"", c4(text).text());
  }

  @Test
  void javascriptAndPolicyLinesAreRemoved() {
    String text = FIVE + "\nPlease enable JavaScript to view this.\nThis site uses cookies to track you.\n"
        + "Read our Privacy Policy today.";
    assertEquals(FIVE, c4(text).text());
  }

  @Test
  void removedLinesAreCountedPerRuleOnceEachBlankLinesNot() {
    C4QualityFilter f = C4QualityFilter.withParams(Map.of("max_word_length", "10"));
    String text = FIVE + "\n\nNo terminal stop here\nWait for it...\n  \nTwo words.\nAn elevenchars word.\n"
        + "Please enable JavaScript to view this.\nThis site uses cookies to track you.\n"
        + "Read our Privacy Policy today.\nA tenletters word is kept.\nJavaScript without a stop";
    FilterVerdict v = f.apply(text, EN);
    assertEquals(FIVE + "\nA tenletters word is kept.", v.text());
    // the last line: no terminal punctuation is checked before javascript, so it counts there only
    assertEquals(Map.of("c4_line_long_word", 1, "c4_line_no_terminal_punct", 3, "c4_line_too_few_words", 1,
        "c4_line_javascript", 1, "c4_line_policy", 2), v.linesRemoved());
    assertEquals(C4QualityFilter.LINE_RULES, List.copyOf(v.linesRemoved().keySet()), "in rule order");
    assertEquals(Map.of(), c4(FIVE).linesRemoved(), "nothing removed, nothing counted");
    C4QualityFilter docLevel = C4QualityFilter.withParams(Map.of("remove_lines", "false"));
    assertEquals(Map.of(), docLevel.apply(text, EN).linesRemoved(), "document-level mode removes no line");
    assertEquals(Map.of(), c4("Too short.\nJavaScript here.").linesRemoved(), "dropped: none");
  }

  @Test
  void citationsAreRemovedBeforeThePunctuationCheck() {
    assertEquals(FIVE + "\nParis is the capital of France.",
        c4(FIVE + "\nParis is the capital of France.[12]").text());
    assertEquals(FIVE + "\nIt is a city.", c4(FIVE + "\nIt is a city.[citation needed]").text());
  }

  @Test
  void lineWithAWordOverTheLimitIsRemoved() {
    C4QualityFilter f = C4QualityFilter.withParams(Map.of("max_word_length", "10"));
    assertEquals(FIVE + "\nA tenletters word.", f.apply(FIVE + "\nA tenletters word.\nAn elevenchars word.", EN).text());
  }

  @Test
  void documentRules() {
    assertEquals("c4_lorem_ipsum", c4(FIVE + "\nLorem ipsum dolor sit amet.").dropRule());
    assertEquals("c4_curly_bracket", c4(FIVE + "\nfunction f() { return 1; }.").dropRule());
    // a curly bracket on a line removed before the check does not count (no terminal punctuation)
    assertNull(c4(FIVE + "\nvar x = {a: 1}").dropRule());
  }

  @Test
  void minimumSentencesCountsTheKeptLines() {
    String four = "The first line is fine.\nThe second line is fine.\nThe third line is fine.\nFourth line is fine.";
    assertEquals("c4_too_few_sentences", c4(four + "\nno punctuation so removed").dropRule());
    assertNull(c4(four.replace("Fourth line is fine.", "Fourth line is fine. So is this.")).dropRule(),
        "two sentences on one line: 5 in all");
  }

  @Test
  void documentLevelModeKeepsTheText() {
    C4QualityFilter docLevel = C4QualityFilter.withParams(Map.of("remove_lines", "false"));
    String text = FIVE + "\nNo terminal punctuation here";
    assertEquals(text, docLevel.apply(text, EN).text());
    assertEquals("c4_lorem_ipsum", docLevel.apply(FIVE + "\nLorem ipsum dolor sit amet.", EN).dropRule());
  }
}
