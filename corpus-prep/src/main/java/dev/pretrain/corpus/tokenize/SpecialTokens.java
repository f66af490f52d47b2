package dev.pretrain.corpus.tokenize;

import java.util.List;

/**
 * The special tokens of BERT's WordPiece vocabularies (Devlin et al. 2019; Google {@code tokenization.py},
 * HF {@code BertTokenizerFast} defaults).
 */
public final class SpecialTokens {
  /** Padding token; id 0 in the Google BERT vocabularies. */
  public static final String PAD = "[PAD]";
  /** Unknown-word token emitted by WordPiece for a word it cannot split (id 100 in Google's vocabularies). */
  public static final String UNK = "[UNK]";
  /** Classification token that starts every BERT input sequence. */
  public static final String CLS = "[CLS]";
  /** Separator token that ends each segment. */
  public static final String SEP = "[SEP]";
  /** Masked-LM replacement token. */
  public static final String MASK = "[MASK]";

  private static final List<String> DEFAULTS = List.of(PAD, UNK, CLS, SEP, MASK);

  private SpecialTokens() {}

  /** @return the immutable list {@code [PAD], [UNK], [CLS], [SEP], [MASK]} in this order (HF's default order). */
  public static List<String> bertDefaults() {
    return DEFAULTS;
  }

  /** @return the name of the n-th reserved slot, {@code [unused<n>]} as in Google's vocabularies. */
  public static String unused(int n) {
    if (n < 0) throw new IllegalArgumentException("unused token index must be >= 0, got " + n);
    return "[unused" + n + "]";
  }
}
