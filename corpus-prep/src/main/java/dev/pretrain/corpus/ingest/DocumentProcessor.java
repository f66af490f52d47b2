package dev.pretrain.corpus.ingest;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Cleans, sentence-splits and filters one raw document: {@link TextCleaner} then
 * {@link SentenceSegmenter}, then the filters, checked in this order: {@link DropReason#EMPTY} (no
 * clean text), {@link DropReason#TOO_SHORT} (fewer than {@code minChars} code points of clean text,
 * paragraph breaks included), {@link DropReason#TOO_FEW_SENTENCES} (fewer than {@code minSentences}).
 * The id of a kept document is {@link DocIds#contentHash(List)} of its sentences.
 *
 * <p>Serializable; like its {@link SentenceSegmenter}, not thread-safe (one instance per task).
 */
public final class DocumentProcessor implements Serializable {
  private static final long serialVersionUID = 1L;

  private final TextCleaner cleaner;
  private final SentenceSegmenter segmenter;
  private final int minChars;
  private final int minSentences;

  /**
   * @throws IllegalArgumentException if {@code minChars} or {@code minSentences} is negative
   */
  public DocumentProcessor(TextCleaner cleaner, SentenceSegmenter segmenter, int minChars, int minSentences) {
    this.cleaner = Objects.requireNonNull(cleaner, "cleaner");
    this.segmenter = Objects.requireNonNull(segmenter, "segmenter");
    if (minChars < 0 || minSentences < 0) {
      throw new IllegalArgumentException("minChars and minSentences must be >= 0, got " + minChars + ", "
          + minSentences);
    }
    this.minChars = minChars;
    this.minSentences = minSentences;
  }

  /**
   * @param source  source name stored in the document
   * @param rawText one raw document from {@link DocumentSplitter} (null is treated as empty)
   */
  public IngestOutcome process(String source, String rawText) {
    String clean = cleaner.clean(rawText);
    if (clean.isEmpty()) {
      return IngestOutcome.ofDrop(DropReason.EMPTY);
    }
    if (clean.codePointCount(0, clean.length()) < minChars) {
      return IngestOutcome.ofDrop(DropReason.TOO_SHORT);
    }
    List<String> sentences = segmenter.split(clean);
    if (sentences.isEmpty()) {
      return IngestOutcome.ofDrop(DropReason.EMPTY);
    }
    if (sentences.size() < minSentences) {
      return IngestOutcome.ofDrop(DropReason.TOO_FEW_SENTENCES);
    }
    return IngestOutcome.ofDocument(new Document(DocIds.contentHash(sentences), source, sentences));
  }
}
