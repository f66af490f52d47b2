package dev.pretrain.corpus.ingest;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A cleaned document.
 *
 * @param docId         {@link DocIds#contentHash(List)} of the sentences (32 lowercase hex chars)
 * @param source        {@link SourceSpec#name()} of the source it came from
 * @param sentences     its sentences in order, each trimmed and non-empty (an unmodifiable copy)
 * @param language      detected language (ISO 639-1 code, e.g. {@code "en"}), or null when not detected
 * @param languageScore the language detector's confidence in {@code language}, in [0, 1], or null when not detected
 * @throws IllegalArgumentException if exactly one of {@code language} and {@code languageScore} is null, or the score
 *                                  is outside [0, 1]
 */
public record Document(String docId, String source, List<String> sentences, String language, Double languageScore)
    implements Serializable {
  public Document {
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(source, "source");
    sentences = List.copyOf(sentences);
    if ((language == null) != (languageScore == null)) {
      throw new IllegalArgumentException("language and languageScore are set together, got " + language + ", "
          + languageScore);
    }
    if (languageScore != null && !(languageScore >= 0 && languageScore <= 1)) {
      throw new IllegalArgumentException("languageScore must be in [0, 1], got " + languageScore);
    }
  }

  /** A document whose language was not detected. */
  public Document(String docId, String source, List<String> sentences) {
    this(docId, source, sentences, null, null);
  }

  /** The same document with a detected language and the detector's confidence in it. */
  public Document withLanguage(String language, double score) {
    return new Document(docId, source, sentences, Objects.requireNonNull(language, "language"), score);
  }
}
