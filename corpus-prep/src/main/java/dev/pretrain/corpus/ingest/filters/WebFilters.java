package dev.pretrain.corpus.ingest.filters;

import dev.pretrain.corpus.ingest.SentenceSegmenter;
import dev.pretrain.corpus.ingest.formatters.PiiFormatter;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The web-text filters applied to a clean document, each optional (null: off), in the order of FineWeb's pipeline
 * (Penedo et al. 2024; datatrove's {@code fineweb.py} example): {@link UrlFilter} (on the document's URL),
 * {@link LanguageFilter}, {@link GopherRepetitionFilter}, {@link GopherQualityFilter}, {@link C4QualityFilter}
 * (may remove lines), {@link FineWebQualityFilter}, then {@link PiiFormatter} (rewrites the text). {@link #OFF}
 * applies none, leaving the text unchanged. Immutable, serializable.
 */
public record WebFilters(UrlFilter url, LanguageFilter language, GopherRepetitionFilter gopherRepetition,
                         GopherQualityFilter gopherQuality, C4QualityFilter c4, FineWebQualityFilter fineweb,
                         PiiFormatter pii) implements Serializable {
  public static final WebFilters OFF = new WebFilters(null, null, null, null, null, null, null);

  /** Filter families whose thresholds {@link #configure} accepts in {@code params}. */
  public static final java.util.List<String> FAMILIES = java.util.List.of("gopher_quality", "gopher_repetition",
      "c4", "fineweb", "pii");

  /**
   * Builds the filters from switches, as configured by the {@code ingest:} section or the CLI.
   *
   * @param urlBlocklist block list file ({@link UrlFilter#load}); null or blank: off
   * @param language     null: no language identification
   * @param params       per family of {@link #FAMILIES}, threshold overrides ({@code withParams} of each filter);
   *                     null for none
   * @throws IllegalArgumentException on an unknown family, overrides for a filter that is off, an unknown
   *                                  parameter or a bad value, or an unreadable block list
   */
  public static WebFilters configure(boolean gopherQuality, boolean gopherRepetition, boolean c4, boolean fineweb,
                                     String urlBlocklist, boolean pii, LanguageFilter language,
                                     Map<String, Map<String, String>> params) {
    Map<String, Map<String, String>> ps = params == null ? Map.of() : params;
    Map<String, Boolean> on = Map.of("gopher_quality", gopherQuality, "gopher_repetition", gopherRepetition, "c4",
        c4, "fineweb", fineweb, "pii", pii);
    for (String family : ps.keySet()) {
      if (!on.containsKey(family)) {
        throw new IllegalArgumentException("filter parameters for unknown filter '" + family + "', known: "
            + FAMILIES);
      }
      if (!on.get(family)) {
        throw new IllegalArgumentException("filter parameters given for '" + family + "', which is not enabled");
      }
    }
    return new WebFilters(
        urlBlocklist == null || urlBlocklist.isBlank() ? null : UrlFilter.load(java.nio.file.Path.of(urlBlocklist)),
        language,
        gopherRepetition ? GopherRepetitionFilter.withParams(ps.get("gopher_repetition")) : null,
        gopherQuality ? GopherQualityFilter.withParams(ps.get("gopher_quality")) : null,
        c4 ? C4QualityFilter.withParams(ps.get("c4")) : null,
        fineweb ? FineWebQualityFilter.withParams(ps.get("fineweb")) : null,
        pii ? PiiFormatter.withParams(ps.get("pii")) : null);
  }

  /** Whether any filter is on. */
  public boolean any() {
    return url != null || language != null || gopherRepetition != null || gopherQuality != null || c4 != null
        || fineweb != null || pii != null;
  }

  /**
   * The result of {@link #apply}: the text to go on with (null when dropped), the rule that dropped it, and the
   * detected language with its confidence ({@link LanguageFilter.Detection}; both null when language identification
   * is off), and the lines {@link C4QualityFilter} removed per line rule from a kept document (empty when dropped
   * or none; never null).
   */
  public record Result(String text, String dropRule, String language, Double languageScore,
                       Map<String, Integer> linesRemoved) implements Serializable {
    public Result {
      linesRemoved = linesRemoved == null ? Map.of() : linesRemoved;
    }

    public Result(String text, String dropRule, String language, Double languageScore) {
      this(text, dropRule, language, languageScore, Map.of());
    }
  }

  /**
   * @param text      clean text ({@code '\n'}-separated lines)
   * @param url       the document's URL, null when unknown (the URL filter then keeps it)
   * @param segmenter counts sentences for {@link C4QualityFilter}
   */
  public Result apply(String text, String url, SentenceSegmenter segmenter) {
    if (this.url != null) {
      String rule = this.url.check(url);
      if (rule != null) {
        return new Result(null, rule, null, null);
      }
    }
    String lang = null;
    Double score = null;
    if (language != null) {
      LanguageFilter.Detection d = language.detect(text);
      lang = d.language();
      score = d.confidence();
      String rule = language.check(d);
      if (rule != null) {
        return new Result(null, rule, lang, score);
      }
    }
    String t = text;
    Map<String, Integer> lines = Map.of();
    FilterVerdict v;
    if (gopherRepetition != null && !(v = gopherRepetition.apply(t)).kept()) {
      return new Result(null, v.dropRule(), lang, score);
    }
    if (gopherQuality != null && !(v = gopherQuality.apply(t)).kept()) {
      return new Result(null, v.dropRule(), lang, score);
    }
    if (c4 != null) {
      v = c4.apply(t, segmenter);
      if (!v.kept()) {
        return new Result(null, v.dropRule(), lang, score);
      }
      t = v.text();
      lines = v.linesRemoved();
    }
    if (fineweb != null && !(v = fineweb.apply(t)).kept()) {
      return new Result(null, v.dropRule(), lang, score);
    }
    if (pii != null) {
      t = pii.apply(t);
    }
    return new Result(t, null, lang, score, lines);
  }

  /** The settings for a report: one entry per filter that is on. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (url != null) {
      m.put("url_blocklist", Map.of("file", url.file(), "domains", url.domainCount(), "urls", url.urlCount()));
    }
    if (language != null) {
      m.put("language", language);
    }
    if (gopherRepetition != null) {
      m.put("gopher_repetition", gopherRepetition);
    }
    if (gopherQuality != null) {
      m.put("gopher_quality", gopherQuality);
    }
    if (c4 != null) {
      m.put("c4", c4);
    }
    if (fineweb != null) {
      m.put("fineweb", fineweb);
    }
    if (pii != null) {
      m.put("pii", pii);
    }
    return m;
  }
}
