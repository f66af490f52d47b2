package dev.pretrain.corpus.tokenize;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * WordPiece tokenization of one basic-tokenized word: greedy longest-match-first against the vocabulary, pieces
 * after the first carrying the {@code ##} continuation prefix (Google {@code tokenization.py
 * WordpieceTokenizer}; HF tokenizers {@code models/wordpiece}). A word of more than {@code maxInputCharsPerWord}
 * characters (counted in Unicode code points, as Python's {@code len(str)} and Rust's {@code chars().count()}
 * do), or one that cannot be covered entirely by vocabulary pieces, becomes a single {@code [UNK]}.
 * <p>Implementations, both giving the same ids (checked against HF tokenizers' digests for both, see
 * {@code ParityTest}, and against each other on random vocabularies):
 * <ul>
 *   <li>{@link Algorithm#LINEAR} (the default): {@link LinMaxMatch}, the linear-time algorithm of Song et al.,
 *       "Fast WordPiece Tokenization", EMNLP 2021 (trie with failure links and failure pops); measured 1.02x
 *       (uncased) and 1.06x (cased) the throughput of the greedy walk on the IMDB corpus (docs/BENCHMARKS.md);</li>
 *   <li>{@link Algorithm#GREEDY}: a character trie over all vocabulary tokens (transitions in an open-addressing
 *       hash table keyed by (node, UTF-16 char)); continuation pieces start at the node of {@code "##"}. One forward
 *       walk per piece finds the longest matching prefix, equivalent to the reference's shrinking-suffix loop;
 *       O(n * m) per word of n characters (m = longest token).</li>
 * </ul>
 * No substrings are allocated. The index is rebuilt after deserialization. Thread-safe.
 */
public final class WordPieceTokenizer implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  /** Default of both references: words longer than 100 characters become {@code [UNK]}. */
  public static final int DEFAULT_MAX_INPUT_CHARS_PER_WORD = 100;
  /** Continuation-piece prefix. */
  public static final String CONTINUATION_PREFIX = "##";

  /** WordPiece matching algorithm; both give identical ids. */
  public enum Algorithm {
    /** Greedy longest-match-first, one forward trie walk per piece (Google/HF reference loop). */
    GREEDY,
    /** LinMaxMatch of Song et al. (EMNLP 2021): trie with failure links and failure pops, linear time. */
    LINEAR
  }

  /** The algorithm of {@link #WordPieceTokenizer(Vocab, int)}. */
  public static final Algorithm DEFAULT_ALGORITHM = Algorithm.LINEAR;

  private final Vocab vocab;
  private final int maxInputCharsPerWord;
  private final int unkId;
  private final Algorithm algorithm;
  private transient Trie trie;
  private transient LinMaxMatch linear;

  /**
   * @param vocab vocabulary; must contain {@code [UNK]}
   * @param maxInputCharsPerWord words with more code points than this become {@code [UNK]} (must be &gt; 0)
   * @throws IllegalStateException if the vocabulary has no {@code [UNK]}
   */
  public WordPieceTokenizer(Vocab vocab, int maxInputCharsPerWord) {
    this(vocab, maxInputCharsPerWord, DEFAULT_ALGORITHM);
  }

  /**
   * @param algorithm matching algorithm (same ids either way)
   * @throws IllegalStateException if the vocabulary has no {@code [UNK]}
   */
  public WordPieceTokenizer(Vocab vocab, int maxInputCharsPerWord, Algorithm algorithm) {
    if (algorithm == null) throw new NullPointerException("algorithm");
    if (vocab == null) throw new NullPointerException("vocab");
    if (maxInputCharsPerWord <= 0) {
      throw new IllegalArgumentException("maxInputCharsPerWord must be > 0, got " + maxInputCharsPerWord);
    }
    this.vocab = vocab;
    this.maxInputCharsPerWord = maxInputCharsPerWord;
    this.unkId = vocab.unkId();
    this.algorithm = algorithm;
    buildIndex();
  }

  private void buildIndex() {
    if (algorithm == Algorithm.LINEAR) {
      linear = new LinMaxMatch(vocab);
    } else {
      trie = new Trie(vocab);
    }
  }

  /** @return the id of {@code [UNK]} */
  public int unkId() {
    return unkId;
  }

  public Algorithm algorithm() {
    return algorithm;
  }

  public Vocab vocab() {
    return vocab;
  }

  public int maxInputCharsPerWord() {
    return maxInputCharsPerWord;
  }

  /**
   * Tokenizes one word. As in Google's {@code WordpieceTokenizer.tokenize}, the input is first split on
   * whitespace, so a string with several words yields the pieces of each; for a single basic-tokenized word
   * this is just that word's pieces.
   *
   * @return the pieces (e.g. "unwanted" -&gt; ["un", "##want", "##ed"]) or ["[UNK]"]; empty for blank input
   */
  public List<String> tokenize(String word) {
    List<String> out = new ArrayList<>();
    IntBuffer ids = new IntBuffer(16);
    char[] chars = word.toCharArray();
    int i = 0;
    while (i < chars.length) {
      while (i < chars.length && BertChars.isWhitespace(chars[i])) i++;
      int s = i;
      while (i < chars.length && !BertChars.isWhitespace(chars[i])) i++;
      if (i > s) {
        ids.clear();
        encodeWord(chars, s, i, ids);
        for (int k = 0; k < ids.size(); k++) out.add(vocab.token(ids.get(k)));
      }
    }
    return out;
  }

  /**
   * Appends the ids of the pieces of the word {@code chars[start, end)} to {@code out}.
   *
   * @return the number of ids appended (1 for {@code [UNK]})
   */
  int encodeWord(char[] chars, int start, int end, IntBuffer out) {
    if (end - start > maxInputCharsPerWord && Character.codePointCount(chars, start, end - start) > maxInputCharsPerWord) {
      out.add(unkId);
      return 1;
    }
    final LinMaxMatch lin = linear;
    if (lin != null) return lin.encodeWord(chars, start, end, out, unkId);
    final Trie t = trie;
    final int mark = out.size();
    int pos = start;
    while (pos < end) {
      int node = pos == start ? 0 : t.continuationRoot;
      if (node < 0) {
        out.truncate(mark);
        out.add(unkId);
        return 1;
      }
      int bestEnd = -1;
      int bestId = -1;
      for (int i = pos; i < end; ) {
        node = t.child(node, chars[i]);
        if (node < 0) break;
        i++;
        int id = t.tokenId[node];
        if (id >= 0) {
          bestEnd = i;
          bestId = id;
        }
      }
      if (bestId < 0) {
        out.truncate(mark);
        out.add(unkId);
        return 1;
      }
      out.add(bestId);
      pos = bestEnd;
    }
    return out.size() - mark;
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    buildIndex();
  }

  /** Character trie; transitions (node, char) -&gt; child in an open-addressing table. */
  static final class Trie {
    private long[] keys; // (node << 16 | char) + 1; 0 = empty slot
    private int[] children;
    private int mask;
    int[] tokenId;
    private int nodes;
    final int continuationRoot;

    Trie(Vocab vocab) {
      long totalChars = 0;
      for (String t : vocab.tokens()) totalChars += t.length();
      int capacity = Integer.highestOneBit((int) Math.max(16, totalChars * 2)) << 1;
      keys = new long[capacity];
      children = new int[capacity];
      mask = capacity - 1;
      tokenId = new int[(int) totalChars + 2];
      Arrays.fill(tokenId, -1);
      nodes = 1; // root = 0
      List<String> tokens = vocab.tokens();
      for (int id = 0; id < tokens.size(); id++) {
        String tok = tokens.get(id);
        int node = 0;
        for (int k = 0; k < tok.length(); k++) node = childOrAdd(node, tok.charAt(k));
        tokenId[node] = id;
      }
      int n = child(0, '#');
      continuationRoot = n < 0 ? -1 : child(n, '#');
    }

    private static int hash(long key) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 29));
    }

    int child(int node, char c) {
      long key = (((long) node) << 16 | c) + 1;
      int slot = hash(key) & mask;
      while (true) {
        long k = keys[slot];
        if (k == key) return children[slot];
        if (k == 0) return -1;
        slot = (slot + 1) & mask;
      }
    }

    private int childOrAdd(int node, char c) {
      long key = (((long) node) << 16 | c) + 1;
      int slot = hash(key) & mask;
      while (true) {
        long k = keys[slot];
        if (k == key) return children[slot];
        if (k == 0) {
          keys[slot] = key;
          children[slot] = nodes;
          return nodes++;
        }
        slot = (slot + 1) & mask;
      }
    }
  }
}
