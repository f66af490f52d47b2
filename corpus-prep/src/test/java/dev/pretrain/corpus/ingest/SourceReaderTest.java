package dev.pretrain.corpus.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.junit.jupiter.api.Test;

class SourceReaderTest {
  static final Path CORPORA = Path.of(System.getProperty("shared.dir", "../shared"), "data", "corpora");

  static List<RawText> readAll(SourceSpec spec, InputStream in, int max) {
    List<RawText> out = new ArrayList<>();
    try (SourceReader.RawTexts it = SourceReader.read(spec, in, "test-file", max)) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  static List<RawText> readAll(SourceSpec spec, String text) {
    return readAll(spec, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), 1000);
  }

  static List<String> texts(List<RawText> docs) {
    return docs.stream().map(RawText::text).toList();
  }

  @Test
  void jsonLinesTakeTheNamedFieldAndCountBadRecords() {
    String in = "{\"id\":1,\"text\":\"First doc.\"}\n\n{\"id\":2,\"meta\":{\"body\":\"x\"},\"text\":\"Second \\u00e9 doc.\"}\n"
        + "{not json\n{\"id\":3}\n{\"text\":42}\n";
    List<RawText> docs = readAll(SourceSpec.jsonLines("j", "u", "text"), in);
    assertEquals(5, docs.size());
    assertEquals("First doc.", docs.get(0).text());
    assertEquals("Second \u00e9 doc.", docs.get(1).text());
    for (int i = 2; i < 5; i++) {
      assertEquals(DropReason.BAD_RECORD, docs.get(i).readDrop());
    }
    List<RawText> nested = readAll(SourceSpec.jsonLines("j", "u", "/meta/body"), in);
    assertEquals("x", nested.get(1).text());
    assertEquals(DropReason.BAD_RECORD, nested.get(0).readDrop());
  }

