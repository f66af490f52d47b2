package dev.pretrain.corpus.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QualityFiltersTest {
  private final DocumentProcessor proc = new DocumentProcessor(new TextCleaner(false, false),
      new SentenceSegmenter("en"), new QualityFilters(10, 200, 1, 0.3, 0.3, true));

  @Test
  void ratios() {
    assertEquals(0.0, QualityFilters.symbolRatio("abc def 123"));
    assertEquals(0.5, QualityFilters.symbolRatio("a#b$"));
    assertEquals(0.0, QualityFilters.repeatedLineRatio("a\nb\nc"));
    assertEquals(0.5, QualityFilters.repeatedLineRatio("a\nb\na\na"));
    assertThrows(IllegalArgumentException.class, () -> new QualityFilters(0, 0, 0, 1.5, 0, false));
  }

  @Test
  void eachFilterHasItsReason() {
    assertTrue(proc.process("s", "A perfectly normal sentence. And another one.").kept());
    assertEquals(DropReason.TOO_LONG, proc.process("s", "word ".repeat(60)).dropReason());
    assertEquals(DropReason.TOO_MANY_SYMBOLS, proc.process("s", "#### $$$$ %%%% hello !!!!").dropReason());
    assertEquals(DropReason.REPEATED_LINES,
        proc.process("s", "Buy now here.\nBuy now here.\nBuy now here.\nSomething else.").dropReason());
    assertEquals(DropReason.INVALID_UTF8, proc.process("s", "Broken \uFFFD byte in a long sentence.").dropReason());
    assertEquals(DropReason.TOO_SHORT, proc.process("s", "Tiny.").dropReason());
    assertEquals("symbol_ratio", DropReason.TOO_MANY_SYMBOLS.key());
    // the legacy constructor keeps only the minimums
    DocumentProcessor legacy = new DocumentProcessor(new TextCleaner(false, false), new SentenceSegmenter("en"), 5, 1);
    assertTrue(legacy.process("s", "#### $$$$ %%%% hello !!!!").kept());
  }
}
