package dev.pretrain.corpus.ingest.filters;

import static dev.pretrain.examples.TestCorpora.mobyDickChapters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pretrain.corpus.ingest.Document;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each rule just inside and outside its threshold; lengths are counted by hand in the comments. */
class GopherRepetitionFilterTest {
  /** Line and paragraph rules only (the n-gram rules would also fire on repeated lines). */
  private static final GopherRepetitionFilter LINES = new GopherRepetitionFilter(0.3, 0.3, 0.2, 0.2, Map.of(),
      Map.of());

  /** {@code n} distinct lines of 6 distinct words each. */
  private static String unique(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append("alpha").append(i).append(" beta").append(i).append(" gamma").append(i).append(" delta").append(i)
          .append(" epsilon").append(i).append(" zeta").append(i).append(".\n");
    }
    return sb.toString();
  }

  @Test
  void duplicateLines() {
    // 10 lines: "ok." 4 times = 3 duplicates (0.3, not above), 5 times = 4 (0.4)
    assertNull(LINES.apply(unique(6) + "ok.\n".repeat(4)).dropRule());
    assertEquals("gopher_dup_line_frac", LINES.apply(unique(5) + "ok.\n".repeat(5)).dropRule());
  }

  @Test
  void duplicateParagraphs() {
    String seven = unique(6).replace("\n", "\n\n");
    assertNull(LINES.apply(seven + "ok.\n\n".repeat(4)).dropRule());
    String six = unique(5).replace("\n", "\n\n");
    assertEquals("gopher_dup_para_frac", LINES.apply(six + "ok.\n\n".repeat(5)).dropRule());
  }

  @Test
  void duplicateLineCharacters() {
    // lines of 20 chars: "abcdefghijklmnopqrs" + i; the duplicated line A of x chars twice; 6 lines, 5 '\n':
    // L = 4 * 20 + 2x + 5, x / L > 0.2 iff x > 28.33: x = 28 gives 28 / 141, x = 29 gives 29 / 143
    String four = "abcdefghijklmnopqrs1\nabcdefghijklmnopqrs2\nabcdefghijklmnopqrs3\nabcdefghijklmnopqrs4";
    String a28 = "x".repeat(28);
    String a29 = "x".repeat(29);
    assertEquals(141, (four + "\n" + a28 + "\n" + a28).length());
    assertNull(LINES.apply(four + "\n" + a28 + "\n" + a28).dropRule());
    assertEquals("gopher_dup_line_char_frac", LINES.apply(four + "\n" + a29 + "\n" + a29).dropRule());
  }

  @Test
  void topBigram() {
    GopherRepetitionFilter top2 = new GopherRepetitionFilter(1, 1, 1, 1, Map.of(2, 0.2), Map.of());
    // "ab cd" (5 chars) 4 times among unique words: 20 / L > 0.2 iff L < 100
    String base = "ab cd xa ab cd xb ab cd xc ab cd xd"; // 35 chars
    String at100 = base + " " + "z".repeat(64);
    String at99 = base + " " + "z".repeat(63);
    assertEquals(100, at100.length());
    assertNull(top2.apply(at100).dropRule());
    assertEquals("gopher_top_2_gram", top2.apply(at99).dropRule());
  }

  @Test
  void duplicatedFiveGrams() {
    GopherRepetitionFilter dup5 = new GopherRepetitionFilter(1, 1, 1, 1, Map.of(), Map.of(5, 0.15));
    // the second "a1 a2 a3 a4 a5" (14 chars) repeats the first: 14 / L > 0.15 iff L < 93.3
    String base = "a1 a2 a3 a4 a5 a1 a2 a3 a4 a5"; // 29 chars
    String at94 = base + " " + "z".repeat(64);
    String at93 = base + " " + "z".repeat(63);
    assertEquals(94, at94.length());
    assertNull(dup5.apply(at94).dropRule());
    assertEquals("gopher_duplicated_5_n_grams", dup5.apply(at93).dropRule());
    assertEquals(14, GopherRepetitionFilter.duplicatedNGramChars(Words.of(base), 5));
  }

  @Test
  void topNGramTiesGoToTheFirstSeen() {
    // "aa b" and "b c" both occur twice; "aa b" is seen first: 4 chars * 2 (not "b c": 3 * 2)
    assertEquals(8, GopherRepetitionFilter.topNGramChars(List.of("aa", "b", "c", "x", "b", "c", "y", "aa", "b"), 2));
  }

  @Test
  void mobyDickChaptersPass() {
    // Literary prose repeats few lines and n-grams; every chapter of 2,000+ characters should pass the paper's
    // thresholds (short chapters can have a dominant refrain, so they are left out).
    int tested = 0;
    for (Document d : mobyDickChapters()) {
      String text = String.join("\n", d.sentences());
      if (text.length() < 2000) {
        continue;
      }
      tested++;
      assertNull(GopherRepetitionFilter.DEFAULT.apply(text).dropRule(), text.substring(0, 80));
    }
    assertTrue(tested > 100, "chapters tested: " + tested);
  }
}
