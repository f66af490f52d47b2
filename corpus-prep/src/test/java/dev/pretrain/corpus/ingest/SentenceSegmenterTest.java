package dev.pretrain.corpus.ingest;

import static dev.pretrain.examples.TestCorpora.rawDocuments;
import static dev.pretrain.examples.TestCorpora.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentenceSegmenterTest {
  private final SentenceSegmenter en = new SentenceSegmenter("en");

  @Test
  void splitsSentencesAndSuppressesCommonAbbreviations() {
    assertEquals(List.of("Mr. Smith went to Washington.", "He arrived at 3 p.m. on Monday!", "Did he?"),
        en.split("Mr. Smith went to Washington. He arrived at 3 p.m. on Monday! Did he?"));
  }

  @Test
  void newlineIsAHardBoundaryAndEmptiesAreDropped() {
    assertEquals(List.of("no final stop", "Next paragraph.", "Two."),
        en.split("no final stop\n\n  Next paragraph. Two.  \n"));
    assertTrue(en.split("").isEmpty());
    assertTrue(en.split(null).isEmpty());
  }

  @Test
  void survivesJavaSerializationAndRejectsBadTags() throws Exception {
    assertEquals(2, en.split("One. Two.").size()); // iterator created before serialization
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(en);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      SentenceSegmenter copy = (SentenceSegmenter) in.readObject();
      assertEquals(List.of("One.", "Two."), copy.split("One. Two."));
    }
    assertThrows(IllegalArgumentException.class, () -> new SentenceSegmenter("en_US!"));
  }

  @Test
  void mobyDickChapterOne() {
    SourceSpec spec = SourceSpec.gutenbergChapters("moby", "m");
    String ch1 = spec.cleaner().clean(rawDocuments(spec, shared("corpora/moby-dick.txt")).get(0));
    List<String> sentences = en.split(ch1);
    assertEquals("Call me Ishmael.", sentences.get(0));
    assertTrue(sentences.get(1).startsWith("Some years ago—never mind how long precisely—having little"));
    for (String s : sentences) {
      assertFalse(s.contains("\n"));
      assertEquals(s.strip(), s);
    }
    // every sentence but a paragraph's last ends with terminal punctuation (possibly followed by quotes)
    long terminal = sentences.stream().filter(s -> s.matches(".*[.!?;:—\"”’')]+$")).count();
    assertTrue(terminal > 0.9 * sentences.size(), terminal + " of " + sentences.size());
    assertTrue(sentences.size() > 40 && sentences.size() < 120, "chapter 1 sentences: " + sentences.size());
  }
}
