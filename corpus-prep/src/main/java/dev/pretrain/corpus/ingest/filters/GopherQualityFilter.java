package dev.pretrain.corpus.ingest.filters;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The quality rules of Rae et al. 2021, "Scaling Language Models: Methods, Analysis &amp; Insights from Training
 * Gopher" (appendix A.1.1), with the semantics of datatrove's {@code GopherQualityFilter}. Words are
 * {@link Words#of(String)}; a "non-symbol word" holds a character that is neither punctuation nor a symbol.
 * Checked in this order, the first that fires names the drop:
 * <ol>
 *   <li>{@code gopher_short_doc} / {@code gopher_long_doc}: non-symbol words {@code < minDocWords} /
 *       {@code > maxDocWords} (50 / 100,000);</li>
 *   <li>{@code gopher_below_avg_word_length} / {@code gopher_above_avg_word_length}: mean length in code points of
 *       the non-symbol words {@code < minAvgWordLength} / {@code > maxAvgWordLength} (3 / 10);</li>
 *   <li>{@code gopher_too_many_hashes}: {@code '#'} count / words {@code > maxSymbolWordRatio} (0.1; all tokens
 *       count as words here, as in the reference);</li>
 *   <li>{@code gopher_too_many_ellipsis}: ({@code "..."} + {@code "…"} count) / words {@code > maxSymbolWordRatio};
 *   </li>
 *   <li>{@code gopher_too_many_bullets}: share of lines whose first non-blank character is {@code '•'} or
 *       {@code '-'} {@code > maxBulletLinesRatio} (0.9);</li>
 *   <li>{@code gopher_too_many_end_ellipsis}: share of lines ending (trailing blanks ignored) with {@code "..."} or
 *       {@code "…"} {@code > maxEllipsisLinesRatio} (0.3);</li>
 *   <li>{@code gopher_below_alpha_words}: share of words holding a letter {@code < minAlphaWordsRatio} (0.8);</li>
 *   <li>{@code gopher_too_few_stop_words}: distinct stop words present {@code < minStopWords} (2 of
 *       {@code the be to of and that have with}; compared lower-cased, where the reference is case-sensitive).</li>
 * </ol>
 * A limit of 0 switches its rule off (as {@code None} in the reference). Lines are the {@code '\n'}-separated
 * lines. Immutable, serializable, thread-safe.
 *
 * @param stopWords lower-case stop words
 */
public record GopherQualityFilter(int minDocWords, int maxDocWords, double minAvgWordLength, double maxAvgWordLength,
                                  double maxSymbolWordRatio, double maxBulletLinesRatio, double maxEllipsisLinesRatio,
                                  double minAlphaWordsRatio, int minStopWords, Set<String> stopWords)
    implements Serializable {
  /** The stop words of the Gopher paper. */
  public static final Set<String> GOPHER_STOP_WORDS = Set.of("the", "be", "to", "of", "and", "that", "have", "with");
  /** The paper's thresholds. */
  public static final GopherQualityFilter DEFAULT = new GopherQualityFilter(50, 100_000, 3, 10, 0.1, 0.9, 0.3, 0.8,
      2, GOPHER_STOP_WORDS);

  public GopherQualityFilter {
    if (minDocWords < 0 || maxDocWords < 0 || minStopWords < 0 || minAvgWordLength < 0 || maxAvgWordLength < 0
        || maxSymbolWordRatio < 0 || maxBulletLinesRatio < 0 || maxEllipsisLinesRatio < 0 || minAlphaWordsRatio < 0) {
      throw new IllegalArgumentException("gopher_quality thresholds must be >= 0");
    }
    Set<String> lower = new HashSet<>();
    for (String w : stopWords) {
      lower.add(w.toLowerCase(Locale.ROOT));
    }
    stopWords = Set.copyOf(lower);
  }

  /**
   * {@link #DEFAULT} with overrides: {@code min_doc_words, max_doc_words, min_avg_word_length, max_avg_word_length,
   * max_symbol_word_ratio, max_bullet_lines_ratio, max_ellipsis_lines_ratio, min_alpha_words_ratio, min_stop_words,
   * stop_words} (comma-separated).
   *
   * @throws IllegalArgumentException on an unknown key or a bad value
   */
  public static GopherQualityFilter withParams(Map<String, String> params) {
    FilterParams p = new FilterParams("gopher_quality", params);
    GopherQualityFilter d = DEFAULT;
    String stops = p.getString("stop_words", null);
    GopherQualityFilter f = new GopherQualityFilter(p.getInt("min_doc_words", d.minDocWords),
        p.getInt("max_doc_words", d.maxDocWords), p.getDouble("min_avg_word_length", d.minAvgWordLength),
        p.getDouble("max_avg_word_length", d.maxAvgWordLength),
        p.getDouble("max_symbol_word_ratio", d.maxSymbolWordRatio),
        p.getDouble("max_bullet_lines_ratio", d.maxBulletLinesRatio),
        p.getDouble("max_ellipsis_lines_ratio", d.maxEllipsisLinesRatio),
        p.getDouble("min_alpha_words_ratio", d.minAlphaWordsRatio), p.getInt("min_stop_words", d.minStopWords),
        stops == null ? d.stopWords : Set.of(stops.trim().split("\\s*,\\s*")));
    p.checkAllUsed();
    return f;
  }

  /** Keeps {@code text} unchanged or names the first rule that fires. */
  public FilterVerdict apply(String text) {
    List<String> words = Words.of(text);
    int nWords = words.size();
    int nonSymbol = 0;
    long nonSymbolChars = 0;
    int alpha = 0;
    Set<String> stopsSeen = new HashSet<>();
    for (String w : words) {
      if (!Words.symbolOnly(w)) {
        nonSymbol++;
        nonSymbolChars += Words.length(w);
      }
      if (Words.hasLetter(w)) {
        alpha++;
      }
      String lw = w.toLowerCase(Locale.ROOT);
      if (stopWords.contains(lw)) {
        stopsSeen.add(lw);
      }
    }
    if (minDocWords > 0 && nonSymbol < minDocWords) {
      return FilterVerdict.drop("gopher_short_doc");
    }
    if (maxDocWords > 0 && nonSymbol > maxDocWords) {
      return FilterVerdict.drop("gopher_long_doc");
    }
    if (nonSymbol > 0) {
      double avg = (double) nonSymbolChars / nonSymbol;
      if (minAvgWordLength > 0 && avg < minAvgWordLength) {
        return FilterVerdict.drop("gopher_below_avg_word_length");
      }
      if (maxAvgWordLength > 0 && avg > maxAvgWordLength) {
        return FilterVerdict.drop("gopher_above_avg_word_length");
      }
    }
    if (nWords > 0 && maxSymbolWordRatio > 0) {
      if ((double) Words.count(text, "#") / nWords > maxSymbolWordRatio) {
        return FilterVerdict.drop("gopher_too_many_hashes");
      }
      if ((double) (Words.count(text, "...") + Words.count(text, "…")) / nWords > maxSymbolWordRatio) {
        return FilterVerdict.drop("gopher_too_many_ellipsis");
      }
    }
    String[] lines = text.split("\n");
    int bullets = 0;
    int endEllipsis = 0;
    for (String line : lines) {
      String l = line.stripLeading();
      if (l.startsWith("•") || l.startsWith("-")) {
        bullets++;
      }
      String r = line.stripTrailing();
      if (r.endsWith("...") || r.endsWith("…")) {
        endEllipsis++;
      }
    }
    if (maxBulletLinesRatio > 0 && (double) bullets / lines.length > maxBulletLinesRatio) {
      return FilterVerdict.drop("gopher_too_many_bullets");
    }
    if (maxEllipsisLinesRatio > 0 && (double) endEllipsis / lines.length > maxEllipsisLinesRatio) {
      return FilterVerdict.drop("gopher_too_many_end_ellipsis");
    }
    if (minAlphaWordsRatio > 0 && nWords > 0 && (double) alpha / nWords < minAlphaWordsRatio) {
      return FilterVerdict.drop("gopher_below_alpha_words");
    }
    if (minStopWords > 0 && stopsSeen.size() < minStopWords) {
      return FilterVerdict.drop("gopher_too_few_stop_words");
    }
    return FilterVerdict.keep(text);
  }
}
