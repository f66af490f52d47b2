package dev.pretrain.corpus.ingest;

/**
 * How one input file is cut into raw documents ({@link SourceReader}; the line-based formats through
 * {@link DocumentSplitter}).
 *
 * <ul>
 *   <li>{@link #LINE}: one document per non-blank line (e.g. the Lee background corpus).</li>
 *   <li>{@link #TSV}: one document per line, taken from one tab-separated column by 0-based index; that
 *       column takes the rest of the line, tabs included (IMDB reviews contain tabs); an optional header
 *       line is skipped. No quoting (use {@link #CSV} with a tab delimiter for quoted TSV).</li>
 *   <li>{@link #HEADINGS}: a new document starts at every line matching a heading regex (the
 *       heading line itself is not part of the text), e.g. WikiText article titles
 *       {@code " = Title = "} or Gutenberg {@code "CHAPTER 12. ..."} lines.</li>
 *   <li>{@link #BLANK_LINES}: documents separated by one or more blank lines (the input format of
 *       Google BERT's {@code create_pretraining_data.py}).</li>
 *   <li>{@link #FILE}: the whole file is one document.</li>
 *   <li>{@link #JSONL}: JSON lines; one document per line from the string field
 *       {@link SourceSpec#field()} (a top-level name, or a JSON Pointer such as {@code /meta/text}).</li>
 *   <li>{@link #CSV}: RFC 4180 delimited text read with Apache Commons CSV (quoted fields may hold
 *       delimiters, doubled quotes and line breaks); the first record is the header and the document is
 *       the column named {@link SourceSpec#field()}; delimiter {@link SourceSpec#delimiter()}. With
 *       {@link SourceSpec#singleLineRecords()} every line is parsed as one record (no field spans lines), so that
 *       a large file can be split at line ends.</li>
 *   <li>{@link #WIKI_XML}: a MediaWiki XML export ({@code pages-articles} dump), streamed with StAX one
 *       page at a time; namespace-0 articles only, redirects skipped, text from {@link WikiMarkup}.</li>
 *   <li>{@link #TAGGED_TAR}: a tar archive whose members (names matching {@link SourceSpec#memberRegex()})
 *       are documents of {@code word/TAG} tokens, one sentence per line, blank lines between paragraphs
 *       (NLTK's Brown corpus); tags are stripped.</li>
 *   <li>{@link #WARC}: a web archive read with jwarc ({@code dev.pretrain.corpus.ingest.readers.WarcReader}): WARC
 *       (plain or gzip per record), ARC and WET files; one document per {@code response}, {@code resource} and
 *       {@code conversion} record, HTML payloads reduced to their main text
 *       ({@code dev.pretrain.corpus.ingest.extractors.HtmlMainText}).</li>
 *   <li>{@link #TEXT_TAR}: a tar archive of plain UTF-8 text members, one document per regular member whose name
 *       matches {@link SourceSpec#memberRegex()} ({@code dev.pretrain.corpus.ingest.readers.TarTextReader}).</li>
 *   <li>{@link #PARQUET}, {@link #ORC}: a dataset (one file or a folder of them, as Hugging Face datasets publish
 *       them) with a string column of text {@link SourceSpec#field()}, optional id and URL columns; read by Spark
 *       in the jobs module, not by {@link SourceReader}.</li>
 * </ul>
 */
public enum DocumentFormat {
  LINE, TSV, HEADINGS, BLANK_LINES, FILE, JSONL, CSV, WIKI_XML, TAGGED_TAR, WARC, TEXT_TAR, PARQUET, ORC;

  /** Whether the format is a columnar dataset read by Spark ({@link #PARQUET}, {@link #ORC}). */
  public boolean dataset() {
    return this == PARQUET || this == ORC;
  }
}
