package dev.pretrain.corpus.ingest;

import java.io.Serializable;
import java.util.Iterator;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Cuts the lines of one input file into raw document texts according to a {@link SourceSpec}.
 *
 * <p>Rules common to all formats: a trailing {@code '\r'} is stripped from every line (CRLF files);
 * lines matching {@link SourceSpec#skipLineRegex()} are dropped first; documents whose text would be
 * blank are not emitted. Regexes use {@link java.util.regex.Matcher#find()} semantics, so anchor them
 * with {@code ^...$}.
 *
 * <p>Inside a multi-line document ({@code HEADINGS}, {@code BLANK_LINES}, {@code FILE}) a paragraph
 * break is written as {@code '\n'}. With {@link SourceSpec#linePerParagraph()} every line is a
 * paragraph; otherwise consecutive non-blank lines are one hard-wrapped paragraph joined with a
 * single space and blank lines end a paragraph. In {@code HEADINGS} the heading line itself is not
 * part of the document (it is a marker such as {@code " = Title = "} or {@code "CHAPTER 1. Loomings."});
 * text before the first heading (front matter) forms a document of its own, which
 * {@link DocumentProcessor} may drop as too short.
 *
 * <p>Streaming: memory is bounded by one document. The returned iterator is single-use and not
 * thread-safe; this class itself is immutable and {@link Serializable} (for Spark closures).
 */
public final class DocumentSplitter implements Serializable {
  private static final long serialVersionUID = 1L;

  private final SourceSpec spec;
  private final Pattern heading;
  private final Pattern skip;
  private final int maxDocChars;

  public DocumentSplitter(SourceSpec spec) {
    this(spec, Integer.MAX_VALUE - 16);
  }

  /**
   * @param maxDocChars a multi-line document stops growing once it is longer than this (its text is then
   *                    cut, somewhere past {@code maxDocChars}, so a caller can tell and drop it); bounds memory.
   *                    A {@code LINE} or {@code TSV} line longer than this is returned whole (not its TSV column,
   *                    which a line reader may have cut), so the caller drops it too
   */
  public DocumentSplitter(SourceSpec spec, int maxDocChars) {
    if (maxDocChars < 1) {
      throw new IllegalArgumentException("maxDocChars must be >= 1, got " + maxDocChars);
    }
    this.maxDocChars = maxDocChars;
    this.spec = Objects.requireNonNull(spec, "spec");
    this.heading = spec.headingRegex() == null ? null : Pattern.compile(spec.headingRegex());
    this.skip = spec.skipLineRegex() == null ? null : Pattern.compile(spec.skipLineRegex());
  }

  public SourceSpec spec() {
    return spec;
  }

  /**
   * Streams raw document texts from one file's lines, in file order.
   *
   * @param lines the file's lines without line terminators (a trailing {@code '\r'} is tolerated)
   * @return lazily computed documents; {@link Iterator#next()} throws {@link IllegalArgumentException}
   *     naming the source and 1-based line number for a TSV line lacking the text column
   */
  public Iterator<String> split(Iterator<String> lines) {
    return split(lines, true);
  }

  /**
   * Streams raw document texts from a run of whole lines of one file, in file order.
   *
   * @param lines     the lines without line terminators (a trailing {@code '\r'} is tolerated)
   * @param fileStart whether the first line is the file's first line: only then is a TSV header line skipped.
   *                  {@code false} (a byte-range split that starts inside the file) is only allowed for the
   *                  one-document-per-line formats {@link DocumentFormat#LINE} and {@link DocumentFormat#TSV};
   *                  line numbers in messages then count from the split's first line
   * @return as {@link #split(Iterator)}
   * @throws IllegalArgumentException if {@code fileStart} is false for a multi-line format
   */
  public Iterator<String> split(Iterator<String> lines, boolean fileStart) {
    Objects.requireNonNull(lines, "lines");
    if (!fileStart && spec.format() != DocumentFormat.LINE && spec.format() != DocumentFormat.TSV) {
      throw new IllegalArgumentException("source '" + spec.name() + "': format " + spec.format()
          + " holds documents that span lines; it cannot be read from inside a file");
    }
    return switch (spec.format()) {
      case LINE, TSV -> new LineDocs(lines, fileStart);
      case HEADINGS, BLANK_LINES, FILE -> new MultiLineDocs(lines);
      default -> throw new IllegalArgumentException("source '" + spec.name() + "': format " + spec.format()
          + " is not line based; read it with SourceReader");
    };
  }

  static String stripCr(String line) {
    return !line.isEmpty() && line.charAt(line.length() - 1) == '\r' ? line.substring(0, line.length() - 1) : line;
  }

  private boolean skipped(String line) {
    return skip != null && skip.matcher(line).find();
  }

  /** Returns the text of 0-based TSV column {@code col}: everything after the col-th tab. */
  private String tsvField(String line, long lineNo, boolean fileStart) {
    int start = 0;
    for (int c = 0; c < spec.tsvColumn(); c++) {
      int tab = line.indexOf('\t', start);
      if (tab < 0) {
        throw new IllegalArgumentException("source '" + spec.name() + "' (" + spec.uri() + ") line " + lineNo
            + (fileStart ? "" : " of a split starting inside the file") + ": has " + (c + 1)
            + " tab-separated field(s), text column " + spec.tsvColumn()
            + " (0-based) missing");
      }
      start = tab + 1;
    }
    return line.substring(start);
  }

  private abstract static class Base extends Lookahead<String> {
    final Iterator<String> lines;
    long lineNo;

    Base(Iterator<String> lines) {
      this.lines = lines;
    }
  }

  private final class LineDocs extends Base {
    private final boolean fileStart;

    LineDocs(Iterator<String> lines, boolean fileStart) {
      super(lines);
      this.fileStart = fileStart;
    }

    @Override
    protected String compute() {
      while (lines.hasNext()) {
        String raw = lines.next();
        lineNo++;
        if (raw == null) {
          continue;
        }
        String line = stripCr(raw);
        if (spec.format() == DocumentFormat.TSV && spec.tsvHeader() && fileStart && lineNo == 1) {
          continue;
        }
        if (line.isBlank() || skipped(line)) {
          continue;
        }
        if (line.length() > maxDocChars) {
          return line; // over the cap (and possibly cut by the line reader): the caller drops it as oversized
        }
        return spec.format() == DocumentFormat.TSV ? tsvField(line, lineNo, fileStart) : line;
      }
      return null;
    }
  }

  private final class MultiLineDocs extends Base {
    private final StringBuilder doc = new StringBuilder();
    private boolean inParagraph;
    private boolean hasText;

    MultiLineDocs(Iterator<String> lines) {
      super(lines);
    }

    private String take() {
      String text = hasText ? doc.toString() : null;
      doc.setLength(0);
      inParagraph = false;
      hasText = false;
      return text;
    }

    private void add(String line) {
      if (line.isBlank()) {
        inParagraph = false;
        return;
      }
      if (doc.length() > maxDocChars) {
        hasText = true; // over the cap: keep reading to the document's end without growing
        return;
      }
      if (hasText) {
        doc.append(inParagraph && !spec.linePerParagraph() ? ' ' : '\n');
      }
      doc.append(line);
      hasText = true;
      inParagraph = true;
    }

    @Override
    protected String compute() {
      while (lines.hasNext()) {
        String raw = lines.next();
        lineNo++;
        if (raw == null) {
          continue;
        }
        String line = stripCr(raw);
        if (skipped(line)) {
          continue;
        }
        switch (spec.format()) {
          case HEADINGS -> {
            if (heading.matcher(line).find()) {
              String text = take();
              if (text != null) {
                return text;
              }
              continue;
            }
          }
          case BLANK_LINES -> {
            if (line.isBlank()) {
              String text = take();
              if (text != null) {
                return text;
              }
              continue;
            }
          }
          default -> { }
        }
        add(line);
      }
      return take();
    }
  }
}
