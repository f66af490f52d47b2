package dev.pretrain.corpus.ingest.filters;

import static dev.pretrain.examples.TestCorpora.mobyDickChapters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Lingua on short sentences of real text: English from Moby-Dick (shared corpora); German and French from the
 * official UN translations of the Universal Declaration of Human Rights (articles 1 and 3), next to the English
 * originals; the other default candidates: article 1 in the UN translations.
 */
class LanguageFilterTest {
  private static final LanguageFilter EN = LanguageFilter.keeping(List.of("en"), LanguageFilter.DEFAULT_MIN_CONFIDENCE);

  static final List<String> UDHR_EN = List.of(
      "All human beings are born free and equal in dignity and rights.",
      "They are endowed with reason and conscience and should act towards one another in a spirit of brotherhood.",
      "Everyone has the right to life, liberty and security of person.");
  static final List<String> UDHR_DE = List.of(
      "Alle Menschen sind frei und gleich an Würde und Rechten geboren.",
      "Sie sind mit Vernunft und Gewissen begabt und sollen einander im Geist der Brüderlichkeit begegnen.",
      "Jeder hat das Recht auf Leben, Freiheit und Sicherheit der Person.");
  static final List<String> UDHR_FR = List.of(
      "Tous les êtres humains naissent libres et égaux en dignité et en droits.",
      "Ils sont doués de raison et de conscience et doivent agir les uns envers les autres dans un esprit de "
          + "fraternité.",
      "Tout individu a droit à la vie, à la liberté et à la sûreté de sa personne.");

  @Test
  void detectsEnglishGermanAndFrenchSentences() {
    for (String s : UDHR_EN) {
      assertEquals("en", EN.detect(s).language(), s);
      assertNull(EN.check(EN.detect(s)), s);
    }
    for (String s : UDHR_DE) {
      LanguageFilter.Detection d = EN.detect(s);
      assertEquals("de", d.language(), s);
      assertEquals("language_not_kept", EN.check(d));
    }
    for (String s : UDHR_FR) {
      assertEquals("fr", EN.detect(s).language(), s);
    }
  }

  @Test
  void mobyDickSentencesAreEnglish() {
    // sentences of at least 8 words: shorter ones ("Call me Ishmael.") carry too few n-grams to be sure
    int tested = 0;
    int english = 0;
    for (String s : mobyDickChapters().get(1).sentences()) {
      if (s.split(" ").length < 8) {
        continue;
      }
      tested++;
      if ("en".equals(EN.detect(s).language())) {
        english++;
      }
    }
    assertTrue(tested >= 20, "sentences: " + tested);
    assertTrue(english >= 0.9 * tested, english + " of " + tested);
  }

  @Test
  void confidenceBelowTheMinimumIsUndetermined() {
    // a single word shared by several languages: Dutch, German, Spanish... almost tie (relative distance ~0.02)
    LanguageFilter.Detection d = EN.detect("Hotel");
    assertEquals(LanguageFilter.UNDETERMINED, d.language());
    assertTrue(d.confidence() < LanguageFilter.DEFAULT_MIN_CONFIDENCE, "confidence " + d.confidence());
    assertEquals("language_undetermined", EN.check(d));
    LanguageFilter.Detection de = EN.detect(UDHR_DE.get(0));
    assertTrue(de.confidence() > 0.1, "a whole German sentence is clear: " + de.confidence());
    LanguageFilter strict = new LanguageFilter(List.of("en"), LanguageFilter.DEFAULT_CANDIDATES, 0.99, true, 500);
    assertEquals(LanguageFilter.UNDETERMINED, strict.detect(UDHR_EN.get(0)).language(),
        "a distance of 0.99 would need all other candidates to be near impossible");
    LanguageFilter tag = new LanguageFilter(List.of(), List.of("en", "de"), 0.05, false, 500);
    assertNull(tag.check(tag.detect(UDHR_DE.get(0))), "tag mode keeps every document");
    assertEquals("de", tag.detect(UDHR_DE.get(0)).language());
  }

  @Test
  void detectorIsBuiltOncePerCandidateSet() {
    LanguageFilter a = LanguageFilter.keeping(List.of("en"), 0.5);
    LanguageFilter b = LanguageFilter.keeping(List.of("EN"), 0.9);
    assertSame(a.detector(), b.detector());
  }

  @Test
  void badCodesAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LanguageFilter.keeping(List.of("xx"), 0.5));
    assertTrue(e.getMessage().contains("'xx'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LanguageFilter(List.of("en"), List.of(), 0.5, true, 10));
    assertThrows(IllegalArgumentException.class, () -> LanguageFilter.keeping(List.of("en"), 1.5));
  }

  @Test
  void theEightDefaultCandidatesAndTheirHeap() {
    // Prints the heap that Lingua's models take once loaded (quoted in LanguageFilter's Javadoc; it is a delta
    // only when no other test of this JVM loaded models first).
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long before = rt.totalMemory() - rt.freeMemory();
    LanguageFilter all = new LanguageFilter(List.of("en"), LanguageFilter.DEFAULT_CANDIDATES, 0.0, true, 500);
    String[][] samples = {{"en", UDHR_EN.get(0)}, {"de", UDHR_DE.get(0)}, {"fr", UDHR_FR.get(0)},
        {"ru", "Все люди рождаются свободными и равными в своем достоинстве и правах."},
        {"es", "Todos los seres humanos nacen libres e iguales en dignidad y derechos."},
        {"it", "Tutti gli esseri umani nascono liberi ed eguali in dignità e diritti."},
        {"pt", "Todos os seres humanos nascem livres e iguais em dignidade e em direitos."},
        {"nl", "Alle mensen worden vrij en gelijk in waardigheid en rechten geboren."}};
    for (String[] s : samples) {
      assertEquals(s[0], all.detect(s[1]).language(), s[1]);
    }
    System.gc();
    long after = rt.totalMemory() - rt.freeMemory();
    System.out.printf("[LanguageFilterTest] heap used by the Lingua models: %.0f MB (before %d MB, after %d MB)%n",
        (after - before) / 1e6, before >> 20, after >> 20);
  }
}
