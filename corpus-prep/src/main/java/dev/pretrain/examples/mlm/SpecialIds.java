package dev.pretrain.examples.mlm;

import java.io.Serializable;
import java.util.List;

/**
 * Ids of the special WordPiece tokens and the vocabulary size (random replacements are drawn from
 * {@code [0, vocabSize)}, like Google's {@code vocab_words}, specials included).
 */
public record SpecialIds(int pad, int cls, int sep, int mask, int vocabSize) implements Serializable {
  public SpecialIds {
    if (vocabSize < 1) {
      throw new IllegalArgumentException("vocabSize must be >= 1, got " + vocabSize);
    }
    for (int id : new int[] {pad, cls, sep, mask}) {
      if (id < 0 || id >= vocabSize) {
        throw new IllegalArgumentException("special id " + id + " outside [0, " + vocabSize + ")");
      }
    }
  }

  /** Looks up {@code [PAD] [CLS] [SEP] [MASK]} in a vocabulary listed by id (e.g. BERT's vocab.txt lines). */
  public static SpecialIds fromVocab(List<String> vocab) {
    return new SpecialIds(find(vocab, "[PAD]"), find(vocab, "[CLS]"), find(vocab, "[SEP]"), find(vocab, "[MASK]"),
        vocab.size());
  }

  private static int find(List<String> vocab, String token) {
    int i = vocab.indexOf(token);
    if (i < 0) {
      throw new IllegalArgumentException("vocabulary has no " + token + " token");
    }
    return i;
  }
}
