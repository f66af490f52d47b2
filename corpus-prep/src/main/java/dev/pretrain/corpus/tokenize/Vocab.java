package dev.pretrain.corpus.tokenize;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A WordPiece vocabulary: token strings and their ids, in the format of BERT's {@code vocab.txt} (one token per
 * line, UTF-8, 0-based line index = id; continuation pieces carry the {@code ##} prefix). Immutable,
 * thread-safe and serializable.
 */
public final class Vocab implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final List<String> tokens;
  private final Map<String, Integer> ids;

  private Vocab(List<String> tokens, String source) {
    List<String> copy = new ArrayList<>(tokens.size());
    Map<String, Integer> map = new HashMap<>(tokens.size() * 2);
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      if (t == null || t.isEmpty()) {
        throw new IllegalArgumentException(source + ": empty token at id " + i + " (line " + (i + 1) + ")");
      }
      Integer prev = map.putIfAbsent(t, i);
      if (prev != null) {
        throw new IllegalArgumentException(source + ": duplicate token '" + t + "' at ids " + prev + " and " + i
            + " (lines " + (prev + 1) + " and " + (i + 1) + ")");
      }
      copy.add(t);
    }
    this.tokens = Collections.unmodifiableList(copy);
    this.ids = map;
  }

  /**
   * Reads a BERT {@code vocab.txt}. Trailing whitespace of each line is removed (as HF's WordPiece reader does,
   * which also takes care of CRLF files); a leading UTF-8 BOM on the first line is dropped.
   *
   * @throws IllegalArgumentException on an empty line or a duplicate token (naming the line)
   */
  public static Vocab read(Reader reader) throws IOException {
    return read(reader, "vocab");
  }

  /** Reads a UTF-8 {@code vocab.txt}; errors name the file. */
  public static Vocab read(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(r, file.toString());
    }
  }

  private static Vocab read(Reader reader, String source) throws IOException {
    BufferedReader br = reader instanceof BufferedReader ? (BufferedReader) reader : new BufferedReader(reader);
    List<String> list = new ArrayList<>();
    String line;
    while ((line = br.readLine()) != null) {
      if (list.isEmpty() && !line.isEmpty() && line.charAt(0) == '\uFEFF') line = line.substring(1);
      int end = line.length();
      while (end > 0 && Character.isWhitespace(line.charAt(end - 1))) end--;
      list.add(line.substring(0, end));
    }
    if (list.isEmpty()) throw new IllegalArgumentException(source + ": vocabulary is empty");
    return new Vocab(list, source);
  }

  /**
   * @param tokensInIdOrder token {@code i} gets id {@code i}
   * @throws IllegalArgumentException on an empty/null or duplicate token
   */
  public static Vocab of(List<String> tokensInIdOrder) {
    return new Vocab(tokensInIdOrder, "vocab");
  }

  /** Writes the vocabulary in {@code vocab.txt} format: each token followed by {@code '\n'}. */
  public void write(Writer writer) throws IOException {
    for (String t : tokens) {
      writer.write(t);
      writer.write('\n');
    }
    writer.flush();
  }

  /** Writes a UTF-8 {@code vocab.txt}. */
  public void write(Path file) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      write(w);
    }
  }

  public int size() {
    return tokens.size();
  }

  /** @return the id of {@code token}, or -1 when absent. */
  public int id(String token) {
    Integer id = ids.get(token);
    return id == null ? -1 : id;
  }

  public boolean contains(String token) {
    return ids.containsKey(token);
  }

  /** @throws IndexOutOfBoundsException if {@code id} is not in {@code [0, size())} */
  public String token(int id) {
    return tokens.get(id);
  }

  /** @return the tokens in id order (unmodifiable). */
  public List<String> tokens() {
    return tokens;
  }

  public int padId() {
    return required(SpecialTokens.PAD);
  }

  public int unkId() {
    return required(SpecialTokens.UNK);
  }

  public int clsId() {
    return required(SpecialTokens.CLS);
  }

  public int sepId() {
    return required(SpecialTokens.SEP);
  }

  public int maskId() {
    return required(SpecialTokens.MASK);
  }

  private int required(String special) {
    Integer id = ids.get(special);
    if (id == null) throw new IllegalStateException("vocabulary of " + size() + " tokens has no " + special + " token");
    return id;
  }

  /**
   * Heuristic: true when at most 1% of the non-special tokens contain an upper-case or title-case letter (a
   * {@code ##} prefix is ignored; bracketed tokens such as {@code [PAD]} or {@code [unused7]} are skipped).
   * Measured: Google's bert-base-uncased has 7 such tokens of 30,522 (e.g. "ℝ", which is category Lu),
   * bert-base-cased 8,373 of 28,996; a vocabulary trained on cased text has at least its upper-case alphabet.
   * A "no upper-case at all" rule would misclassify the uncased vocabulary.
   */
  public boolean looksUncased() {
    int probed = 0;
    int upper = 0;
    for (String t : tokens) {
      if (t.length() > 2 && t.charAt(0) == '[' && t.charAt(t.length() - 1) == ']') continue;
      probed++;
      for (int k = t.startsWith("##") ? 2 : 0; k < t.length(); ) {
        int cp = t.codePointAt(k);
        if (Character.isUpperCase(cp) || Character.isTitleCase(cp)) {
          upper++;
          break;
        }
        k += Character.charCount(cp);
      }
    }
    return upper <= probed / 100;
  }

  @Override
  public String toString() {
    return "Vocab[size=" + size() + "]";
  }
}
