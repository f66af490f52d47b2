package dev.pretrain.examples.mlm;

import java.io.Serializable;

/**
 * Counters filled by {@link PretrainingDataGenerator#generate(java.util.List, java.util.List, GenerationStats)};
 * mergeable (e.g. from Spark tasks). Not thread-safe.
 */
public final class GenerationStats implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Documents skipped because they had no non-empty sentence. */
  public long emptyDocuments;
  /** (document, duplicate) passes made. */
  public long documentPasses;
  /** Passes whose target length was drawn short (probability {@code short_seq_prob}). */
  public long shortTargetPasses;
  public long instances;
  /** Instances with next_sentence_labels 1: NSP: B is random ({@code is_random_next}); SOP: A and B swapped. */
  public long randomNext;
  /** Instances made from a one-segment chunk (random next forced). */
  public long forcedRandomNext;
  /** Real tokens, [CLS]/[SEP] included. */
  public long tokens;
  /** Tokens removed by {@code truncate_seq_pair}. */
  public long truncatedTokens;
  /** Masking candidates (all real tokens except [CLS]/[SEP]). */
  public long candidates;
  /** Masked positions; split into replaced by [MASK], kept, replaced by a random id. */
  public long masked;
  public long maskedAsMask;
  public long maskedKept;
  public long maskedRandom;
  /** SOP: one-sentence chunks split inside the sentence to get two consecutive segments. */
  public long splitSentenceChunks;
  /** SOP: one-token one-sentence chunks that cannot form two segments (no instance). */
  public long skippedChunks;
  /** FULL_SENTENCES: extra [SEP] tokens written between documents. */
  public long documentSeparators;
  /** FULL_SENTENCES: sentences longer than max_seq_length - 2, cut into consecutive pieces. */
  public long splitLongSentences;

  public GenerationStats merge(GenerationStats o) {
    emptyDocuments += o.emptyDocuments;
    documentPasses += o.documentPasses;
    shortTargetPasses += o.shortTargetPasses;
    instances += o.instances;
    randomNext += o.randomNext;
    forcedRandomNext += o.forcedRandomNext;
    tokens += o.tokens;
    truncatedTokens += o.truncatedTokens;
    candidates += o.candidates;
    masked += o.masked;
    maskedAsMask += o.maskedAsMask;
    maskedKept += o.maskedKept;
    maskedRandom += o.maskedRandom;
    splitSentenceChunks += o.splitSentenceChunks;
    skippedChunks += o.skippedChunks;
    documentSeparators += o.documentSeparators;
    splitLongSentences += o.splitLongSentences;
    return this;
  }

  @Override
  public String toString() {
    return "GenerationStats{emptyDocuments=" + emptyDocuments + ", documentPasses=" + documentPasses
        + ", shortTargetPasses=" + shortTargetPasses + ", instances=" + instances + ", randomNext=" + randomNext
        + ", forcedRandomNext=" + forcedRandomNext + ", tokens=" + tokens + ", truncatedTokens=" + truncatedTokens
        + ", candidates=" + candidates + ", masked=" + masked + ", maskedAsMask=" + maskedAsMask
        + ", maskedKept=" + maskedKept + ", maskedRandom=" + maskedRandom + ", splitSentenceChunks=" + splitSentenceChunks + ", skippedChunks="
        + skippedChunks + ", documentSeparators=" + documentSeparators + ", splitLongSentences=" + splitLongSentences
        + "}";
  }
}
