package dev.pretrain.corpus.ingest.filters;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Threshold overrides of one filter family, from configuration ({@code key -> value} as text): typed getters that
 * fall back to the default, and {@link #checkAllUsed()} so that a misspelt key is an error rather than silently
 * ignored.
 */
public final class FilterParams {
  private final String family;
  private final Map<String, String> values;
  private final Set<String> used = new HashSet<>();

  /**
   * @param family filter family named in error messages, e.g. {@code "gopher_quality"}
   * @param values overrides; null for none
   */
  public FilterParams(String family, Map<String, String> values) {
    this.family = family;
    this.values = values == null ? Map.of() : values;
  }

  public int getInt(String key, int def) {
    String v = raw(key);
    try {
      return v == null ? def : Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw bad(key, v, "an integer");
    }
  }

  public double getDouble(String key, double def) {
    String v = raw(key);
    try {
      return v == null ? def : Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw bad(key, v, "a number");
    }
  }

  public boolean getBoolean(String key, boolean def) {
    String v = raw(key);
    if (v == null) {
      return def;
    }
    return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw bad(key, v, "true or false");
    };
  }

  /** A string value, e.g. a comma-separated list. */
  public String getString(String key, String def) {
    String v = raw(key);
    return v == null ? def : v;
  }

  /** @throws IllegalArgumentException naming the family and every key that no getter asked for */
  public void checkAllUsed() {
    Set<String> unknown = new java.util.TreeSet<>(values.keySet());
    unknown.removeAll(used);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown " + family + " filter parameter(s) " + unknown + ", known: "
          + new java.util.TreeSet<>(used));
    }
  }

  private String raw(String key) {
    used.add(key);
    return values.get(key);
  }

  private IllegalArgumentException bad(String key, String v, String want) {
    return new IllegalArgumentException(family + " filter parameter " + key + ": want " + want + ", got '" + v + "'");
  }
}
