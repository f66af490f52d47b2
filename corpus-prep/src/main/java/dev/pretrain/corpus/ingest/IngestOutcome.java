package dev.pretrain.corpus.ingest;

import java.io.Serializable;
import java.util.Map;

/**
 * Result of {@link DocumentProcessor#process(String, String)}: exactly one of {@code document} (kept)
 * and {@code dropReason} (dropped) is non-null.
 *
 * @param rule     with {@link DropReason#FILTERED} only: the web filter rule that fired, e.g. {@code "gopher_short_doc"}
 * @param language the language detected by {@link dev.pretrain.corpus.ingest.filters.LanguageFilter} (ISO 639-1 or
 *                 {@code "und"}), null when language identification is off or did not run
 * @param linesRemoved for a kept document: the lines the web line filters removed from it, per line rule
 *                     ({@link dev.pretrain.corpus.ingest.filters.C4QualityFilter#LINE_RULES}); empty otherwise, never
 *                     null
 */
public record IngestOutcome(Document document, DropReason dropReason, String rule, String language,
                            Map<String, Integer> linesRemoved) implements Serializable {
  public IngestOutcome {
    linesRemoved = linesRemoved == null || document == null ? Map.of() : linesRemoved;
    if ((document == null) == (dropReason == null)) {
      throw new IllegalArgumentException("exactly one of document and dropReason must be non-null");
    }
    if ((rule != null) != (dropReason == DropReason.FILTERED)) {
      throw new IllegalArgumentException("a rule goes with DropReason.FILTERED and only with it");
    }
  }

  public IngestOutcome(Document document, DropReason dropReason, String rule, String language) {
    this(document, dropReason, rule, language, Map.of());
  }

  public IngestOutcome(Document document, DropReason dropReason) {
    this(document, dropReason, null, null);
  }

  public static IngestOutcome ofDocument(Document document) {
    return new IngestOutcome(document, null);
  }

  public static IngestOutcome ofDrop(DropReason reason) {
    return new IngestOutcome(null, reason);
  }

  public boolean kept() {
    return document != null;
  }

  /** The counted key of a drop: the rule for {@link DropReason#FILTERED}, else {@link DropReason#key()}; null if kept. */
  public String dropKey() {
    return dropReason == null ? null : rule != null ? rule : dropReason.key();
  }
}
