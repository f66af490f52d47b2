package dev.pretrain.corpus.ingest.filters;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The extra line-level rules of Penedo et al. 2024, "The FineWeb Datasets: Decanting the Web for the Finest Text
 * Data at Scale" (section 3.3), with the semantics of datatrove's {@code FineWebQualityFilter}. With
 * {@code lines} the {@code '\n'}-separated lines (empty ones included) and lengths in code points, checked in
 * order:
 * <ol>
 *   <li>{@code fineweb_line_punct_ratio}: share of lines ending in {@code . ' " ! ?} {@code <= linePunctThr} (0.12),
 *       unless it is 0 and {@code linePunctExcludeZero};</li>
 *   <li>{@code fineweb_short_line_ratio}: share of lines of at most {@code shortLineLength} (30) code points
 *       {@code >= shortLineThr} (0.67);</li>
 *   <li>{@code fineweb_char_dup_ratio}: characters of the non-blank lines that equal an earlier one / characters
 *       of the text without its {@code '\n'} {@code >= charDuplicatesRatio} (0.01);</li>
 *   <li>{@code fineweb_list_ratio}: {@code '\n'} count / words ({@link Words#of(String)}) {@code > newLineRatio}
 *       (0.3).</li>
 * </ol>
 * A ratio threshold above 1 switches its rule off. Immutable, serializable, thread-safe.
 */
public record FineWebQualityFilter(double linePunctThr, boolean linePunctExcludeZero, double shortLineThr,
                                   int shortLineLength, double charDuplicatesRatio, double newLineRatio)
    implements Serializable {
  public static final FineWebQualityFilter DEFAULT = new FineWebQualityFilter(0.12, false, 0.67, 30, 0.01, 0.3);

  public FineWebQualityFilter {
    if (!(linePunctThr >= 0 && shortLineThr >= 0 && charDuplicatesRatio >= 0 && newLineRatio >= 0)
        || shortLineLength < 0) {
      throw new IllegalArgumentException("fineweb thresholds must be >= 0");
    }
  }

  /**
   * {@link #DEFAULT} with overrides: {@code line_punct_thr, line_punct_exclude_zero, short_line_thr,
   * short_line_length, char_duplicates_ratio, new_line_ratio}.
   *
   * @throws IllegalArgumentException on an unknown key or a bad value
   */
  public static FineWebQualityFilter withParams(Map<String, String> params) {
    FilterParams p = new FilterParams("fineweb", params);
    FineWebQualityFilter d = DEFAULT;
    FineWebQualityFilter f = new FineWebQualityFilter(p.getDouble("line_punct_thr", d.linePunctThr),
        p.getBoolean("line_punct_exclude_zero", d.linePunctExcludeZero),
        p.getDouble("short_line_thr", d.shortLineThr), p.getInt("short_line_length", d.shortLineLength),
        p.getDouble("char_duplicates_ratio", d.charDuplicatesRatio), p.getDouble("new_line_ratio", d.newLineRatio));
    p.checkAllUsed();
    return f;
  }

  /** Keeps {@code text} unchanged or names the first rule that fires. */
  public FilterVerdict apply(String text) {
    String[] lines = text.split("\n", -1);
    int punct = 0;
    int shortLines = 0;
    List<String> nonBlank = new ArrayList<>();
    for (String line : lines) {
      if (!line.isEmpty() && ".'\"!?".indexOf(line.charAt(line.length() - 1)) >= 0) {
        punct++;
      }
      if (Words.length(line) <= shortLineLength) {
        shortLines++;
      }
      if (!line.isBlank()) {
        nonBlank.add(line);
      }
    }
    double ratio = (double) punct / lines.length;
    if (ratio <= linePunctThr && !(ratio == 0 && linePunctExcludeZero)) {
      return FilterVerdict.drop("fineweb_line_punct_ratio");
    }
    if ((double) shortLines / lines.length >= shortLineThr) {
      return FilterVerdict.drop("fineweb_short_line_ratio");
    }
    int chars = Words.length(text) - (lines.length - 1);
    if (chars > 0 && (double) GopherRepetitionFilter.duplicates(nonBlank)[1] / chars >= charDuplicatesRatio) {
      return FilterVerdict.drop("fineweb_char_dup_ratio");
    }
    int words = Words.of(text).size();
    if (words > 0 && (double) (lines.length - 1) / words > newLineRatio) {
      return FilterVerdict.drop("fineweb_list_ratio");
    }
    return FilterVerdict.keep(text);
  }
}
