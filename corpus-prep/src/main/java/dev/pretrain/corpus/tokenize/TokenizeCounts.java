package dev.pretrain.corpus.tokenize;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Running totals of tokenization, for reports: texts (lines or sentences), basic-tokenized words, WordPiece ids,
 * [UNK] ids and words over the length limit ({@code max_input_chars_per_word}, each one [UNK]). Filled by
 * {@link BertTokenizer#encode(String, IntBuffer, TokenizeCounts)}; mergeable ({@link #add}) across shards.
 * Mutable, not thread-safe, serializable.
 */
public final class TokenizeCounts implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  public long texts;
  public long words;
  public long tokens;
  public long unknown;
  public long overlongWords;

  /** Adds {@code other}'s totals to these; returns this. */
  public TokenizeCounts add(TokenizeCounts other) {
    texts += other.texts;
    words += other.words;
    tokens += other.tokens;
    unknown += other.unknown;
    overlongWords += other.overlongWords;
    return this;
  }

  /** @return [UNK] ids / ids (0 when there are no ids) */
  public double unkRate() {
    return tokens == 0 ? 0 : (double) unknown / tokens;
  }

  /** @return share of words with more than {@code max_input_chars_per_word} code points (0 without words) */
  public double overlongWordRate() {
    return words == 0 ? 0 : (double) overlongWords / words;
  }

  /** @return WordPiece ids per basic-tokenized word (0 without words) */
  public double tokensPerWord() {
    return words == 0 ? 0 : (double) tokens / words;
  }

  /**
   * @param textsName the name for {@link #texts} in the map ("lines", "sentences")
   * @return the counts and the three rates, in a fixed order (for JSON reports)
   */
  public Map<String, Object> toMap(String textsName) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(textsName, texts);
    m.put("words", words);
    m.put("tokens", tokens);
    m.put("unk_tokens", unknown);
    m.put("overlong_words", overlongWords);
    m.put("unk_rate", unkRate());
    m.put("overlong_word_rate", overlongWordRate());
    m.put("tokens_per_word", tokensPerWord());
    return m;
  }

  @Override
  public String toString() {
    return "TokenizeCounts" + toMap("texts");
  }
}
