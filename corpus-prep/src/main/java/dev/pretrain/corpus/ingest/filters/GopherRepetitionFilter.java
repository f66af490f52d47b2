package dev.pretrain.corpus.ingest.filters;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The repetition rules of Rae et al. 2021, "Gopher" (appendix A.1.1, table A1), with the semantics of datatrove's
 * {@code GopherRepetitionFilter}. Lengths are code points; {@code L} is the length of the whole text. Checked in
 * this order, the first that fires names the drop:
 * <ol>
 *   <li>{@code gopher_dup_para_frac}: paragraphs (split on 2 or more {@code '\n'}, text stripped) equal to an earlier
 *       paragraph / paragraphs {@code > dupParaFrac} (0.3);</li>
 *   <li>{@code gopher_dup_para_char_frac}: characters of those duplicate paragraphs / {@code L} {@code >
 *       dupParaCharFrac} (0.2);</li>
 *   <li>{@code gopher_dup_line_frac}, {@code gopher_dup_line_char_frac}: the same for lines (split on runs of
 *       {@code '\n'}; 0.3, 0.2);</li>
 *   <li>{@code gopher_top_<n>_gram} for n = 2, 3, 4: the most frequent word n-gram (words joined by one space; ties:
 *       the first seen), its length times its count / {@code L} {@code >} 0.20, 0.18, 0.16;</li>
 *   <li>{@code gopher_duplicated_<n>_n_grams} for n = 5..10: scanning the words left to right, an n-gram seen
 *       before adds its length and the scan jumps n words, otherwise it is remembered and the scan moves one word;
 *       the sum / {@code L} {@code >} 0.15, 0.14, 0.13, 0.12, 0.11, 0.10.</li>
 * </ol>
 * Words are {@link Words#of(String)}. A fraction of 1 or more switches its rule off. Note that
 * {@code TextCleaner} output separates paragraphs by a single {@code '\n'}, so there its lines are its paragraphs and
 * the paragraph rules only see text that keeps blank lines. Immutable, serializable, thread-safe.
 *
 * @param topNGrams  n to maximum fraction, for the top n-gram rules
 * @param dupNGrams  n to maximum fraction, for the duplicated n-gram rules
 */
public record GopherRepetitionFilter(double dupLineFrac, double dupParaFrac, double dupLineCharFrac,
                                     double dupParaCharFrac, Map<Integer, Double> topNGrams,
                                     Map<Integer, Double> dupNGrams) implements Serializable {
  public static final GopherRepetitionFilter DEFAULT = new GopherRepetitionFilter(0.3, 0.3, 0.2, 0.2,
      Map.of(2, 0.2, 3, 0.18, 4, 0.16), Map.of(5, 0.15, 6, 0.14, 7, 0.13, 8, 0.12, 9, 0.11, 10, 0.10));

  private static final Pattern PARAGRAPHS = Pattern.compile("\n{2,}");
  private static final Pattern LINES = Pattern.compile("\n+");

  public GopherRepetitionFilter {
    topNGrams = new java.util.TreeMap<>(topNGrams);
    dupNGrams = new java.util.TreeMap<>(dupNGrams);
    for (Map<Integer, Double> m : List.of(topNGrams, dupNGrams)) {
      for (Map.Entry<Integer, Double> e : m.entrySet()) {
        if (e.getKey() < 1 || !(e.getValue() >= 0)) {
          throw new IllegalArgumentException("gopher_repetition: bad n-gram rule " + e);
        }
      }
    }
    if (!(dupLineFrac >= 0 && dupParaFrac >= 0 && dupLineCharFrac >= 0 && dupParaCharFrac >= 0)) {
      throw new IllegalArgumentException("gopher_repetition fractions must be >= 0");
    }
  }

  /**
   * {@link #DEFAULT} with overrides: {@code dup_line_frac, dup_para_frac, dup_line_char_frac, dup_para_char_frac},
   * {@code top_<n>_gram_frac} (n = 2..4) and {@code dup_<n>_gram_frac} (n = 5..10).
   *
   * @throws IllegalArgumentException on an unknown key or a bad value
   */
  public static GopherRepetitionFilter withParams(Map<String, String> params) {
    FilterParams p = new FilterParams("gopher_repetition", params);
    GopherRepetitionFilter d = DEFAULT;
    Map<Integer, Double> top = new java.util.TreeMap<>();
    d.topNGrams.forEach((n, f) -> top.put(n, p.getDouble("top_" + n + "_gram_frac", f)));
    Map<Integer, Double> dup = new java.util.TreeMap<>();
    d.dupNGrams.forEach((n, f) -> dup.put(n, p.getDouble("dup_" + n + "_gram_frac", f)));
    GopherRepetitionFilter f = new GopherRepetitionFilter(p.getDouble("dup_line_frac", d.dupLineFrac),
        p.getDouble("dup_para_frac", d.dupParaFrac), p.getDouble("dup_line_char_frac", d.dupLineCharFrac),
        p.getDouble("dup_para_char_frac", d.dupParaCharFrac), top, dup);
    p.checkAllUsed();
    return f;
  }

  /** Keeps {@code text} unchanged or names the first rule that fires. */
  public FilterVerdict apply(String text) {
    int total = Words.length(text);
    if (total == 0) {
      return FilterVerdict.keep(text);
    }
    String[] paragraphs = PARAGRAPHS.split(text.strip());
    long[] d = duplicates(Arrays.asList(paragraphs));
    if (dupParaFrac < 1 && (double) d[0] / paragraphs.length > dupParaFrac) {
      return FilterVerdict.drop("gopher_dup_para_frac");
    }
    if (dupParaCharFrac < 1 && (double) d[1] / total > dupParaCharFrac) {
      return FilterVerdict.drop("gopher_dup_para_char_frac");
    }
    String[] lines = LINES.split(text);
    d = duplicates(Arrays.asList(lines));
    if (dupLineFrac < 1 && (double) d[0] / lines.length > dupLineFrac) {
      return FilterVerdict.drop("gopher_dup_line_frac");
    }
    if (dupLineCharFrac < 1 && (double) d[1] / total > dupLineCharFrac) {
      return FilterVerdict.drop("gopher_dup_line_char_frac");
    }
    List<String> words = Words.of(text);
    for (Map.Entry<Integer, Double> e : topNGrams.entrySet()) {
      int n = e.getKey();
      if (e.getValue() < 1 && words.size() >= n && (double) topNGramChars(words, n) / total > e.getValue()) {
        return FilterVerdict.drop("gopher_top_" + n + "_gram");
      }
    }
    for (Map.Entry<Integer, Double> e : dupNGrams.entrySet()) {
      int n = e.getKey();
      if (e.getValue() < 1 && words.size() >= n && (double) duplicatedNGramChars(words, n) / total > e.getValue()) {
        return FilterVerdict.drop("gopher_duplicated_" + n + "_n_grams");
      }
    }
    return FilterVerdict.keep(text);
  }

  /** {elements equal to an earlier element, their total length in code points}. */
  static long[] duplicates(List<String> elements) {
    Set<String> seen = new HashSet<>();
    long count = 0;
    long chars = 0;
    for (String e : elements) {
      if (!seen.add(e)) {
        count++;
        chars += Words.length(e);
      }
    }
    return new long[] {count, chars};
  }

  /** Length of the most frequent n-gram (words joined by a space) times its count; ties go to the first seen. */
  static long topNGramChars(List<String> words, int n) {
    Map<String, Integer> counts = new java.util.LinkedHashMap<>();
    for (int i = 0; i + n <= words.size(); i++) {
      counts.merge(String.join(" ", words.subList(i, i + n)), 1, Integer::sum);
    }
    String best = null;
    int bestCount = 0;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      if (e.getValue() > bestCount) {
        best = e.getKey();
        bestCount = e.getValue();
      }
    }
    return best == null ? 0 : (long) Words.length(best) * bestCount;
  }

  /** Characters of the n-grams that repeat an earlier one, scanning left to right and skipping n words past each. */
  static long duplicatedNGramChars(List<String> words, int n) {
    Set<String> seen = new HashSet<>();
    long chars = 0;
    int i = 0;
    while (i + n <= words.size()) {
      String g = String.join(" ", words.subList(i, i + n));
      if (seen.add(g)) {
        i++;
      } else {
        chars += Words.length(g);
        i += n;
      }
    }
    return chars;
  }
}
