package dev.pretrain.corpus.ingest;

import java.io.Serializable;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Describes one text source: where it is and how its files are cut into documents and cleaned.
 *
 * @param name               short source name written into every {@link Document} (e.g. {@code "imdb"})
 * @param uri                file or directory/glob URI (local path, {@code hdfs://}, {@code s3a://}); read by the caller
 * @param format             how a file is split into documents
 * @param tsvColumn          0-based column holding the text ({@link DocumentFormat#TSV} only); it takes the rest of the line
 * @param tsvHeader          whether the first line of each file is a header to skip ({@link DocumentFormat#TSV} only)
 * @param headingRegex       regex (matched against the whole line, {@code \r} stripped) starting a new document
 *                           ({@link DocumentFormat#HEADINGS} only; null otherwise)
 * @param skipLineRegex      regex of lines to drop before anything else (e.g. WikiText section headings
 *                           {@code " = = Section = = "}); null for none
 * @param html               whether document text is HTML (converted to text with jsoup)
 * @param wikitextDetokenize whether to undo the WikiText {@code " @-@ "}, {@code " @,@ "}, {@code " @.@ "} splits
 * @param linePerParagraph   {@code true}: every input line is a paragraph of its own (WikiText, one sentence per line
 *                           files); {@code false}: consecutive non-blank lines are one hard-wrapped paragraph joined
 *                           with a space, and blank lines separate paragraphs (Gutenberg books)
 * @param field              {@link DocumentFormat#JSONL}: the text field (top-level name or a JSON Pointer starting
 *                           with {@code /}); {@link DocumentFormat#CSV}: the header name of the text column; null otherwise
 * @param delimiter          {@link DocumentFormat#CSV} field delimiter ({@code ','} or {@code '\t'}, ...)
 * @param memberRegex        {@link DocumentFormat#TAGGED_TAR}: regex ({@code find}) of the member names to read, null
 *                           for every regular file member
 * @param singleLineRecords  {@link DocumentFormat#CSV} only (default {@code false}): the source promises that every
 *                           record is one line, i.e. no quoted field holds a line break. The file is then read line by
 *                           line (so a large one can be split across tasks, see {@link #lineSplittable()}); a line
 *                           that is not exactly one whole record (an unclosed quote, a lone {@code '\r'}) is dropped as
 *                           {@link DropReason#BAD_RECORD}, and a line longer than the read cap as
 *                           {@link DropReason#OVERSIZED}
 * @param idField            {@link DocumentFormat#PARQUET}/{@link DocumentFormat#ORC}: the column of a record id
 *                           (any type, written as a string), null for none
 * @param urlField           {@link DocumentFormat#PARQUET}/{@link DocumentFormat#ORC}: the string column of a URL,
 *                           null for none
 * @throws IllegalArgumentException if a regex does not compile, or a required field is missing
 */
public record SourceSpec(String name, String uri, DocumentFormat format, int tsvColumn, boolean tsvHeader,
                         String headingRegex, String skipLineRegex, boolean html, boolean wikitextDetokenize,
                         boolean linePerParagraph, String field, char delimiter, String memberRegex,
                         boolean singleLineRecords, String idField, String urlField)
    implements Serializable {

  /** WikiText article title line, e.g. {@code " = Robert Boulter = "} (not {@code " = = Section = = "}). */
  public static final String WIKITEXT_ARTICLE_REGEX = "^ = [^=].* = $";
  /** WikiText section/subsection heading line, e.g. {@code " = = Career = = "}. */
  public static final String WIKITEXT_SECTION_REGEX = "^ = = .* = = $";
  /** Project Gutenberg chapter heading, e.g. {@code "CHAPTER 1. Loomings."}. */
  public static final String CHAPTER_REGEX = "^CHAPTER \\d+\\b.*$";

  public SourceSpec {
    Objects.requireNonNull(name, "SourceSpec.name");
    Objects.requireNonNull(format, "SourceSpec.format of " + name);
    if (format == DocumentFormat.TSV && tsvColumn < 0) {
      throw new IllegalArgumentException("source " + name + ": tsvColumn must be >= 0, got " + tsvColumn);
    }
    if (format == DocumentFormat.HEADINGS && (headingRegex == null || headingRegex.isEmpty())) {
      throw new IllegalArgumentException("source " + name + ": format HEADINGS needs a headingRegex");
    }
    if ((format == DocumentFormat.JSONL || format == DocumentFormat.CSV || format.dataset())
        && (field == null || field.isEmpty())) {
      throw new IllegalArgumentException("source " + name + ": format " + format + " needs a field (the text "
          + (format == DocumentFormat.CSV ? "column's header name)" : format.dataset() ? "column's name)"
          : "field name or JSON Pointer)"));
    }
    if ((idField != null || urlField != null) && !format.dataset()) {
      throw new IllegalArgumentException("source " + name + ": id and URL columns are Parquet/ORC settings, format is "
          + format);
    }
    checkRegex(name, "headingRegex", headingRegex);
    checkRegex(name, "skipLineRegex", skipLineRegex);
    checkRegex(name, "memberRegex", memberRegex);
    if (singleLineRecords && format != DocumentFormat.CSV) {
      throw new IllegalArgumentException("source " + name + ": singleLineRecords is a CSV setting, format is "
          + format);
    }
  }

  /** The fourteen-component form (before the dataset id/URL columns): none. */
  public SourceSpec(String name, String uri, DocumentFormat format, int tsvColumn, boolean tsvHeader,
                    String headingRegex, String skipLineRegex, boolean html, boolean wikitextDetokenize,
                    boolean linePerParagraph, String field, char delimiter, String memberRegex,
                    boolean singleLineRecords) {
    this(name, uri, format, tsvColumn, tsvHeader, headingRegex, skipLineRegex, html, wikitextDetokenize,
        linePerParagraph, field, delimiter, memberRegex, singleLineRecords, null, null);
  }

  /** The thirteen-component form (before {@code singleLineRecords}): CSV records may span lines. */
  public SourceSpec(String name, String uri, DocumentFormat format, int tsvColumn, boolean tsvHeader,
                    String headingRegex, String skipLineRegex, boolean html, boolean wikitextDetokenize,
                    boolean linePerParagraph, String field, char delimiter, String memberRegex) {
    this(name, uri, format, tsvColumn, tsvHeader, headingRegex, skipLineRegex, html, wikitextDetokenize,
        linePerParagraph, field, delimiter, memberRegex, false);
  }

  /** The ten-component form (before JSONL/CSV/tar fields): {@code field} null, delimiter {@code ','}, all members. */
  public SourceSpec(String name, String uri, DocumentFormat format, int tsvColumn, boolean tsvHeader,
                    String headingRegex, String skipLineRegex, boolean html, boolean wikitextDetokenize,
                    boolean linePerParagraph) {
    this(name, uri, format, tsvColumn, tsvHeader, headingRegex, skipLineRegex, html, wikitextDetokenize,
        linePerParagraph, null, ',', null);
  }

  /** The nine-component form of the original API; {@code linePerParagraph} is {@code false}. */
  public SourceSpec(String name, String uri, DocumentFormat format, int tsvColumn, boolean tsvHeader,
                    String headingRegex, String skipLineRegex, boolean html, boolean wikitextDetokenize) {
    this(name, uri, format, tsvColumn, tsvHeader, headingRegex, skipLineRegex, html, wikitextDetokenize, false);
  }

  private static void checkRegex(String name, String field, String regex) {
    if (regex == null) {
      return;
    }
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("source " + name + ": bad " + field + " '" + regex + "': "
          + e.getDescription(), e);
    }
  }

  /** One document per non-blank line. */
  public static SourceSpec lines(String name, String uri) {
    return new SourceSpec(name, uri, DocumentFormat.LINE, 0, false, null, null, false, false, true);
  }

  /** One document per line from 0-based {@code column} (taking the rest of the line), optional header line. */
  public static SourceSpec tsv(String name, String uri, int column, boolean header) {
    return new SourceSpec(name, uri, DocumentFormat.TSV, column, header, null, null, false, false, true);
  }

  /** A new document at every line matching {@code headingRegex}; lines matching {@code skipLineRegex} dropped. */
  public static SourceSpec headings(String name, String uri, String headingRegex, String skipLineRegex) {
    return new SourceSpec(name, uri, DocumentFormat.HEADINGS, 0, false, headingRegex, skipLineRegex, false, false,
        false);
  }

  /** Documents separated by blank lines; each line of a document is a paragraph (one sentence per line input). */
  public static SourceSpec blankLines(String name, String uri) {
    return new SourceSpec(name, uri, DocumentFormat.BLANK_LINES, 0, false, null, null, false, false, true);
  }

  /** The whole file is one document; blank lines separate hard-wrapped paragraphs. */
  public static SourceSpec wholeFile(String name, String uri) {
    return new SourceSpec(name, uri, DocumentFormat.FILE, 0, false, null, null, false, false, false);
  }

  /**
   * WikiText (raw) files: an article per {@code " = Title = "} line, section heading lines dropped, one paragraph
   * per line, {@code @-@}-style splits undone.
   */
  public static SourceSpec wikitext(String name, String uri) {
    return new SourceSpec(name, uri, DocumentFormat.HEADINGS, 0, false, WIKITEXT_ARTICLE_REGEX,
        WIKITEXT_SECTION_REGEX, false, true, true);
  }

  /** IMDB aclImdb TSV ({@code split label id rating review}): review column 4, header, HTML {@code <br />}. */
  public static SourceSpec imdb(String name, String uri) {
    return tsv(name, uri, 4, true).withHtml(true);
  }

  /** A hard-wrapped Gutenberg book split at {@code CHAPTER N} lines (see {@link #CHAPTER_REGEX}). */
  public static SourceSpec gutenbergChapters(String name, String uri) {
    return headings(name, uri, CHAPTER_REGEX, null);
  }

  /** The same source settings reading {@code uri} instead (e.g. one file of a landing folder). */
  public SourceSpec withUri(String uri) {
    return new SourceSpec(name, uri, format, tsvColumn, tsvHeader, headingRegex, skipLineRegex, html,
        wikitextDetokenize, linePerParagraph, field, delimiter, memberRegex, singleLineRecords, idField, urlField);
  }

  public SourceSpec withHtml(boolean on) {
    return new SourceSpec(name, uri, format, tsvColumn, tsvHeader, headingRegex, skipLineRegex, on,
        wikitextDetokenize, linePerParagraph, field, delimiter, memberRegex, singleLineRecords, idField, urlField);
  }

  public SourceSpec withWikitextDetokenize(boolean on) {
    return new SourceSpec(name, uri, format, tsvColumn, tsvHeader, headingRegex, skipLineRegex, html, on,
        linePerParagraph, field, delimiter, memberRegex, singleLineRecords, idField, urlField);
  }

  public SourceSpec withLinePerParagraph(boolean on) {
    return new SourceSpec(name, uri, format, tsvColumn, tsvHeader, headingRegex, skipLineRegex, html,
        wikitextDetokenize, on, field, delimiter, memberRegex, singleLineRecords, idField, urlField);
  }

  public SourceSpec withSkipLineRegex(String regex) {
    return new SourceSpec(name, uri, format, tsvColumn, tsvHeader, headingRegex, regex, html,
        wikitextDetokenize, linePerParagraph, field, delimiter, memberRegex, singleLineRecords, idField, urlField);
  }

  /** CSV only: whether every record is one line ({@code singleLineRecords}, see the class comment). */
  public SourceSpec withSingleLineRecords(boolean on) {
    return new SourceSpec(name, uri, format, tsvColumn, tsvHeader, headingRegex, skipLineRegex, html,
        wikitextDetokenize, linePerParagraph, field, delimiter, memberRegex, on, idField, urlField);
  }

  /**
   * Whether every line of a file is read on its own, so that a file can be cut at any line end and its parts read
   * independently (all but the first without the file's first line): {@link DocumentFormat#LINE},
   * {@link DocumentFormat#TSV}, {@link DocumentFormat#JSONL}, and {@link DocumentFormat#CSV} with
   * {@code singleLineRecords}. The other formats hold documents (or CSV records) that span lines.
   */
  public boolean lineSplittable() {
    return switch (format) {
      case LINE, TSV, JSONL -> true;
      case CSV -> singleLineRecords;
      default -> false;
    };
  }

  /** JSON lines: one document per line from the string {@code field} (top-level name or JSON Pointer). */
  public static SourceSpec jsonLines(String name, String uri, String field) {
    return new SourceSpec(name, uri, DocumentFormat.JSONL, 0, false, null, null, false, false, true, field, ',',
        null);
  }

  /**
   * Delimited text with a header record (RFC 4180 quoting, multi-line quoted fields); one document per record
   * from the column named {@code column}. {@link #withSingleLineRecords(boolean)} says no field spans lines.
   */
  public static SourceSpec csv(String name, String uri, String column, char delimiter) {
    return new SourceSpec(name, uri, DocumentFormat.CSV, 0, true, null, null, false, false, true, column,
        delimiter, null);
  }

  /** A MediaWiki XML dump: one document per namespace-0, non-redirect page, wiki markup removed. */
  public static SourceSpec wikipediaXml(String name, String uri) {
    return new SourceSpec(name, uri, DocumentFormat.WIKI_XML, 0, false, null, null, false, false, true, null, ',',
        null);
  }

  /**
   * Tar members of {@code word/TAG} tokens (one sentence per line, each line a paragraph), one document per member whose name matches {@code memberRegex}. */
  public static SourceSpec taggedTar(String name, String uri, String memberRegex) {
    return new SourceSpec(name, uri, DocumentFormat.TAGGED_TAR, 0, false, null, null, false, false, true, null,
        ',', memberRegex);
  }

  /** NLTK's tagged Brown corpus tarball: members {@code ca01} ... {@code cr09} (not CONTENTS/README). */
  public static SourceSpec brown(String name, String uri) {
    return taggedTar(name, uri, "(^|/)c[a-r]\\d\\d$");
  }

  /**
   * Web archives (WARC, gzip per record or not, ARC, WET): one document per {@code response}, {@code resource} and
   * {@code conversion} record, HTML reduced to its main text while reading (so {@code html} is off), one paragraph
   * per line.
   */
  public static SourceSpec warc(String name, String uri) {
    return new SourceSpec(name, uri, DocumentFormat.WARC, 0, false, null, null, false, false, true, null, ',', null);
  }

  /**
   * A tar archive of plain UTF-8 text files, one document per regular member whose name matches {@code memberRegex}
   * ({@code find}; null: every member); blank lines separate hard-wrapped paragraphs.
   */
  public static SourceSpec textTar(String name, String uri, String memberRegex) {
    return new SourceSpec(name, uri, DocumentFormat.TEXT_TAR, 0, false, null, null, false, false, false, null, ',',
        memberRegex);
  }

  /**
   * A Parquet or ORC dataset ({@code format} {@link DocumentFormat#PARQUET} or {@link DocumentFormat#ORC}): one
   * document per row from the string column {@code textColumn}; {@code idColumn} and {@code urlColumn} (each may be
   * null) are carried into the output. Each value is one paragraph per line.
   *
   * @throws IllegalArgumentException if {@code format} is not a dataset format or {@code textColumn} is missing
   */
  public static SourceSpec dataset(String name, String uri, DocumentFormat format, String textColumn, String idColumn,
                                   String urlColumn) {
    if (!format.dataset()) {
      throw new IllegalArgumentException("source " + name + ": " + format + " is not a dataset format");
    }
    return new SourceSpec(name, uri, format, 0, false, null, null, false, false, true, textColumn, ',', null, false,
        idColumn, urlColumn);
  }

  /** A {@link TextCleaner} configured for this source. */
  public TextCleaner cleaner() {
    return new TextCleaner(html, wikitextDetokenize);
  }
}
