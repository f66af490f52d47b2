package dev.pretrain.corpus.ingest;

import java.io.Serializable;

/**
 * Result of {@link DocumentProcessor#process(String, String)}: exactly one of {@code document} (kept)
 * and {@code dropReason} (dropped) is non-null.
 */
public record IngestOutcome(Document document, DropReason dropReason) implements Serializable {
  public IngestOutcome {
    if ((document == null) == (dropReason == null)) {
      throw new IllegalArgumentException("exactly one of document and dropReason must be non-null");
    }
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
}
