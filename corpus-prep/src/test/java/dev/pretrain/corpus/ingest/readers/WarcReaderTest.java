package dev.pretrain.corpus.ingest.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pretrain.corpus.ingest.DocumentFormat;
import dev.pretrain.corpus.ingest.DropReason;
import dev.pretrain.corpus.ingest.RawText;
import dev.pretrain.corpus.ingest.SourceReader;
import dev.pretrain.corpus.ingest.SourceSpec;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * {@link WarcReader} on the real web archives of the shared data (Common Crawl and warcio's test files); the expected
 * record counts, URLs and dates are read from the raw bytes with regexes, independently of jwarc (as
 * {@code zcat | grep -c} would).
 */
class WarcReaderTest {
  static final Path WEB = Path.of(System.getProperty("shared.dir", "../shared"), "data", "web");
  static final int MAX = SourceReader.DEFAULT_MAX_DOCUMENT_CHARS;

  /** The file's bytes, gunzipped (all members) if it ends in .gz. */
  static byte[] decompressed(String name) throws IOException {
    try (InputStream raw = Files.newInputStream(WEB.resolve(name));
         InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
      return in.readAllBytes();
    }
  }

  /** Count of header lines matching {@code regex} (multiline) in the decompressed file, like zcat | grep -c. */
  static int grepCount(String name, String regex) throws IOException {
    Matcher m = Pattern.compile(regex, Pattern.MULTILINE)
        .matcher(new String(decompressed(name), StandardCharsets.ISO_8859_1));
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  static List<RawText> readAll(String name) throws IOException {
    List<RawText> out = new ArrayList<>();
    try (WarcReader r = new WarcReader(Files.newInputStream(WEB.resolve(name)), name, MAX)) {
      r.forEachRemaining(out::add);
    }
    return out;
  }

  static final String CONTENT_RECORDS = "^WARC-Type: (response|resource|conversion)\r?$";

  @Test
  void commonCrawlGzipPerRecordGivesTheArticleTextWithoutNavigation() throws IOException {
    String f = "cc-whirlwind.warc.gz";
    List<RawText> docs = readAll(f);
    assertEquals(grepCount(f, CONTENT_RECORDS), docs.size());
    assertEquals(1, docs.size());
    RawText d = docs.get(0);
    assertNotNull(d.text(), "dropped: " + d.readDrop());
    // the article's first paragraph (link-dense: 15 of its 25 words are links)
    assertTrue(d.text().contains("Escopete ye un municipio d'a provincia de Guadalachara"), d.text());
    assertTrue(d.text().contains("A suya población ye de 84 habitants"), d.text());
    // the skin's navigation menu and footer are gone
    String raw = new String(decompressed(f), StandardCharsets.UTF_8);
    assertTrue(raw.contains("Politica de privacidat"), "the page has a footer link");
    assertFalse(d.text().contains("Politica de privacidat"), d.text());
    assertEquals("https://an.wikipedia.org/wiki/Escopete", d.url());
    Matcher date = Pattern.compile("WARC-Type: response\r\n(?:[^\r\n]+\r\n)*?WARC-Date: (\\S+)\r\n").matcher(raw);
    assertTrue(date.find());
    assertEquals(date.group(1), d.date());
    Matcher id = Pattern.compile("WARC-Type: response\r\n(?:[^\r\n]+\r\n)*?WARC-Record-ID: <(\\S+)>\r\n").matcher(raw);
    assertTrue(id.find());
    assertEquals(id.group(1), d.recordId());
  }

  @Test
  void gzipAndPlainWarcGiveTheSameDocumentsAndRevisitsAreNoDocuments() throws IOException {
    List<RawText> plain = readAll("warcio-example.warc");
    assertEquals(grepCount("warcio-example.warc", CONTENT_RECORDS), plain.size());
    assertEquals(1, grepCount("warcio-example.warc", "^WARC-Type: revisit\r?$"));
    assertEquals(1, plain.size());
    assertEquals(plain, readAll("warcio-example.warc.gz"));
    String text = plain.get(0).text();
    // Content-Encoding: gzip payload, decoded
    assertTrue(text.contains("This domain is established to be used for illustrative examples in documents."), text);
    assertTrue(text.startsWith("Example Domain"), text);
    assertFalse(text.contains("More information..."), "a paragraph that is one link is boilerplate: " + text);
    assertEquals("http://example.com/", plain.get(0).url());
  }

  @Test
  void chunkedTransferCodingIsRemoved() throws IOException {
    String f = "warcio-example-iana.org-chunked.warc";
    assertEquals(1, grepCount(f, "^Transfer-Encoding: chunked\r?$"));
    List<RawText> docs = readAll(f);
    assertEquals(grepCount(f, CONTENT_RECORDS), docs.size());
    String text = docs.get(0).text();
    assertNotNull(text, "dropped: " + docs.get(0).readDrop());
    // a news item of the page, whole (the chunk boundaries are gone), and no link-only block of the directory
    assertTrue(text.contains("Following successful key ceremonies in October 2016 and February 2017, a new key "
        + "signing key for the DNS root zone has been generated"), text);
    assertTrue(new String(decompressed(f), StandardCharsets.UTF_8).contains(">Database of Top Level Domains</a>"));
    assertFalse(text.contains("Database of Top Level Domains"), text);
    assertFalse(text.contains("WARC"), text);
    assertEquals("http://www.iana.org/", docs.get(0).url());
  }

  @Test
  void resourceRecordsAreDocuments() throws IOException {
    String f = "warcio-example-resource.warc.gz";
    List<RawText> docs = readAll(f);
    assertEquals(grepCount(f, "^WARC-Type: resource\r?$"), docs.size());
    assertEquals(1, docs.size());
    assertTrue(docs.get(0).text().contains("This domain is established to be used for illustrative examples"));
    assertEquals("http://example.com/", docs.get(0).url());
  }

  @Test
  void arcFilesPlainAndGzipped() throws IOException {
    for (String f : List.of("warcio-example.arc", "warcio-example.arc.gz")) {
      List<RawText> docs = readAll(f);
      // ARC: a filedesc:// header record, then one record per capture line "URL IP DATE TYPE LENGTH"
      assertEquals(grepCount(f, "^http://\\S+ \\S+ \\d{14} \\S+ \\d+$"), docs.size(), f);
      RawText d = docs.get(0);
      assertEquals("http://example.com/", d.url());
      assertEquals("2014-02-16T05:02:21Z", d.date(), "20140216050221 in the ARC header line");
      assertTrue(d.text().contains("This domain is established to be used for illustrative examples"), f);
    }
  }

  @Test
  void aRecordShorterThanItsContentLengthEndsTheFileWithANamedError() throws IOException {
    // warcio's example-trunc.warc: the response record's Content-Length is 2 bytes short, so the next record's
    // header does not start where it should; the warcinfo records before it are no documents
    String f = "warcio-example-trunc.warc";
    List<RawText> docs = new ArrayList<>();
    UncheckedIOException e;
    try (WarcReader r = new WarcReader(Files.newInputStream(WEB.resolve(f)), f, MAX)) {
      e = assertThrows(UncheckedIOException.class, () -> r.forEachRemaining(docs::add));
      assertFalse(r.hasNext(), "the reader ends after the error");
    }
    assertEquals(1, docs.size(), "the response record comes before the error");
    // its gzip payload lacks the last 2 bytes (the gzip trailer's length field) that the short Content-Length cut off
    assertEquals(DropReason.TRUNCATED_RECORD, docs.get(0).readDrop());
    assertTrue(e.getMessage().contains(f), e.getMessage());
    assertTrue(causes(e, org.netpreserve.jwarc.ParsingException.class), e.toString());
  }

  @Test
  void aGzipFileCutShortEndsWithAnEofError() throws IOException {
    byte[] all = Files.readAllBytes(WEB.resolve("cc-whirlwind.warc.gz"));
    byte[] cut = java.util.Arrays.copyOf(all, all.length - 100);
    List<RawText> docs = new ArrayList<>();
    try (WarcReader r = new WarcReader(new ByteArrayInputStream(cut), "cut.warc.gz", MAX)) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> r.forEachRemaining(docs::add));
      assertTrue(causes(e, EOFException.class) || String.valueOf(e.getMessage()).toLowerCase().contains("end"),
          e.toString());
    }
  }

  static boolean causes(Throwable e, Class<?> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** One WARC/1.1 record with the given type, headers and UTF-8 block. */
  static byte[] record(String type, String contentType, String uri, byte[] block) {
    String head = "WARC/1.1\r\nWARC-Type: " + type + "\r\nWARC-Record-ID: <urn:uuid:" + java.util.UUID
        .nameUUIDFromBytes(block) + ">\r\nWARC-Date: 2020-01-02T03:04:05Z\r\nWARC-Target-URI: " + uri
        + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + block.length + "\r\n\r\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(block);
    out.writeBytes("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  @Test
  void wetConversionRecordsAndMediaTypesAndSizeCap() throws IOException {
    ByteArrayOutputStream wet = new ByteArrayOutputStream();
    wet.writeBytes(record("warcinfo", "application/warc-fields", "x", "software: test\r\n".getBytes()));
    wet.writeBytes(record("conversion", "text/plain", "http://a.example/", "Grüße aus Köln.\nZweite Zeile."
        .getBytes(StandardCharsets.UTF_8)));
    wet.writeBytes(record("resource", "image/png", "http://a.example/x.png", new byte[] {(byte) 0x89, 'P', 'N', 'G'}));
    String cafe = "Caf\u00e9 cr\u00e8me, cr\u00eapes et g\u00e2teaux : nous servons tous les jours des "
        + "sp\u00e9cialit\u00e9s fran\u00e7aises pr\u00e9par\u00e9es \u00e0 la maison avec soin.";
    byte[] latin = ("<html><body><p>" + cafe + "</p></body></html>").getBytes(StandardCharsets.ISO_8859_1);
    wet.writeBytes(record("resource", "text/html; charset=iso-8859-1", "http://b.example/", latin));
    wet.writeBytes(record("resource", "text/plain", "http://c.example/", "x".repeat(301).getBytes()));
    wet.writeBytes(record("response", "application/http; msgtype=response", "http://d.example/",
        ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: br\r\nContent-Length: 4\r\n\r\n\u0001\u0002"
            + "\u0003\u0004").getBytes(StandardCharsets.ISO_8859_1)));
    List<RawText> docs = new ArrayList<>();
    try (WarcReader r = new WarcReader(new ByteArrayInputStream(wet.toByteArray()), "t.wet", 300)) {
      r.forEachRemaining(docs::add);
      assertEquals(6, r.records());
    }
    assertEquals(5, docs.size());
    assertEquals("Grüße aus Köln.\nZweite Zeile.", docs.get(0).text());
    assertEquals("http://a.example/", docs.get(0).url());
    assertEquals("2020-01-02T03:04:05Z", docs.get(0).date());
    assertEquals(DropReason.NOT_TEXT, docs.get(1).readDrop());
    assertNull(docs.get(1).text());
    assertEquals(cafe, docs.get(2).text(), "declared charset used");
    assertEquals(DropReason.OVERSIZED, docs.get(3).readDrop());
    assertEquals(DropReason.NOT_TEXT, docs.get(4).readDrop(), "brotli");
  }

  @Test
  void sourceReaderReadsWarcSourcesAndDoesNotCallThemBinary() throws IOException {
    SourceSpec spec = SourceSpec.warc("web", "x");
    assertEquals(DocumentFormat.WARC, spec.format());
    assertFalse(spec.lineSplittable());
    BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(decompressed("cc-whirlwind.warc.gz")));
    assertEquals(SourceReader.FileKind.TEXT, SourceReader.probe(in, DocumentFormat.WARC));
    List<RawText> docs = new ArrayList<>();
    try (SourceReader.RawTexts r = SourceReader.read(spec, in, "cc", MAX)) {
      r.forEachRemaining(docs::add);
    }
    assertEquals(readAll("cc-whirlwind.warc.gz"), docs, "an already gunzipped stream reads the same");
  }
}
