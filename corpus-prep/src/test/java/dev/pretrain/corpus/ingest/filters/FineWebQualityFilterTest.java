package dev.pretrain.corpus.ingest.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class FineWebQualityFilterTest {
  private static final FineWebQualityFilter F = FineWebQualityFilter.DEFAULT;

  /** Line i: 9 distinct words, over 30 characters, ending in '.' if {@code punct}. */
  private static String longLine(int i, boolean punct) {
    return "This is the long line number " + i + " of the text" + (punct ? "." : "");
  }

  @Test
  void linePunctuationRatio() {
    // 25 lines: 3 with terminal punctuation = 0.12 (not above 0.12: dropped), 4 = 0.16
    StringBuilder three = new StringBuilder();
    StringBuilder four = new StringBuilder();
    for (int i = 0; i < 25; i++) {
      three.append(i > 0 ? "\n" : "").append(longLine(i, i < 3));
      four.append(i > 0 ? "\n" : "").append(longLine(i, i < 4));
    }
    assertEquals("fineweb_line_punct_ratio", F.apply(three.toString()).dropRule());
    assertNull(F.apply(four.toString()).dropRule());
  }

  @Test
  void shortLineRatio() {
    // 100 lines: 67 of at most 30 characters = 0.67 (dropped), 66 = 0.66
    assertEquals("fineweb_short_line_ratio", F.apply(mixed(67)).dropRule());
    assertNull(F.apply(mixed(66)).dropRule());
  }

  private static String mixed(int shortLines) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      sb.append(i > 0 ? "\n" : "").append(i < shortLines ? "Short line number " + i + " here." : longLine(i, true));
    }
    return sb.toString();
  }

  @Test
  void duplicateCharacterRatio() {
    // 20 distinct lines of 40 characters + the duplicated line D of d characters twice: chars without '\n' =
    // 800 + 2d; d / (800 + 2d) >= 0.01 iff d >= 8.16: "Go home." (8) kept, "Go homes." (9) dropped
    StringBuilder sb = new StringBuilder();
    for (int i = 10; i < 30; i++) {
      sb.append("Line ").append(i).append(" holds exactly forty characters..\n");
    }
    String base = sb.toString();
    assertEquals(40, "Line 10 holds exactly forty characters..".length());
    assertNull(F.apply(base + "Go home.\nGo home.").dropRule());
    assertEquals("fineweb_char_dup_ratio", F.apply(base + "Go homes.\nGo homes.").dropRule());
  }

  @Test
  void listRatio() {
    // lines of 3 tokens ("<word> <word>" + "."): 10 lines = 9 '\n' / 30 tokens = 0.3 (kept), 11 = 10 / 33
    StringBuilder ten = new StringBuilder();
    for (int i = 0; i < 11; i++) {
      if (i == 10) {
        assertNull(F.apply(ten.toString()).dropRule());
      }
      ten.append(i > 0 ? "\n" : "").append("Incomprehensibilities notwithstanding").append(i).append('.');
    }
    assertEquals("fineweb_list_ratio", F.apply(ten.toString()).dropRule());
  }
}
