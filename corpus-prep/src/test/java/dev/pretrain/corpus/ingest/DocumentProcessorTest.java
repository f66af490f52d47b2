package dev.pretrain.corpus.ingest;

import static dev.pretrain.examples.TestCorpora.rawDocuments;
import static dev.pretrain.examples.TestCorpora.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DocumentProcessorTest {
  private final DocumentProcessor proc =
      new DocumentProcessor(new TextCleaner(true, false), new SentenceSegmenter("en"), 20, 2);

  @Test
  void dropReasons() {
    assertEquals(DropReason.EMPTY, proc.process("s", "<br /> \u0000 ").dropReason());
    assertEquals(DropReason.EMPTY, proc.process("s", null).dropReason());
    assertEquals(DropReason.TOO_SHORT, proc.process("s", "Too short. Yes.").dropReason());
    assertEquals(DropReason.TOO_FEW_SENTENCES,
        proc.process("s", "Only one sentence here, but it is long enough.").dropReason());
    IngestOutcome ok = proc.process("s", "First sentence here.<br />Second one follows.");
    assertTrue(ok.kept());
    assertNull(ok.dropReason());
    assertEquals(List.of("First sentence here.", "Second one follows."), ok.document().sentences());
    assertEquals("s", ok.document().source());
    assertEquals("too_few_sentences", DropReason.TOO_FEW_SENTENCES.key());
    assertEquals("too_short", DropReason.TOO_SHORT.key());
    assertEquals("empty", DropReason.EMPTY.key());
    assertThrows(IllegalArgumentException.class, () -> new IngestOutcome(null, null));
  }

  @Test
  void docIdIsSha256OfSentencesJoinedByNewline() throws Exception {
    List<String> s = List.of("Call me Ishmael.", "Some years ago—never mind.");
    byte[] digest = MessageDigest.getInstance("SHA-256")
        .digest("Call me Ishmael.\nSome years ago—never mind.".getBytes(StandardCharsets.UTF_8));
    assertEquals(HexFormat.of().formatHex(digest).substring(0, 32), DocIds.contentHash(s));
    assertEquals(32, DocIds.contentHash(s).length());
    assertNotEquals(DocIds.contentHash(List.of("a b")), DocIds.contentHash(List.of("a", "b")));
  }

  @Test
  void realImdbReviewsEndToEnd() {
    List<String> raw = rawDocuments(SourceSpec.imdb("imdb", "labeled"),
        shared("corpora/imdb-aclImdb-v1-labeled-50k.tsv.gz")).subList(0, 3000);
    Map<DropReason, Integer> drops = new EnumMap<>(DropReason.class);
    Set<String> ids = new HashSet<>();
    int kept = 0;
    for (String r : raw) {
      IngestOutcome o = proc.process("imdb", r);
      if (!o.kept()) {
        drops.merge(o.dropReason(), 1, Integer::sum);
        continue;
      }
      kept++;
      ids.add(o.document().docId());
      for (String s : o.document().sentences()) {
        assertFalse(s.contains("<br") || s.contains("\n") || s.contains("\t") || s.contains("  "), s);
        assertEquals(s.strip(), s);
      }
    }
    // IMDB reviews are all multi-sentence and long, except a handful of one-sentence reviews
    assertTrue(kept > 2900, "kept " + kept + " drops " + drops);
    assertFalse(drops.containsKey(DropReason.EMPTY), drops.toString());
    assertTrue(ids.size() >= kept - 5, "content ids nearly unique: " + ids.size() + " of " + kept);
  }

  @Test
  void wikitextArticlesAreDetokenized() {
    SourceSpec spec = SourceSpec.wikitext("wikitext2", "test");
    DocumentProcessor p = new DocumentProcessor(spec.cleaner(), new SentenceSegmenter("en"), 200, 3);
    List<String> raw = rawDocuments(spec, shared("corpora/wikitext-2-raw-test.hf-crlf.raw"));
    int kept = 0;
    for (String r : raw) {
      IngestOutcome o = p.process("wikitext2", r);
      if (o.kept()) {
        kept++;
        for (String s : o.document().sentences()) {
          assertFalse(s.contains("@-@") || s.contains("@,@") || s.contains("@.@"), s);
        }
      }
    }
    // 60 articles + the "1 henry" fragment of "Constant k filter"; the 71-char "1 rad" fragment is too short
    assertEquals(61, kept);
    List<String> first = p.process("w", raw.get(0)).document().sentences();
    assertEquals("Robert Boulter is an English film , television and theatre actor .", first.get(0));
    assertTrue(first.stream().anyMatch(s -> s.contains("guest-starring role")));
  }
}
