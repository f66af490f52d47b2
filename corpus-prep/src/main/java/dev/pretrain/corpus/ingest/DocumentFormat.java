package dev.pretrain.corpus.ingest;

/**
 * How one input file is cut into raw documents by {@link DocumentSplitter}.
 *
 * <ul>
 *   <li>{@link #LINE}: one document per non-blank line (e.g. the Lee background corpus).</li>
 *   <li>{@link #TSV}: one document per line, taken from one tab-separated column; that column
 *       takes the rest of the line, tabs included (IMDB reviews contain tabs); an optional header
 *       line is skipped.</li>
 *   <li>{@link #HEADINGS}: a new document starts at every line matching a heading regex (the
 *       heading line itself is not part of the text), e.g. WikiText article titles
 *       {@code " = Title = "} or Gutenberg {@code "CHAPTER 12. ..."} lines.</li>
 *   <li>{@link #BLANK_LINES}: documents separated by one or more blank lines (the input format of
 *       Google BERT's {@code create_pretraining_data.py}).</li>
 *   <li>{@link #FILE}: the whole file is one document.</li>
 * </ul>
 */
public enum DocumentFormat {
  LINE, TSV, HEADINGS, BLANK_LINES, FILE
}
