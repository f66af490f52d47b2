package dev.pretrain.corpus.ingest;

/** Why a raw document was rejected; {@link #key()} is the counter/report name. */
public enum DropReason {
  /** Nothing left after cleaning (blank, markup only, control characters only). */
  EMPTY("empty"),
  /** Clean text shorter than the minimum number of characters (code points). */
  TOO_SHORT("too_short"),
  /** Fewer sentences than the minimum. */
  TOO_FEW_SENTENCES("too_few_sentences"),
  /** Clean text longer than the maximum number of characters (code points). */
  TOO_LONG("too_long"),
  /** Share of characters that are neither letters, digits nor white space above the maximum. */
  TOO_MANY_SYMBOLS("symbol_ratio"),
  /** Share of lines (paragraphs) repeating an earlier line of the same document above the maximum. */
  REPEATED_LINES("repeated_lines"),
  /** The raw bytes were not valid UTF-8 (the decoder had to substitute U+FFFD). */
  INVALID_UTF8("invalid_utf8"),
  /**
   * The raw document exceeded the reader's size cap ({@code maxDocumentChars}); it was cut off while
   * reading (bounded memory) and dropped whole.
   */
  OVERSIZED("oversized"),
  /**
   * A JSON line that does not parse or lacks the text field; a CSV record lacking the text column; a dataset row
   * whose text column is null.
   */
  BAD_RECORD("bad_record"),
  /**
   * A web archive record whose payload is not text: its media type (HTTP {@code Content-Type}, or the record's for
   * {@code resource} records) is none of HTML, XHTML and plain text (images, PDF, scripts, ...).
   */
  NOT_TEXT("not_text"),
  /**
   * A web archive record whose payload ends early: the record is shorter than its declared length, or its HTTP
   * content encoding (gzip, deflate) or chunked transfer coding stops before the end.
   */
  TRUNCATED_RECORD("truncated_record"),
  /**
   * A web filter rule of {@link dev.pretrain.corpus.ingest.filters.WebFilters} fired; the
   * {@link IngestOutcome#rule()} names it and is the counted key ({@link IngestOutcome#dropKey()}).
   */
  FILTERED("filtered");

  private final String key;

  DropReason(String key) {
    this.key = key;
  }

  /** Stable lower_snake_case name, e.g. {@code "too_short"}. */
  public String key() {
    return key;
  }
}
