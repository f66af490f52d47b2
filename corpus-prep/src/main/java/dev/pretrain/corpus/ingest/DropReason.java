package dev.pretrain.corpus.ingest;

/** Why {@link DocumentProcessor} rejected a document; {@link #key()} is the counter/report name. */
public enum DropReason {
  /** Nothing left after cleaning (blank, markup only, control characters only). */
  EMPTY("empty"),
  /** Clean text shorter than the minimum number of characters (code points). */
  TOO_SHORT("too_short"),
  /** Fewer sentences than the minimum. */
  TOO_FEW_SENTENCES("too_few_sentences");

  private final String key;

  DropReason(String key) {
    this.key = key;
  }

  /** Stable lower_snake_case name, e.g. {@code "too_short"}. */
  public String key() {
    return key;
  }
}
