package dev.pretrain.corpus.ingest.filters;

import java.io.Serializable;

/**
 * What one web filter decided about one document: kept (with its text, possibly modified by a line filter such as
 * {@link C4QualityFilter}) or dropped with the name of the rule that fired.
 *
 * @param dropRule null when kept; otherwise the rule's report key, e.g. {@code "gopher_short_doc"}
 * @param text     the text to go on with when kept (null when dropped)
 */
public record FilterVerdict(String dropRule, String text) implements Serializable {
  public FilterVerdict {
    if ((dropRule == null) == (text == null)) {
      throw new IllegalArgumentException("exactly one of dropRule and text must be non-null");
    }
  }

  public static FilterVerdict keep(String text) {
    return new FilterVerdict(null, text);
  }

  public static FilterVerdict drop(String rule) {
    return new FilterVerdict(rule, null);
  }

  public boolean kept() {
    return dropRule == null;
  }
}
