package dev.pretrain.corpus.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Streams the raw documents of one (already decompressed) input file in any {@link DocumentFormat}, with
 * bounded memory: no raw document longer than {@code maxDocumentChars} is held whole; such a document is
 * reported as {@link DropReason#OVERSIZED} instead (the text of a single CSV field and of a single wiki page
 * is the exception: they are read whole before the check).
 *
 * <p>Text is decoded as UTF-8; malformed bytes become U+FFFD (which {@link DocumentProcessor} counts as
 * {@link DropReason#INVALID_UTF8}); a leading byte-order mark is skipped. A read failure (truncated archive,
 * malformed XML or CSV quoting) surfaces from {@code hasNext()}/{@code next()} as an
 * {@link UncheckedIOException} naming the file; the documents before it have been returned.
 */
public final class SourceReader {
  /** Default cap on one raw document: 10 million chars (20 MB of UTF-16 in memory). */
  public static final int DEFAULT_MAX_DOCUMENT_CHARS = 10_000_000;
  private static final int PROBE_BYTES = 8192;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the first bytes of a file say. */
  public enum FileKind {
    /** Readable. */
    TEXT,
    /** No bytes at all (after decompression). */
    EMPTY,
    /** A NUL byte among the first 8 KiB: not text (never said of tar archives, whose headers hold NULs). */
    BINARY
  }

  /** Raw documents of one file; closing releases the stream. */
  public interface RawTexts extends Iterator<RawText>, AutoCloseable {
    @Override
    void close();
  }

  private SourceReader() {
  }

  /**
   * Looks at the first bytes of a decompressed stream without consuming them.
   *
   * @param in a stream supporting mark/reset (a {@link BufferedInputStream})
   */
  public static FileKind probe(BufferedInputStream in, DocumentFormat format) throws IOException {
    in.mark(PROBE_BYTES + 1);
    byte[] head = in.readNBytes(PROBE_BYTES);
    in.reset();
    if (head.length == 0) {
      return FileKind.EMPTY;
    }
    if (format != DocumentFormat.TAGGED_TAR) {
      for (byte b : head) {
        if (b == 0) {
          return FileKind.BINARY;
        }
      }
    }
    return FileKind.TEXT;
  }

  /** A UTF-8 reader that replaces malformed input by U+FFFD. */
  public static Reader utf8(InputStream in) {
    return new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE));
  }

  /**
   * @param spec             the source
   * @param in               the file's decompressed bytes; closed when the documents run out or on {@code close()}
   * @param file             the file's name/URI, for error messages
   * @param maxDocumentChars the raw document size cap, {@code >= 1}
   */
  public static RawTexts read(SourceSpec spec, InputStream in, String file, int maxDocumentChars) {
    if (maxDocumentChars < 1) {
      throw new IllegalArgumentException("maxDocumentChars must be >= 1, got " + maxDocumentChars);
    }
    return switch (spec.format()) {
      case LINE, TSV, HEADINGS, BLANK_LINES, FILE -> lineBased(spec, in, file, maxDocumentChars);
      case JSONL -> jsonLines(spec, in, file, maxDocumentChars);
      case CSV -> csv(spec, in, file, maxDocumentChars);
      case WIKI_XML -> new WikiPages(in, file, maxDocumentChars);
      case TAGGED_TAR -> new TarMembers(spec, in, file, maxDocumentChars);
    };
  }

  private static RawTexts lineBased(SourceSpec spec, InputStream in, String file, int max) {
    BoundedLines lines = new BoundedLines(utf8(in), file, max);
    Iterator<String> docs = new DocumentSplitter(spec, max).split(lines);
    return new Mapped<>(docs, lines, t -> t.length() > max ? RawText.dropped(DropReason.OVERSIZED) : RawText.of(t));
  }

  private static RawTexts jsonLines(SourceSpec spec, InputStream in, String file, int max) {
    BoundedLines lines = new BoundedLines(utf8(in), file, max);
    String field = spec.field();
    Iterator<String> nonBlank = new Lookahead<>() {
      @Override
      String compute() {
        while (lines.hasNext()) {
          String l = lines.next();
          if (!l.isBlank()) {
            return l;
          }
        }
        return null;
      }
    };
    return new Mapped<>(nonBlank, lines, line -> {
      if (line.length() > max) {
        return RawText.dropped(DropReason.OVERSIZED);
      }
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (IOException e) {
        return RawText.dropped(DropReason.BAD_RECORD);
      }
      JsonNode v = node == null ? null : field.startsWith("/") ? node.at(field) : node.get(field);
      return v != null && v.isTextual() ? RawText.of(v.textValue()) : RawText.dropped(DropReason.BAD_RECORD);
    });
  }

  private static RawTexts csv(SourceSpec spec, InputStream in, String file, int max) {
    Reader reader = new BomSkippingReader(utf8(in));
    CSVParser parser;
    try {
      parser = CSVFormat.RFC4180.builder().setDelimiter(spec.delimiter()).setHeader().setSkipHeaderRecord(true)
          .setAllowMissingColumnNames(true).setIgnoreEmptyLines(true).build().parse(reader);
    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
      closeQuietly(reader);
      throw new UncheckedIOException(new IOException("cannot read the CSV header of " + file + ": " + e.getMessage(),
          e));
    }
    if (!parser.getHeaderMap().containsKey(spec.field())) {
      closeQuietly(parser);
      throw new IllegalArgumentException("source '" + spec.name() + "': " + file + " has no column '" + spec.field()
          + "' (header: " + parser.getHeaderNames() + ")");
    }
    String column = spec.field();
    Iterator<CSVRecord> records = parser.iterator();
    return new Mapped<CSVRecord>(new Iterator<CSVRecord>() {
      @Override
      public boolean hasNext() {
        try {
          return records.hasNext();
        } catch (IllegalStateException | UncheckedIOException e) { // commons-csv wraps IOExceptions (EOF in quotes)
          throw new UncheckedIOException(new IOException("malformed CSV in " + file + ": " + e.getMessage(), e));
        }
      }

      @Override
      public CSVRecord next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return records.next();
      }
    }, parser, r -> {
      if (!r.isSet(column)) {
        return RawText.dropped(DropReason.BAD_RECORD);
      }
      String v = r.get(column);
      return v.length() > max ? RawText.dropped(DropReason.OVERSIZED) : RawText.of(v);
    });
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // best effort
    }
  }

  /** Maps an iterator, closing {@code resource} at the end. */
  private static final class Mapped<T> implements RawTexts {
    private final Iterator<T> it;
    private final AutoCloseable resource;
    private final java.util.function.Function<T, RawText> f;

    Mapped(Iterator<T> it, AutoCloseable resource, java.util.function.Function<T, RawText> f) {
      this.it = it;
      this.resource = resource;
      this.f = f;
    }

    @Override
    public boolean hasNext() {
      boolean h = it.hasNext();
      if (!h) {
        close();
      }
      return h;
    }

    @Override
    public RawText next() {
      return f.apply(it.next());
    }

    @Override
    public void close() {
      closeQuietly(resource);
    }
  }

  /** Skips one leading U+FEFF. */
  private static final class BomSkippingReader extends java.io.FilterReader {
    private boolean started;

    BomSkippingReader(Reader in) {
      super(new java.io.PushbackReader(in, 1));
    }

    private void start() throws IOException {
      if (!started) {
        started = true;
        int c = in.read();
        if (c >= 0 && c != '\uFEFF') {
          ((java.io.PushbackReader) in).unread(c);
        }
      }
    }

    @Override
    public int read() throws IOException {
      start();
      return in.read();
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
      start();
      return in.read(cbuf, off, len);
    }
  }

  /**
   * Base of the pull-style readers below: {@link #read()} documents one ahead; the source is closed at the end or at
   * the first read error, which is rethrown unchecked (naming the file) and ends the iteration.
   */
  private abstract static class Pull extends Lookahead<RawText> implements RawTexts {
    final String file;
    private boolean failed;

    Pull(String file) {
      this.file = file;
    }

    /** The next document, or null at the end. */
    abstract RawText read() throws IOException, XMLStreamException;

    @Override
    final RawText compute() {
      if (failed) {
        return null;
      }
      try {
        RawText r = read();
        if (r == null) {
          close();
        }
        return r;
      } catch (IOException e) {
        failed = true;
        close();
        throw new UncheckedIOException("read error in " + file + ": " + e, e);
      } catch (XMLStreamException e) {
        failed = true;
        close();
        throw new UncheckedIOException(new IOException("XML error in " + file + ": " + e.getMessage(), e));
      }
    }
  }

  /**
   * A MediaWiki XML export streamed with StAX: one {@code <page>} at a time; namespace 0 only, no redirects;
   * text through {@link WikiMarkup#toText(String)}.
   */
  private static final class WikiPages extends Pull {
    private final InputStream in;
    private final XMLStreamReader xml;
    private final int max;

    WikiPages(InputStream in, String file, int max) {
      super(file);
      this.in = in;
      this.max = max;
      XMLInputFactory f = XMLInputFactory.newFactory();
      f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
      f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
      f.setProperty(XMLInputFactory.IS_COALESCING, true);
      try {
        this.xml = f.createXMLStreamReader(in, "UTF-8");
      } catch (XMLStreamException e) {
        closeQuietly(in);
        throw new UncheckedIOException(new IOException("XML error in " + file + ": " + e.getMessage(), e));
      }
    }

    @Override
    RawText read() throws XMLStreamException {
      String ns = null;
      boolean redirect = false;
      String text = null;
      boolean inPage = false;
      while (xml.hasNext()) {
        int ev = xml.next();
        if (ev == XMLStreamConstants.START_ELEMENT) {
          switch (xml.getLocalName()) {
            case "page" -> {
              inPage = true;
              ns = null;
              redirect = false;
              text = null;
            }
            case "ns" -> ns = inPage ? xml.getElementText().trim() : ns;
            case "redirect" -> redirect = inPage || redirect;
            case "text" -> text = inPage ? xml.getElementText() : text;
            default -> { }
          }
        } else if (ev == XMLStreamConstants.END_ELEMENT && xml.getLocalName().equals("page")) {
          inPage = false;
          if ("0".equals(ns) && !redirect && text != null) {
            if (text.length() > max) {
              return RawText.dropped(DropReason.OVERSIZED);
            }
            return RawText.of(WikiMarkup.toText(text));
          }
        }
      }
      return null;
    }

    @Override
    public void close() {
      try {
        xml.close();
      } catch (XMLStreamException ignored) {
        // closing
      }
      closeQuietly(in);
    }
  }

  /**
   * Tar members as documents of {@code word/TAG} tokens: every token loses its last {@code /TAG}
   * ({@code "Atlanta's/np$"} to {@code "Atlanta's"}), Brown's {@code ``} and {@code ''} become {@code "}; each
   * non-blank line is a paragraph (a sentence), tokens joined by single spaces.
   */
  private static final class TarMembers extends Pull {
    private final TarArchiveInputStream tar;
    private final Pattern members;
    private final int max;

    TarMembers(SourceSpec spec, InputStream in, String file, int max) {
      super(file);
      this.tar = new TarArchiveInputStream(in);
      this.members = spec.memberRegex() == null ? null : Pattern.compile(spec.memberRegex());
      this.max = max;
    }

    @Override
    RawText read() throws IOException {
      TarArchiveEntry e;
      while ((e = tar.getNextTarEntry()) != null) {
        if (!e.isFile() || members != null && !members.matcher(e.getName()).find()) {
          continue;
        }
        InputStream member = new FilterInputStream(tar) {
          @Override
          public void close() {
            // the archive stays open for the next member
          }
        };
        BoundedLines lines = new BoundedLines(utf8(member), file + "!" + e.getName(), max);
        StringBuilder doc = new StringBuilder();
        boolean oversized = false;
        while (lines.hasNext()) {
          String line = lines.next();
          if (oversized || line.isBlank()) {
            continue;
          }
          if (doc.length() > 0) {
            doc.append('\n');
          }
          untag(line, doc);
          if (doc.length() > max) {
            oversized = true;
            doc.setLength(0);
          }
        }
        return oversized ? RawText.dropped(DropReason.OVERSIZED) : RawText.of(doc.toString());
      }
      return null;
    }

    @Override
    public void close() {
      closeQuietly(tar);
    }
  }

  /** Appends the words of one line of {@code word/TAG} tokens, space-separated. */
  static void untag(String line, StringBuilder out) {
    boolean firstToken = true;
    for (String tok : line.trim().split("\\s+")) {
      if (tok.isEmpty()) {
        continue;
      }
      int slash = tok.lastIndexOf('/');
      String word = slash > 0 ? tok.substring(0, slash) : tok;
      if (word.equals("``") || word.equals("''")) {
        word = "\"";
      }
      if (!firstToken) {
        out.append(' ');
      }
      out.append(word);
      firstToken = false;
    }
  }
}
