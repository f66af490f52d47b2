package dev.pretrain.corpus.ingest.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pretrain.corpus.ingest.DocumentProcessor;
import dev.pretrain.corpus.ingest.DropReason;
import dev.pretrain.corpus.ingest.IngestOutcome;
import dev.pretrain.corpus.ingest.QualityFilters;
import dev.pretrain.corpus.ingest.SentenceSegmenter;
import dev.pretrain.corpus.ingest.TextCleaner;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The filters composed by {@link DocumentProcessor}: the named rule of a drop, the language tag, C4 and PII edits. */
class WebFiltersTest {
  private static final String FIVE = "The first line of the text is fine and good.\n"
      + "The second line of the text is fine with it.\nThe third line is fine and that is all I have to say.\n"
      + "The fourth line is fine, they say, and they should know.\nThe fifth line is fine; write to a@b.org now.";

  private static DocumentProcessor processor(WebFilters web) {
    return new DocumentProcessor(new TextCleaner(false, false), new SentenceSegmenter("en"),
        QualityFilters.minimumsOnly(1, 1), web);
  }

  @Test
  void dropsNameTheirRuleAndKeptTextIsEdited() {
    WebFilters web = WebFilters.configure(false, false, true, false, null, true,
        LanguageFilter.keeping(List.of("en"), LanguageFilter.DEFAULT_MIN_CONFIDENCE), null);
    DocumentProcessor p = processor(web);
    IngestOutcome kept = p.process("s", FIVE + "\nMenu\nLog in");
    assertTrue(kept.kept(), kept.toString());
    assertEquals("en", kept.language());
    List<String> sentences = kept.document().sentences();
    assertEquals(5, sentences.size(), "C4 removed the two menu lines: " + sentences);
    assertEquals("The fifth line is fine; write to email@example.com now.", sentences.get(4));

    IngestOutcome lorem = p.process("s", FIVE + "\nLorem ipsum dolor sit amet.");
    assertEquals(DropReason.FILTERED, lorem.dropReason());
    assertEquals("c4_lorem_ipsum", lorem.dropKey());
    IngestOutcome german = p.process("s", "Alle Menschen sind frei und gleich an Würde und Rechten geboren.");
    assertEquals("language_not_kept", german.dropKey());
    assertEquals("de", german.language());
  }

  @Test
  void offLeavesTheProcessorAsBefore() {
    assertEquals(processor(WebFilters.OFF).process("s", FIVE + "\nMenu").document(),
        new DocumentProcessor(new TextCleaner(false, false), new SentenceSegmenter("en"), 1, 1)
            .process("s", FIVE + "\nMenu").document());
    assertNull(processor(WebFilters.OFF).process("s", FIVE).language());
  }

  @Test
  void configurationErrors() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WebFilters.configure(false, false, false, false, null, false, null, Map.of("c5", Map.of())));
    assertTrue(e.getMessage().contains("c5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> WebFilters.configure(false, false, false, false, null, false, null, Map.of("c4", Map.of())));
    assertTrue(e.getMessage().contains("not enabled"), e.getMessage());
  }
}
