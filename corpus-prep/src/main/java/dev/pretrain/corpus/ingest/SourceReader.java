package dev.pretrain.corpus.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pretrain.corpus.ingest.readers.TarTextReader;
import dev.pretrain.corpus.ingest.readers.WarcReader;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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
 * is the exception: they are read whole before the check; in web archives the cap applies to a record's payload bytes,
 * see {@link WarcReader}). In the formats read line by line
 * ({@link SourceSpec#lineSplittable()}) a line longer than the cap is dropped as oversized whatever part of it the
 * document is (a TSV column, a JSON field, a single-line CSV record's field).
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
    /**
     * A NUL byte among the first 8 KiB: not text (never said of tar archives, whose headers hold NULs, nor of web
     * archives, whose payloads may be binary).
     */
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
    if (format != DocumentFormat.TAGGED_TAR && format != DocumentFormat.TEXT_TAR && format != DocumentFormat.WARC) {
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
    if (spec.lineSplittable()) {
      BoundedLines lines = new BoundedLines(utf8(in), file, maxDocumentChars);
      return lines(spec, lines, lines, true, null, file, maxDocumentChars);
    }
    return switch (spec.format()) {
      case HEADINGS, BLANK_LINES, FILE -> lineBased(spec, in, file, maxDocumentChars);
      case CSV -> csv(spec, in, file, maxDocumentChars);
      case WIKI_XML -> new WikiPages(in, file, maxDocumentChars);
      case TAGGED_TAR -> new TarMembers(spec, in, file, maxDocumentChars);
      case WARC -> new WarcReader(in, file, maxDocumentChars);
      case TEXT_TAR -> new TarTextReader(in, file, spec.memberRegex(), maxDocumentChars);
      case PARQUET, ORC -> {
        closeQuietly(in);
        throw new IllegalArgumentException("source '" + spec.name() + "': format " + spec.format()
            + " is a dataset read by Spark, not a file read by SourceReader");
      }
      default -> throw new IllegalStateException("line-splittable format " + spec.format());
    };
  }

  /**
   * The raw documents of a run of whole lines of one file of a {@link SourceSpec#lineSplittable() line-splittable}
   * source: the whole file ({@link #read} reads such sources this way), or one byte-range split of it that the
   * caller cut at line ends (e.g. with Hadoop's {@code LineRecordReader}). Every line is read on its own, so the
   * documents of a file are the same however it is cut into runs, provided the lines are: only the run with
   * {@code fileStart} skips a TSV header line and takes the CSV header from its first non-empty line.
   *
   * @param spec             a line-splittable source
   * @param lines            the lines, without their {@code '\n'} (a trailing {@code '\r'} is tolerated), a byte-order
   *                         mark at the start of the file already removed, and each line longer than
   *                         {@code maxDocumentChars} cut to its first {@code maxDocumentChars + 1} characters (as
   *                         {@link BoundedLines} does)
   * @param resource         closed when the lines run out or on {@code close()}
   * @param fileStart        whether the first line is the file's first line
   * @param csvHeader        CSV with {@code fileStart == false}: the file's header line ({@link #csvHeaderLine}); else
   *                         ignored
   * @param file             the file's name/URI, for error messages
   * @param maxDocumentChars the raw document size cap, {@code >= 1}
   * @throws IllegalArgumentException if the source is not line-splittable, or a CSV header lacks the text column
   */
  public static RawTexts lines(SourceSpec spec, Iterator<String> lines, AutoCloseable resource, boolean fileStart,
                               String csvHeader, String file, int maxDocumentChars) {
    if (!spec.lineSplittable()) {
      throw new IllegalArgumentException("source '" + spec.name() + "': format " + spec.format()
          + (spec.format() == DocumentFormat.CSV ? " without singleLineRecords" : "") + " is not read line by line");
    }
    if (maxDocumentChars < 1) {
      throw new IllegalArgumentException("maxDocumentChars must be >= 1, got " + maxDocumentChars);
    }
    int max = maxDocumentChars;
    return switch (spec.format()) {
      case LINE, TSV -> new Mapped<>(new DocumentSplitter(spec, max).split(lines, fileStart), resource,
          t -> t.length() > max ? RawText.dropped(DropReason.OVERSIZED) : RawText.of(t));
      case JSONL -> jsonLines(spec, lines, resource, max);
      case CSV -> csvLines(spec, lines, resource, fileStart ? firstNonEmpty(lines) : csvHeader, file, max);
      default -> throw new IllegalStateException("format " + spec.format());
    };
  }

  /**
   * The header line of a single-line-record CSV file: its first non-empty line (a line holding only {@code '\r'} is
   * empty, as in Commons CSV), for the readers of splits that start inside the file.
   *
   * @param in               the file's decompressed bytes from the start; read up to the header, not closed
   * @param maxDocumentChars lines are cut as in {@link #lines}
   * @return the line, or null if the file has none
   */
  public static String csvHeaderLine(InputStream in, String file, int maxDocumentChars) {
    return firstNonEmpty(new BoundedLines(utf8(in), file, maxDocumentChars));
  }

  private static String firstNonEmpty(Iterator<String> lines) {
    while (lines.hasNext()) {
      String l = lines.next();
      if (!DocumentSplitter.stripCr(l).isEmpty()) {
        return l;
      }
    }
    return null;
  }

  private static RawTexts lineBased(SourceSpec spec, InputStream in, String file, int max) {
    BoundedLines lines = new BoundedLines(utf8(in), file, max);
    Iterator<String> docs = new DocumentSplitter(spec, max).split(lines);
    return new Mapped<>(docs, lines, t -> t.length() > max ? RawText.dropped(DropReason.OVERSIZED) : RawText.of(t));
  }

  private static RawTexts jsonLines(SourceSpec spec, Iterator<String> lines, AutoCloseable resource, int max) {
    String field = spec.field();
    Iterator<String> nonBlank = new Lookahead<>() {
      @Override
      protected String compute() {
        while (lines.hasNext()) {
          String l = lines.next();
          if (!l.isBlank()) {
            return l;
          }
        }
        return null;
      }
    };
    return new Mapped<>(nonBlank, resource, line -> {
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
      parser = csvFormat(spec, true).parse(reader);
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

  /** The CSV format of {@link #csv}, with or without reading a header record. */
  private static CSVFormat csvFormat(SourceSpec spec, boolean header) {
    CSVFormat.Builder b = CSVFormat.RFC4180.builder().setDelimiter(spec.delimiter()).setAllowMissingColumnNames(true)
        .setIgnoreEmptyLines(true);
    if (header) {
      b.setHeader().setSkipHeaderRecord(true);
    }
    return b.build();
  }

  /** CSV with single-line records: the header line gives the text column's index, then one record per line. */
  private static RawTexts csvLines(SourceSpec spec, Iterator<String> lines, AutoCloseable resource, String header,
                                   String file, int max) {
    Map<String, Integer> names;
    List<String> headerNames;
    try (CSVParser p = csvFormat(spec, true).parse(new StringReader(header == null ? "" : header))) {
      names = p.getHeaderMap();
      headerNames = p.getHeaderNames();
    } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
      closeQuietly(resource);
      throw new UncheckedIOException(new IOException("cannot read the CSV header of " + file + ": " + e.getMessage(),
          e));
    }
    Integer col = names == null ? null : names.get(spec.field());
    if (col == null) {
      closeQuietly(resource);
      throw new IllegalArgumentException("source '" + spec.name() + "': " + file + " has no column '" + spec.field()
          + "' (header: " + headerNames + ")");
    }
    int column = col;
    CSVFormat records = csvFormat(spec, false);
    Iterator<String> nonEmpty = new Lookahead<>() {
      @Override
      protected String compute() {
        while (lines.hasNext()) {
          String l = DocumentSplitter.stripCr(lines.next());
          if (!l.isEmpty()) {
            return l;
          }
        }
        return null;
      }
    };
    return new Mapped<>(nonEmpty, resource, line -> {
      if (line.length() > max) {
        return RawText.dropped(DropReason.OVERSIZED);
      }
      List<CSVRecord> rs;
      try (CSVParser p = records.parse(new StringReader(line))) {
        rs = p.getRecords();
      } catch (IOException | UncheckedIOException | IllegalStateException e) { // e.g. a quote left open
        return RawText.dropped(DropReason.BAD_RECORD);
      }
      if (rs.size() != 1 || column >= rs.get(0).size()) {
        return RawText.dropped(DropReason.BAD_RECORD);
      }
      return RawText.of(rs.get(0).get(column));
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
    protected final RawText compute() {
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
