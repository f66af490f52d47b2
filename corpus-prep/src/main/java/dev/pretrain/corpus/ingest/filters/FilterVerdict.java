package dev.pretrain.corpus.ingest.filters;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one web filter decided about one document: kept (with its text, possibly modified by a line filter such as
 * {@link C4QualityFilter}) or dropped with the name of the rule that fired.
 *
 * @param dropRule null when kept; otherwise the rule's report key, e.g. {@code "gopher_short_doc"}
 * @param text         the text to go on with when kept (null when dropped)
 * @param linesRemoved when kept by a line filter: lines removed per line rule (report key to count, only rules that
 *                     removed a line; e.g. {@code c4_line_javascript}); empty otherwise, never null (unmodifiable)
 */
public record FilterVerdict(String dropRule, String text, Map<String, Integer> linesRemoved) implements Serializable {
  public FilterVerdict {
    if ((dropRule == null) == (text == null)) {
      throw new IllegalArgumentException("exactly one of dropRule and text must be non-null");
    }
    linesRemoved = linesRemoved == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(linesRemoved));
  }

  public FilterVerdict(String dropRule, String text) {
    this(dropRule, text, Map.of());
  }

  public static FilterVerdict keep(String text) {
    return new FilterVerdict(null, text);
  }

  /** Kept, with the lines a line filter removed per rule. */
  public static FilterVerdict keep(String text, Map<String, Integer> linesRemoved) {
    return new FilterVerdict(null, text, linesRemoved);
  }

  public static FilterVerdict drop(String rule) {
    return new FilterVerdict(rule, null);
  }

  public boolean kept() {
    return dropRule == null;
  }
}
