package dev.pretrain.corpus.ingest;

import dev.pretrain.corpus.ingest.filters.WebFilters;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Cleans, sentence-splits and filters one raw document: {@link TextCleaner} then
 * {@link SentenceSegmenter}, then the filters of {@link QualityFilters} in their documented order, with the
 * {@link WebFilters} (off by default) after {@link DropReason#REPEATED_LINES} and before sentence segmentation: a
 * web rule drops as {@link DropReason#FILTERED} naming the rule; C4 line removal and PII replacement change the text
 * that is then segmented. The id of a kept document is {@link DocIds#contentHash(List)} of its sentences.
 *
 * <p>Serializable; like its {@link SentenceSegmenter}, not thread-safe (one instance per task).
 */
public final class DocumentProcessor implements Serializable {
  private static final long serialVersionUID = 3L;

  private final TextCleaner cleaner;
  private final SentenceSegmenter segmenter;
  private final QualityFilters filters;
  private final WebFilters web;

  /**
   * The original processor: only {@link DropReason#EMPTY}, {@link DropReason#TOO_SHORT} and
   * {@link DropReason#TOO_FEW_SENTENCES} ({@link QualityFilters#minimumsOnly(int, int)}).
   *
   * @throws IllegalArgumentException if {@code minChars} or {@code minSentences} is negative
   */
  public DocumentProcessor(TextCleaner cleaner, SentenceSegmenter segmenter, int minChars, int minSentences) {
    this(cleaner, segmenter, QualityFilters.minimumsOnly(minChars, minSentences));
  }

  public DocumentProcessor(TextCleaner cleaner, SentenceSegmenter segmenter, QualityFilters filters) {
    this(cleaner, segmenter, filters, WebFilters.OFF);
  }

  public DocumentProcessor(TextCleaner cleaner, SentenceSegmenter segmenter, QualityFilters filters,
                           WebFilters web) {
    this.web = Objects.requireNonNull(web, "web");
    this.cleaner = Objects.requireNonNull(cleaner, "cleaner");
    this.segmenter = Objects.requireNonNull(segmenter, "segmenter");
    this.filters = Objects.requireNonNull(filters, "filters");
  }

  public QualityFilters filters() {
    return filters;
  }

  /**
   * @param source  source name stored in the document
   * @param rawText one raw document from {@link DocumentSplitter} or {@link SourceReader} (null is treated as empty)
   */
  public IngestOutcome process(String source, String rawText) {
    return process(source, rawText, null);
  }

  /**
   * @param source  source name stored in the document
   * @param rawText one raw document (null is treated as empty)
   * @param url     the document's URL for {@link WebFilters#url()}; null when unknown
   */
  public IngestOutcome process(String source, String rawText, String url) {
    if (filters.dropInvalidUtf8() && rawText != null && rawText.indexOf('\uFFFD') >= 0) {
      return IngestOutcome.ofDrop(DropReason.INVALID_UTF8);
    }
    String clean = cleaner.clean(rawText);
    if (clean.isEmpty()) {
      return IngestOutcome.ofDrop(DropReason.EMPTY);
    }
    int chars = clean.codePointCount(0, clean.length());
    if (chars < filters.minChars()) {
      return IngestOutcome.ofDrop(DropReason.TOO_SHORT);
    }
    if (filters.maxChars() > 0 && chars > filters.maxChars()) {
      return IngestOutcome.ofDrop(DropReason.TOO_LONG);
    }
    if (filters.maxSymbolRatio() < 1 && QualityFilters.symbolRatio(clean) > filters.maxSymbolRatio()) {
      return IngestOutcome.ofDrop(DropReason.TOO_MANY_SYMBOLS);
    }
    if (filters.maxRepeatedLineRatio() < 1
        && QualityFilters.repeatedLineRatio(clean) > filters.maxRepeatedLineRatio()) {
      return IngestOutcome.ofDrop(DropReason.REPEATED_LINES);
    }
    String language = null;
    Double languageScore = null;
    java.util.Map<String, Integer> linesRemoved = java.util.Map.of();
    if (web.any()) {
      WebFilters.Result r = web.apply(clean, url, segmenter);
      language = r.language();
      languageScore = r.languageScore();
      if (r.dropRule() != null) {
        return new IngestOutcome(null, DropReason.FILTERED, r.dropRule(), language);
      }
      clean = r.text();
      linesRemoved = r.linesRemoved();
    }
    List<String> sentences = segmenter.split(clean);
    if (sentences.isEmpty()) {
      return new IngestOutcome(null, DropReason.EMPTY, null, language);
    }
    if (sentences.size() < filters.minSentences()) {
      return new IngestOutcome(null, DropReason.TOO_FEW_SENTENCES, null, language);
    }
    Document doc = new Document(DocIds.contentHash(sentences), source, sentences);
    if (language != null) {
      doc = doc.withLanguage(language, languageScore == null ? Double.NaN : languageScore);
    }
    return new IngestOutcome(doc, null, null, language, linesRemoved);
  }
}