  @Test
  void csvNamedColumnWithQuotedMultiLineFields() {
    String in = "\uFEFFid,review,label\r\n"
        + "1,\"A review, with a comma\",pos\r\n"
        + "2,\"Line one\nline two with \"\"quotes\"\"\",neg\r\n"
        + "3\r\n"
        + "4,plain,pos\n";
    List<RawText> docs = readAll(SourceSpec.csv("c", "u", "review", ','), in);
    assertEquals(4, docs.size());
    assertEquals("A review, with a comma", docs.get(0).text());
    assertEquals("Line one\nline two with \"quotes\"", docs.get(1).text());
    assertEquals(DropReason.BAD_RECORD, docs.get(2).readDrop());
    assertEquals("plain", docs.get(3).text());
    // the BOM does not become part of the first header name
    assertEquals("1", texts(readAll(SourceSpec.csv("c", "u", "id", ','), in)).get(0));
    // tab-separated with quotes
    List<RawText> tsv = readAll(SourceSpec.csv("t", "u", "sentence", '\t'), "sentence\tlabel\n\"a\tb\"\t1\n");
    assertEquals("a\tb", tsv.get(0).text());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> readAll(SourceSpec.csv("c", "u", "nope", ','), in));
    assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("review"), e.getMessage());
    UncheckedIOException bad = assertThrows(UncheckedIOException.class,
        () -> readAll(SourceSpec.csv("c", "u", "review", ','), "review\n\"never closed\n"));
    assertTrue(bad.getMessage().contains("test-file"), bad.getMessage());
  }

  @Test
  void realSst2TsvThroughCsvReader() throws IOException {
    Path dev = CORPORA.resolveSibling("sst2").resolve("dev.tsv");
    List<RawText> docs;
    try (InputStream in = Files.newInputStream(dev)) {
      docs = readAll(SourceSpec.csv("sst2", dev.toString(), "sentence", '\t'), in, 100_000);
    }
    // 872 rows; SST-2 has no quoting, but a few sentences start with a quote char: count what parses
    assertTrue(docs.size() > 800 && docs.size() <= 872, "rows " + docs.size());
    assertTrue(docs.get(0).text().startsWith("it 's a charming and often affecting journey"), docs.get(0).text());
  }

  @Test
  void oversizedLinesAreCutAndDroppedWithBoundedMemory() {
    String longLine = "x".repeat(5000);
    List<RawText> docs = readAll(SourceSpec.lines("l", "u"),
        new ByteArrayInputStream(("short one\n" + longLine + "\nlast\n").getBytes(StandardCharsets.UTF_8)), 100);
    assertEquals(3, docs.size());
    assertEquals("short one", docs.get(0).text());
    assertEquals(DropReason.OVERSIZED, docs.get(1).readDrop());
    assertEquals("last", docs.get(2).text());
    // a whole-file document over the cap
    List<RawText> file = readAll(SourceSpec.wholeFile("f", "u"),
        new ByteArrayInputStream((longLine + "\n" + longLine).getBytes(StandardCharsets.UTF_8)), 100);
    assertEquals(List.of(DropReason.OVERSIZED), file.stream().map(RawText::readDrop).toList());
  }

  @Test
  void hundredMegabyteSingleLineStreamsInBoundedMemory() {
    long size = 100L << 20;
    InputStream huge = new InputStream() { // 100 MB of 'a' without a newline, generated on the fly
      long left = size;

      @Override
      public int read() {
        return left-- > 0 ? 'a' : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left <= 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        Arrays.fill(b, off, off + n, (byte) 'a');
        left -= n;
        return n;
      }
    };
    List<RawText> docs = readAll(SourceSpec.lines("big", "u"), huge, 1_000_000);
    assertEquals(1, docs.size());
    assertEquals(DropReason.OVERSIZED, docs.get(0).readDrop());
  }

  @Test
  void bomCrlfAndInvalidUtf8() throws IOException {
    byte[] bytes = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'h', 'i', '\r', '\n', 'b', (byte) 0xC3, '!', '\r', '\n'};
    List<String> docs = texts(readAll(SourceSpec.lines("l", "u"), new ByteArrayInputStream(bytes), 100));
    assertEquals(List.of("hi", "b\uFFFD!"), docs);
    DocumentProcessor p = new DocumentProcessor(new TextCleaner(false, false), new SentenceSegmenter("en"),
        QualityFilters.DEFAULT);
    assertEquals(DropReason.INVALID_UTF8, p.process("s", docs.get(1)).dropReason());
    assertEquals(SourceReader.FileKind.EMPTY,
        SourceReader.probe(new BufferedInputStream(new ByteArrayInputStream(new byte[0])), DocumentFormat.LINE));
    assertEquals(SourceReader.FileKind.BINARY, SourceReader.probe(
        new BufferedInputStream(new ByteArrayInputStream(new byte[] {'a', 0, 'b'})), DocumentFormat.LINE));
    BufferedInputStream text = new BufferedInputStream(new ByteArrayInputStream(bytes));
    assertEquals(SourceReader.FileKind.TEXT, SourceReader.probe(text, DocumentFormat.LINE));
    assertEquals(bytes.length, text.readAllBytes().length); // probing consumed nothing
  }

  @Test
  void realWikipediaDumpNamespaceZeroArticlesWithoutRedirects() throws IOException {
    Path dump = CORPORA.resolve("enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2");
    // a slice to stay fast: the whole pages in the first 1.5 MB of the decompressed dump (only its first bzip2 blocks are decoded)
    String xml;
    try (InputStream in = new BZip2CompressorInputStream(new BufferedInputStream(Files.newInputStream(dump)), true)) {
      xml = new String(in.readNBytes(1_500_000), StandardCharsets.UTF_8);
    }
    xml = xml.substring(0, xml.lastIndexOf("</page>") + "</page>".length()) + "\n</mediawiki>\n";
    // count pages, ns-0 pages and redirects independently with plain string matching
    int pages = 0;
    int articles = 0;
    String[] parts = xml.split("<page>");
    for (int i = 1; i < parts.length; i++) {
      pages++;
      if (parts[i].contains("<ns>0</ns>") && !parts[i].contains("<redirect")) {
        articles++;
      }
    }
    assertTrue(pages > 20 && pages < 206, "pages " + pages);
    List<RawText> docs = readAll(SourceSpec.wikipediaXml("wiki", dump.toString()),
        new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), SourceReader.DEFAULT_MAX_DOCUMENT_CHARS);
    assertEquals(articles, docs.size());
    assertTrue(articles >= 5 && articles < pages, "articles " + articles);
    String anarchism = docs.stream().map(RawText::text).filter(t -> t.startsWith("Anarchism is")).findFirst()
        .orElseThrow();
    assertFalse(anarchism.contains("{{"), "templates left");
    assertFalse(anarchism.contains("[["), "links left");
    assertFalse(anarchism.contains("'''"), "bold left");
    assertFalse(anarchism.contains("<ref"), "refs left");
    assertTrue(anarchism.contains("political philosophy"), anarchism.substring(0, 300));
    for (RawText d : docs) {
      assertNotNull(d.text());
      assertFalse(d.text().contains("[[Category:"), "category link left");
      assertFalse(d.text().contains("{|"), "table left");
    }
  }

  @Test
  void realBrownTarMembersAreDocumentsOfUntaggedWords() throws IOException {
    Path tgz = CORPORA.resolve("brown-corpus-nltk-tagged.tar.gz");
    List<RawText> docs = new ArrayList<>();
    try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz)));
         SourceReader.RawTexts it = SourceReader.read(SourceSpec.brown("brown", tgz.toString()), in, "brown",
             SourceReader.DEFAULT_MAX_DOCUMENT_CHARS)) {
      for (int i = 0; i < 3 && it.hasNext(); i++) { // keep it fast: the first three members
        docs.add(it.next());
      }
    }
    assertEquals(3, docs.size());
    String ca01 = docs.get(0).text();
    assertTrue(ca01.startsWith("The Fulton County Grand Jury said Friday an investigation of Atlanta's recent"),
        ca01.substring(0, 100));
    assertFalse(ca01.contains("/at") || ca01.contains("/np"), "tags left");
    assertTrue(ca01.contains("\"no evidence\"") || ca01.contains("\" no evidence \""), ca01.substring(0, 300));
  }

  @Test
  void truncatedGzipSurfacesAsReadErrorAfterTheDocumentsBeforeIt() throws IOException {
    Path gz = CORPORA.resolve("imdb-aclImdb-v1-unsup-50k.tsv.gz");
    byte[] cut;
    try (InputStream in = Files.newInputStream(gz)) {
      cut = in.readNBytes(200_000);
    }
    List<RawText> got = new ArrayList<>();
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> {
      try (SourceReader.RawTexts it = SourceReader.read(SourceSpec.imdb("imdb", "x"),
          new GZIPInputStream(new ByteArrayInputStream(cut)), "cut.tsv.gz", 1_000_000)) {
        it.forEachRemaining(got::add);
      }
    });
    assertTrue(e.getMessage().contains("cut.tsv.gz"), e.getMessage());
    assertTrue(got.size() > 100, "documents before the cut: " + got.size());
  }

  /** The first {@code n} lines of the real labeled IMDB TSV (header included), with LF endings. */
  static List<String> imdbLines(int n) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
        Files.newInputStream(CORPORA.resolve("imdb-aclImdb-v1-labeled-50k.tsv.gz"))), StandardCharsets.UTF_8))) {
      String l;
      while (lines.size() < n && (l = r.readLine()) != null) {
        lines.add(l);
      }
    }
    return lines;
  }

  /**
   * Reads {@code bytes} as runs of whole lines cut after every {@code every}-th line, each run through
   * {@link SourceReader#lines} as a split reader would (only the first run has {@code fileStart}; the others get the
   * CSV header line from the file's head), and concatenates their documents.
   */
  static List<RawText> readInRuns(SourceSpec spec, byte[] bytes, int every, int max) {
    List<String> all = new ArrayList<>();
    new BoundedLines(SourceReader.utf8(new ByteArrayInputStream(bytes)), "f", max).forEachRemaining(all::add);
    String header = SourceReader.csvHeaderLine(new ByteArrayInputStream(bytes), "f", max);
    List<RawText> out = new ArrayList<>();
    for (int from = 0; from < all.size(); from += every) {
      List<String> run = all.subList(from, Math.min(all.size(), from + every));
      try (SourceReader.RawTexts it = SourceReader.lines(spec, run.iterator(), () -> { }, from == 0,
          from == 0 ? null : header, "f", max)) {
        it.forEachRemaining(out::add);
      }
    }
    return out;
  }

  @Test
  void lineSplittableFormatsGiveTheSameDocumentsInRunsOfLinesAsWhole() throws IOException {
    int max = 2000;
    List<String> imdb = imdbLines(301);
    StringBuilder tsv = new StringBuilder("\uFEFF"); // a BOM before the header, CRLF on some lines, blank lines
    for (int i = 0; i < imdb.size(); i++) {
      tsv.append(imdb.get(i)).append(i % 7 == 3 ? "\r\n" : "\n").append(i % 50 == 10 ? "\n" : "");
    }
    tsv.append("train\tpos\t1\t10\t").append("y".repeat(3000)); // over the cap, last, without a newline
    ObjectMapper json = new ObjectMapper();
    StringBuilder jsonl = new StringBuilder();
    StringBuilder csv = new StringBuilder("\uFEFFid,review,label\r\n");
    List<String> csvExpected = new ArrayList<>();
    for (int i = 1; i < imdb.size(); i++) {
      String review = imdb.get(i).split("\t", 5)[4];
      jsonl.append(i % 40 == 0 ? "{broken\n" : json.writeValueAsString(Map.of("text", review)) + "\n");
      String line = i + ",\"" + review.replace("\"", "\"\"") + "\",pos";
      csv.append(line).append("\r\n");
      if (line.length() <= max) {
        csvExpected.add(review);
      }
      if (i % 60 == 0) {
        csv.append("\r\n").append(i).append(",\"an unclosed quote,neg\r\n"); // an empty line, a bad record
      }
    }
    SourceSpec tsvSpec = SourceSpec.imdb("imdb", "u");
    byte[] tsvBytes = tsv.toString().getBytes(StandardCharsets.UTF_8);
    List<RawText> tsvWhole = readAll(tsvSpec, new ByteArrayInputStream(tsvBytes), max);
    assertEquals(imdb.size(), tsvWhole.size()); // 300 reviews (not the header) and the long last line
    assertEquals(DropReason.OVERSIZED, tsvWhole.get(tsvWhole.size() - 1).readDrop());
    List<String> reviews = imdb.subList(1, imdb.size()).stream().map(l -> l.split("\t", 5)[4]).toList();
    assertEquals(reviews.get(0), tsvWhole.get(0).text());
    // a line over the cap is dropped as oversized even where its text column alone would fit (the line is cut)
    for (int k = 0; k < reviews.size(); k++) {
      assertEquals(imdb.get(k + 1).length() > max, tsvWhole.get(k).readDrop() == DropReason.OVERSIZED,
          "review " + k);
    }
    SourceSpec jsonSpec = SourceSpec.jsonLines("j", "u", "text");
    byte[] jsonBytes = jsonl.toString().getBytes(StandardCharsets.UTF_8);
    List<RawText> jsonWhole = readAll(jsonSpec, new ByteArrayInputStream(jsonBytes), max);
    assertEquals(300, jsonWhole.size());
    assertEquals(7, jsonWhole.stream().filter(d -> d.readDrop() == DropReason.BAD_RECORD).count());
    SourceSpec csvSpec = SourceSpec.csv("c", "u", "review", ',').withSingleLineRecords(true);
    byte[] csvBytes = csv.toString().getBytes(StandardCharsets.UTF_8);
    List<RawText> csvWhole = readAll(csvSpec, new ByteArrayInputStream(csvBytes), max);
    assertEquals(305, csvWhole.size()); // 300 records and 5 unclosed quotes; the empty lines are no records
    assertEquals(5, csvWhole.stream().filter(d -> d.readDrop() == DropReason.BAD_RECORD).count());
    assertEquals(csvExpected, csvWhole.stream().filter(d -> d.text() != null).map(RawText::text).toList());
    for (int every : new int[] {1, 2, 7, 64, 1000}) {
      assertEquals(tsvWhole, readInRuns(tsvSpec, tsvBytes, every, max), "tsv in runs of " + every);
      assertEquals(jsonWhole, readInRuns(jsonSpec, jsonBytes, every, max), "jsonl in runs of " + every);
      assertEquals(csvWhole, readInRuns(csvSpec, csvBytes, every, max), "csv in runs of " + every);
    }
    // errors say where: a TSV line without its text column inside a split; formats whose documents span lines
    IllegalArgumentException noColumn = assertThrows(IllegalArgumentException.class, () -> SourceReader.lines(
        tsvSpec, List.of("only\tthree\tfields").iterator(), () -> { }, false, null, "f", max).next());
    assertTrue(noColumn.getMessage().contains("line 1 of a split starting inside the file"), noColumn.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SourceReader.lines(SourceSpec.csv("c", "u", "review", ','),
        List.of("a").iterator(), () -> { }, true, null, "f", max));
    assertThrows(IllegalArgumentException.class, () -> new DocumentSplitter(SourceSpec.blankLines("b", "u"))
        .split(List.of("a").iterator(), false));
    assertThrows(IllegalArgumentException.class, () -> SourceSpec.lines("l", "u").withSingleLineRecords(true));
  }

  @Test
  void realSst2AsSingleLineCsvMatchesTheMultiLineReader() throws IOException {
    byte[] dev = Files.readAllBytes(CORPORA.resolveSibling("sst2").resolve("dev.tsv"));
    SourceSpec multi = SourceSpec.csv("sst2", "dev.tsv", "sentence", '\t');
    List<RawText> a = readAll(multi, new ByteArrayInputStream(dev), 100_000);
    List<RawText> b = readAll(multi.withSingleLineRecords(true), new ByteArrayInputStream(dev), 100_000);
    long rows = new String(dev, StandardCharsets.UTF_8).lines().count() - 1;
    assertEquals(rows, b.size());
    assertEquals(a, b);
  }
}
