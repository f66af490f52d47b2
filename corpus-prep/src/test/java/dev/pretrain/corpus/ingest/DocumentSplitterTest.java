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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentSplitterTest {

  private static List<String> split(SourceSpec spec, String... lines) {
    List<String> out = new ArrayList<>();
    new DocumentSplitter(spec).split(List.of(lines).iterator()).forEachRemaining(out::add);
    return out;
  }

  @Test
  void imdbLabeledHas50000ReviewsIncludingTabsAndHtml() {
    List<String> docs = rawDocuments(SourceSpec.imdb("imdb", "labeled"),
        shared("corpora/imdb-aclImdb-v1-labeled-50k.tsv.gz"));
    assertEquals(50_000, docs.size());
    // README: 268 tabs occur inside reviews (labeled + unsup); the review column keeps them
    assertTrue(docs.stream().anyMatch(d -> d.indexOf('\t') >= 0), "tabs inside reviews must be kept");
    assertTrue(docs.stream().noneMatch(d -> d.startsWith("train\t") || d.startsWith("test\t")));
    assertFalse(docs.get(0).startsWith("review"), "header skipped");
    long withBr = docs.stream().filter(d -> d.contains("<br />")).count();
    assertEquals(29_200, withBr, "README: reviews with <br /> in the labeled file");
  }

  @Test
  void imdbUnsupHas50000Reviews() {
    List<String> docs = rawDocuments(SourceSpec.imdb("imdb-unsup", "unsup"),
        shared("corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz"));
    assertEquals(50_000, docs.size());
    assertEquals(29_608, docs.stream().filter(d -> d.contains("<br />")).count());
  }

  @Test
  void wikitextTestSplitHas62ArticlesWithoutSectionHeadings() {
    List<String> docs = rawDocuments(SourceSpec.wikitext("wikitext2", "test"),
        shared("corpora/wikitext-2-raw-test.hf-crlf.raw"));
    // 62 lines match ' = Title = ': the 60 articles of the WikiText-2 test split (Merity et al. 2016) plus two
    // formula lines inside "Constant k filter" (' = 1 rad / s and a nominal impedance k = ', ' = 1 henry and
    // capacitance C = ') that the HF export made indistinguishable by dropping the blank lines around titles.
    assertEquals(62, docs.size(), "62 top-level ' = Title = ' lines");
    assertEquals(2, docs.stream().filter(d -> d.startsWith(" 1 Ω . This is produced") || d.startsWith(" 1 farad ."))
        .count());
    assertTrue(docs.get(0).startsWith(" Robert Boulter is an English film"), docs.get(0).substring(0, 60));
    for (String d : docs) {
      assertFalse(d.contains("\r"), "CR stripped");
      for (String para : d.split("\n")) {
        assertFalse(para.matches("^ = .* = $"), "heading line leaked: " + para);
      }
    }
    // one paragraph per input line: total paragraphs = 2891 lines - 62 titles - section headings
    long sections;
    try (var lines = java.nio.file.Files.lines(shared("corpora/wikitext-2-raw-test.hf-crlf.raw"))) {
      sections = lines.filter(l -> l.replace("\r", "").matches(SourceSpec.WIKITEXT_SECTION_REGEX)).count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertTrue(sections > 100, "section headings found: " + sections);
    long paragraphs = docs.stream().mapToLong(d -> d.split("\n").length).sum();
    assertEquals(2891 - 62 - sections, paragraphs);
  }

  @Test
  void mobyDickHas135ChaptersWithJoinedHardWraps() {
    List<String> docs = rawDocuments(SourceSpec.gutenbergChapters("moby", "moby"),
        shared("corpora/moby-dick.txt"));
    // the file starts directly with "CHAPTER 1. Loomings." (no Gutenberg front matter), so no preface doc
    assertEquals(135, docs.size());
    assertTrue(docs.get(0).startsWith("Call me Ishmael. Some years ago—never mind how long precisely—having "
        + "little or no money in my purse,"), docs.get(0).substring(0, 120));
    assertFalse(docs.stream().anyMatch(d -> d.startsWith("CHAPTER")), "heading lines are not document text");
    assertTrue(docs.get(134).endsWith("rolled on as it rolled five thousand years ago."));
    // paragraphs: hard-wrapped lines joined with ' ', paragraphs separated by a single '\n'
    String ch1 = docs.get(0);
    assertFalse(ch1.contains("\n\n"));
    assertTrue(ch1.split("\n").length > 10 && ch1.split("\n").length < 40, "chapter 1 paragraphs");
  }

  @Test
  void tsvColumnTakesRestOfLineAndHeaderIsSkipped() {
    SourceSpec spec = SourceSpec.tsv("t", "mem", 2, true);
    assertEquals(List.of("c\twith tab", "z"), split(spec, "h1\th2\th3", "a\tb\tc\twith tab\r", "", "x\ty\tz"));
  }

  @Test
  void tsvLineWithoutTheColumnIsAClearError() {
    SourceSpec spec = SourceSpec.tsv("imdb", "file:///x.tsv", 4, false);
    Iterator<String> it = new DocumentSplitter(spec).split(List.of("a\tb\tc\td\te", "only\ttwo").iterator());
    assertEquals("e", it.next());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, it::next);
    assertTrue(e.getMessage().contains("imdb") && e.getMessage().contains("line 2")
        && e.getMessage().contains("file:///x.tsv"), e.getMessage());
  }

  @Test
  void lineFormatSkipsBlankLines() {
    assertEquals(List.of("one doc", "two"), split(SourceSpec.lines("l", "m"), "one doc\r", "  ", "two"));
  }

  @Test
  void blankLinesSeparateDocumentsAndEachLineIsAParagraph() {
    assertEquals(List.of("s1\ns2", "s3"), split(SourceSpec.blankLines("b", "m"), "", "s1", "s2", "", "", "s3", ""));
  }

  @Test
  void headingsKeepFrontMatterAsOwnDocumentAndSkipLines() {
    SourceSpec spec = SourceSpec.headings("h", "m", "^CHAPTER \\d+", "^\\[Illustration\\]$");
    List<String> docs = split(spec, "Preface line", "", "CHAPTER 1. A", "", "wrapped", "line", "",
        "[Illustration]", "next para", "CHAPTER 2. Empty", "", "CHAPTER 3. B", "last");
    assertEquals(List.of("Preface line", "wrapped line\nnext para", "last"), docs);
  }

  @Test
  void wholeFileIsOneDocument() {
    assertEquals(List.of("a b\nc"), split(SourceSpec.wholeFile("f", "m"), "a", "b", "", "c", ""));
  }

  @Test
  void specValidationAndSerialization() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> SourceSpec.headings("h", "m", "(", null));
    assertThrows(IllegalArgumentException.class, () -> SourceSpec.headings("h", "m", null, null));
    SourceSpec spec = SourceSpec.wikitext("w", "m").withHtml(true);
    assertTrue(spec.html() && spec.wikitextDetokenize() && spec.linePerParagraph());
    DocumentSplitter s = new DocumentSplitter(spec);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(s);
    }
    DocumentSplitter copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (DocumentSplitter) in.readObject();
    }
    assertEquals(spec, copy.spec());
    List<String> out = new ArrayList<>();
    copy.split(List.of(" = T = ", " p1 ", " = = S = = ", " p2 ").iterator()).forEachRemaining(out::add);
    assertEquals(List.of(" p1 \n p2 "), out);
  }
}
