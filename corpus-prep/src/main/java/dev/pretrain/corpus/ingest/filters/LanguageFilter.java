package dev.pretrain.corpus.ingest.filters;

import com.github.pemistahl.lingua.api.IsoCode639_1;
import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetector;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Language identification with Lingua (Peter M. Stahl, {@code com.github.pemistahl:lingua} 1.2.2: character 1- to
 * 5-gram models with rule-based pre-filtering), keeping, or only tagging, documents by language.
 *
 * <p>The detector is built from {@code candidates} (ISO 639-1 codes; they must include the kept languages and
 * should include the languages the corpus is likely to hold, since Lingua only ever answers one of its candidates)
 * lazily on first use, once per JVM (a static cache keyed by the candidate set, so every task of an executor shares
 * it). Lingua loads a language's n-gram models on first need and keeps them in static maps. Measured (OpenJDK 17,
 * used heap after {@code System.gc()}, one JVM, 2026-12): the 8 {@link #DEFAULT_CANDIDATES} take about 200 MB of
 * heap and about 7 s to load on first use; detection then takes about 6 ms per 500-character sample on one core.
 * Detection reads the first {@code sampleChars} characters of the document.
 *
 * <p>Confidence: Lingua 1.2.2's {@code computeLanguageConfidenceValues} is NOT a probability: the most likely
 * candidate always gets 1.0 and each other one the ratio of the summed n-gram log-probabilities (top / its own). The
 * confidence used here is Lingua's own "relative distance" ({@code withMinimumRelativeDistance}): 1.0 minus the value
 * of the second most likely candidate (1.0 when there is only one). On 300 real IMDB reviews (500-character samples,
 * the 8 default candidates) it ranged from 0.09 to 0.33 (median 0.22), all English; the single word "Hotel" gives
 * 0.02, "Call me Ishmael." 0.06. Hence the default minimum {@link #DEFAULT_MIN_CONFIDENCE} = 0.05; a fastText-style
 * threshold such as 0.65 would reject nearly everything.
 *
 * <p>The detected language is the most likely candidate, or {@code "und"} (ISO 639-2 "undetermined") when the
 * confidence is below {@code minConfidence} or Lingua finds none. With {@code keep} the document is dropped as
 * {@code language_undetermined} (below the confidence) or {@code language_not_kept} (another language); without,
 * every document is kept and only tagged (for the per-language counts of the report). Serializable (the detector is
 * not serialized); the shared detector is thread-safe.
 *
 * @param languages     kept ISO 639-1 codes, e.g. {@code [en]}
 * @param candidates    ISO 639-1 codes the detector chooses from (the kept languages are added)
 * @param minConfidence minimum relative distance, in [0, 1]
 * @param keep          drop documents of other languages (true) or only tag them (false)
 * @param sampleChars   characters of the document given to the detector (at least 1)
 * @param route         (only without {@code keep}) the ingest writes the shards under one folder per detected
 *                      language, {@code <output>/language=<code>} ({@code und} included); false: one folder
 */
public record LanguageFilter(List<String> languages, List<String> candidates, double minConfidence, boolean keep,
                             int sampleChars, boolean route) implements Serializable {
  /**
   * Candidates used when none are configured, besides the kept languages: English, German, French, Spanish,
   * Italian, Portuguese, Dutch, Russian (about 200 MB of heap once loaded, see the class comment).
   */
  public static final List<String> DEFAULT_CANDIDATES = List.of("en", "de", "fr", "es", "it", "pt", "nl", "ru");
  /** Default minimum confidence (relative distance, see the class comment). */
  public static final double DEFAULT_MIN_CONFIDENCE = 0.05;
  /** Default characters of a document given to the detector. */
  public static final int DEFAULT_SAMPLE_CHARS = 500;
  /** Language code of a document whose language was not determined. */
  public static final String UNDETERMINED = "und";

  private static final Map<List<String>, LanguageDetector> DETECTORS = new ConcurrentHashMap<>();

  /** Without routing. */
  public LanguageFilter(List<String> languages, List<String> candidates, double minConfidence, boolean keep,
                        int sampleChars) {
    this(languages, candidates, minConfidence, keep, sampleChars, false);
  }

  public LanguageFilter {
    if (keep && route) {
      throw new IllegalArgumentException("language routing keeps every language: not with keep");
    }
    languages = normalized(languages, "languages");
    if (keep && languages.isEmpty()) {
      throw new IllegalArgumentException("language filter in keep mode needs at least one language");
    }
    TreeSet<String> all = new TreeSet<>(normalized(candidates, "candidates"));
    all.addAll(languages);
    if (all.size() < 2) {
      throw new IllegalArgumentException("language filter needs at least 2 candidate languages (Lingua always "
          + "answers one of its candidates), got " + all);
    }
    candidates = List.copyOf(all);
    if (!(minConfidence >= 0 && minConfidence <= 1)) {
      throw new IllegalArgumentException("language_min_confidence must be in [0, 1], got " + minConfidence);
    }
    if (sampleChars < 1) {
      throw new IllegalArgumentException("language sample_chars must be >= 1, got " + sampleChars);
    }
  }

  /**
   * Keep mode with {@link #DEFAULT_CANDIDATES} and a {@link #DEFAULT_SAMPLE_CHARS}-character sample.
   *
   * @throws IllegalArgumentException on a code that is not an ISO 639-1 code Lingua knows
   */
  public static LanguageFilter keeping(List<String> languages, double minConfidence) {
    return new LanguageFilter(languages, DEFAULT_CANDIDATES, minConfidence, true, DEFAULT_SAMPLE_CHARS);
  }

  private static List<String> normalized(List<String> codes, String what) {
    List<String> out = new ArrayList<>();
    for (String c : codes) {
      String code = c.strip().toLowerCase(Locale.ROOT);
      language(code, what);
      if (!out.contains(code)) {
        out.add(code);
      }
    }
    return List.copyOf(out);
  }

  private static Language language(String code, String what) {
    try {
      Language l = Language.getByIsoCode639_1(IsoCode639_1.valueOf(code.toUpperCase(Locale.ROOT)));
      if (l == Language.UNKNOWN) {
        throw new IllegalArgumentException(code);
      }
      return l;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("language filter " + what + ": '" + code
          + "' is not an ISO 639-1 code that Lingua 1.2.2 knows", e);
    }
  }

  /** The shared detector of this candidate set, built on first call. */
  LanguageDetector detector() {
    return DETECTORS.computeIfAbsent(candidates, cs -> {
      Language[] ls = cs.stream().map(c -> language(c, "candidates")).toArray(Language[]::new);
      return LanguageDetectorBuilder.fromLanguages(ls).build();
    });
  }

  /**
   * The detected language and its confidence.
   *
   * @param language   ISO 639-1 code, or {@link #UNDETERMINED}
   * @param confidence the relative distance of the most likely candidate to the second (0 when none)
   */
  public record Detection(String language, double confidence) implements Serializable {}

  public Detection detect(String text) {
    String sample = text.length() <= sampleChars ? text
        : text.substring(0, text.offsetByCodePoints(0, Math.min(sampleChars, text.codePointCount(0, text.length()))));
    SortedMap<Language, Double> values = detector().computeLanguageConfidenceValues(sample);
    Language best = null;
    double top = 0;
    double second = 0;
    for (Map.Entry<Language, Double> e : values.entrySet()) {
      double v = e.getValue();
      if (e.getKey() == Language.UNKNOWN) {
        continue;
      }
      if (best == null || v > top) {
        second = best == null ? second : top;
        best = e.getKey();
        top = v;
      } else if (v > second) {
        second = v;
      }
    }
    double confidence = best == null ? 0 : top - second;
    if (best == null || confidence < minConfidence) {
      return new Detection(UNDETERMINED, confidence);
    }
    return new Detection(best.getIsoCode639_1().toString().toLowerCase(Locale.ROOT), confidence);
  }

  /** Null when kept, else {@code language_undetermined} or {@code language_not_kept} (never in tag mode). */
  public String check(Detection d) {
    if (!keep) {
      return null;
    }
    if (UNDETERMINED.equals(d.language())) {
      return "language_undetermined";
    }
    return languages.contains(d.language()) ? null : "language_not_kept";
  }
}
