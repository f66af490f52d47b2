package dev.pretrain.corpus.ingest;

import java.io.Serializable;

/**
 * Document filters of {@link DocumentProcessor}, checked on the clean text in this order:
 * {@link DropReason#INVALID_UTF8} (raw text holds U+FFFD, only if {@code dropInvalidUtf8}),
 * {@link DropReason#EMPTY}, {@link DropReason#TOO_SHORT} ({@code < minChars} code points),
 * {@link DropReason#TOO_LONG} ({@code > maxChars} code points; 0 = no limit),
 * {@link DropReason#TOO_MANY_SYMBOLS} (share of code points that are not a letter, digit or white space
 * {@code > maxSymbolRatio}; 1 = off), {@link DropReason#REPEATED_LINES} (share of lines equal to an
 * earlier line of the document {@code > maxRepeatedLineRatio}; 1 = off; the line-level duplicate filter of
 * Rae et al. 2021, "Gopher", whose threshold is 0.3), {@link DropReason#TOO_FEW_SENTENCES}.
 *
 * @param minChars             minimum clean length in code points (paragraph breaks included)
 * @param maxChars             maximum clean length in code points; 0 for none
 * @param minSentences         minimum number of sentences
 * @param maxSymbolRatio       in [0, 1]
 * @param maxRepeatedLineRatio in [0, 1]
 * @param dropInvalidUtf8      whether a document whose bytes were not valid UTF-8 is dropped
 * @throws IllegalArgumentException on a negative count or a ratio outside [0, 1]
 */
public record QualityFilters(int minChars, int maxChars, int minSentences, double maxSymbolRatio,
                             double maxRepeatedLineRatio, boolean dropInvalidUtf8) implements Serializable {
  /** Defaults: min 20 chars, max 1,000,000, 1 sentence, symbols 0.3, repeated lines 0.3, invalid UTF-8 dropped. */
  public static final QualityFilters DEFAULT = new QualityFilters(20, 1_000_000, 1, 0.3, 0.3, true);

  public QualityFilters {
    if (minChars < 0 || maxChars < 0 || minSentences < 0) {
      throw new IllegalArgumentException("minChars, maxChars and minSentences must be >= 0, got " + minChars + ", "
          + maxChars + ", " + minSentences);
    }
    if (!(maxSymbolRatio >= 0 && maxSymbolRatio <= 1) || !(maxRepeatedLineRatio >= 0 && maxRepeatedLineRatio <= 1)) {
      throw new IllegalArgumentException("ratios must be in [0, 1], got maxSymbolRatio " + maxSymbolRatio
          + ", maxRepeatedLineRatio " + maxRepeatedLineRatio);
    }
  }

  /** Only the length and sentence minimums of the original processor; every other filter off. */
  public static QualityFilters minimumsOnly(int minChars, int minSentences) {
    return new QualityFilters(minChars, 0, minSentences, 1.0, 1.0, false);
  }

  /** Share of code points of {@code clean} that are neither letters, digits nor white space; 0 for empty text. */
  public static double symbolRatio(String clean) {
    int total = 0;
    int symbols = 0;
    for (int i = 0; i < clean.length(); ) {
      int cp = clean.codePointAt(i);
      i += Character.charCount(cp);
      total++;
      if (!Character.isLetterOrDigit(cp) && !Character.isWhitespace(cp)) {
        symbols++;
      }
    }
    return total == 0 ? 0 : (double) symbols / total;
  }

  /** Share of the {@code '\n'}-separated lines of {@code clean} that equal an earlier line; 0 for empty text. */
  public static double repeatedLineRatio(String clean) {
    if (clean.isEmpty()) {
      return 0;
    }
    String[] lines = clean.split("\n", -1);
    java.util.Set<String> seen = new java.util.HashSet<>();
    int repeated = 0;
    for (String l : lines) {
      if (!seen.add(l)) {
        repeated++;
      }
    }
    return (double) repeated / lines.length;
  }
}
