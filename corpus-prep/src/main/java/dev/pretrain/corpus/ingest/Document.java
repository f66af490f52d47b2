package dev.pretrain.corpus.ingest;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A cleaned document.
 *
 * @param docId     {@link DocIds#contentHash(List)} of the sentences (32 lowercase hex chars)
 * @param source    {@link SourceSpec#name()} of the source it came from
 * @param sentences its sentences in order, each trimmed and non-empty (an unmodifiable copy)
 */
public record Document(String docId, String source, List<String> sentences) implements Serializable {
  public Document {
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(source, "source");
    sentences = List.copyOf(sentences);
  }
}
