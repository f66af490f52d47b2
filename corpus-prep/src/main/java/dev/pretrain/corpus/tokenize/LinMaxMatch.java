package dev.pretrain.corpus.tokenize;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * Linear-time WordPiece matching: the LinMaxMatch algorithm of Xinying Song, Alex Salcianu, Yang Song, Dave
 * Dopson, Denny Zhou, "Fast WordPiece Tokenization", EMNLP 2021 (Algorithms 1 and 2; the algorithm behind
 * TensorFlow Text's {@code FastWordpieceTokenizer}). It gives exactly the output of greedy longest-match-first
 * (MaxMatch) but reads every character of a word once: O(n) per word of n characters instead of MaxMatch's
 * O(n * m) (m = longest token).
 *
 * <p>Structure: a character (UTF-16) trie with two roots, {@code r} for word-initial pieces (every vocabulary
 * token, spelled as is) and {@code r#} for continuation pieces (the tokens starting with {@code "##"}, without the
 * prefix). Every node {@code v} other than the roots has, as in the paper, a <em>failure link</em> {@code f(v)}
 * and <em>failure pops</em> {@code F(v)}: when the next character has no transition from {@code v}, MaxMatch would
 * emit the tokens {@code F(v)} and continue from state {@code f(v)} (a node of the {@code r#} trie, matching the
 * unconsumed rest of {@code str(v)}); {@code f(v)} undefined means MaxMatch fails and the word is one [UNK].
 * Construction (paper, Algorithm 2), in breadth-first order: if {@code str(v)} is a token, {@code F(v) = [v]} and
 * {@code f(v) = r#}; otherwise, with {@code v} the child of {@code u} on character {@code c}, follow
 * {@code z = f(u), f(f(u)), ...} collecting {@code F(u) + F(z) + ...} until {@code z} has a {@code c}-transition,
 * and set {@code f(v) = δ(z, c)}. At the end of a word, failure links are followed (emitting pops) until {@code r#}
 * is reached. Per node, the failure link and the pops (inline when there is exactly one) share two adjacent ints;
 * the transitions of the two roots on chars below 256 are dense arrays. Only the WordPiece step is linear here:
 * the paper's end-to-end variant, which fuses pre-tokenization into the same trie walk, is not implemented
 * ({@link BasicTokenizer} runs first, one pass over the text). Immutable after construction; thread-safe.
 * Limit: at most {@link #MAX_NODES} trie nodes (about two million tokens of average length 8).
 */
final class LinMaxMatch {
  static final int ROOT = 0;
  static final int SUFFIX_ROOT = 1;

  /** Maximum number of trie nodes (24-bit node numbers in {@link #table}). */
  static final int MAX_NODES = 1 << 24;
  /**
   * Transitions (node, char) -&gt; child, open addressing with linear probing, one {@code long} per entry so that a
   * probe reads one cache line: {@code node << 40 | char << 24 | child}; 0 = empty (no node has child 0, the root).
   */
  private final long[] table;
  private final int mask;
  /** Children of r and r# on chars below 256 (-1: none): the transitions taken at the start of every piece. */
  private final int[] rootDense = new int[256];
  private final int[] suffixDense = new int[256];
  private int nodes;
  /** token id whose string (from r: the token; from r#: "##" + the string) this node spells, or -1 */
  private int[] tokenId;
  /** build time: failure link, -1 when undefined */
  private int[] fail;
  /** build time: failure pops of node v are pool[popStart[v], popStart[v] + popLen[v]) */
  private int[] popStart;
  private int[] popLen;
  /**
   * Hot-path node table, two ints per node (one cache line for both): {@code info[2v]} = failure link (-1:
   * undefined); {@code info[2v+1]} = the failure pops: -1 for none, the token id itself for exactly one, else
   * {@code -(k + 2)} where {@code pops[k]} is the count and {@code pops[k+1 ..]} the ids.
   */
  private int[] info;
  private int[] pops;
  // build-time child lists
  private int[] firstChild;
  private int[] nextSibling;
  private char[] label;

  LinMaxMatch(Vocab vocab) {
    List<String> tokens = vocab.tokens();
    long totalChars = 0; // upper bound on the number of trie nodes
    for (String t : tokens) {
      totalChars += t.length();
      if (t.length() > 2 && t.startsWith(WordPieceTokenizer.CONTINUATION_PREFIX)) totalChars += t.length() - 2;
    }
    // the same load factor as WordPieceTokenizer.Trie (between 1/4 and 1/2 of the bound)
    int capacity = Integer.highestOneBit((int) Math.max(16, Math.min(1 << 29, totalChars * 2))) << 1;
    table = new long[capacity];
    mask = capacity - 1;
    tokenId = new int[16];
    firstChild = new int[16];
    nextSibling = new int[16];
    label = new char[16];
    nodes = 0;
    newNode('\0'); // r
    newNode('\0'); // r#
    for (int id = 0; id < tokens.size(); id++) {
      String tok = tokens.get(id);
      int node = ROOT;
      for (int k = 0; k < tok.length(); k++) node = childOrAdd(node, tok.charAt(k));
      if (tokenId[node] < 0) tokenId[node] = id;
      if (tok.length() > 2 && tok.startsWith(WordPieceTokenizer.CONTINUATION_PREFIX)) {
        node = SUFFIX_ROOT;
        for (int k = 2; k < tok.length(); k++) node = childOrAdd(node, tok.charAt(k));
        if (tokenId[node] < 0) tokenId[node] = id;
      }
    }
    buildFailureLinks();
    for (char c = 0; c < 256; c++) {
      rootDense[c] = child(ROOT, c);
      suffixDense[c] = child(SUFFIX_ROOT, c);
    }
    firstChild = null;
    nextSibling = null;
    label = null;
  }

  private int newNode(char c) {
    if (nodes == MAX_NODES) {
      throw new IllegalArgumentException("vocabulary too large for LinMaxMatch: more than " + MAX_NODES
          + " trie nodes; use WordPieceTokenizer.Algorithm.GREEDY");
    }
    if (nodes == tokenId.length) {
      int n = nodes * 2;
      tokenId = Arrays.copyOf(tokenId, n);
      firstChild = Arrays.copyOf(firstChild, n);
      nextSibling = Arrays.copyOf(nextSibling, n);
      label = Arrays.copyOf(label, n);
    }
    tokenId[nodes] = -1;
    firstChild[nodes] = -1;
    nextSibling[nodes] = -1;
    label[nodes] = c;
    return nodes++;
  }

  private static int hash(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29));
  }

  /** @return the child of {@code node} on {@code c}, or -1 */
  int child(int node, char c) {
    long key = ((long) node) << 16 | c;
    final long[] t = table;
    int slot = hash(key) & mask;
    while (true) {
      long e = t[slot];
      if (e == 0) return -1;
      if (e >>> 24 == key) return (int) (e & 0xFFFFFF);
      slot = (slot + 1) & mask;
    }
  }

  private int childOrAdd(int node, char c) {
    long key = ((long) node) << 16 | c;
    int slot = hash(key) & mask;
    while (true) {
      long e = table[slot];
      if (e >>> 24 == key && e != 0) return (int) (e & 0xFFFFFF);
      if (e == 0) {
        int v = newNode(c);
        table[slot] = key << 24 | v;
        nextSibling[v] = firstChild[node];
        firstChild[node] = v;
        return v;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Paper, Algorithm 2: breadth-first over the r# trie, then over the r trie (links only point into r#). */
  private void buildFailureLinks() {
    fail = new int[nodes];
    popStart = new int[nodes];
    popLen = new int[nodes];
    Arrays.fill(fail, -1);
    IntBuffer pool = new IntBuffer(nodes * 2);
    IntBuffer scratch = new IntBuffer(64);
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int r : new int[] {SUFFIX_ROOT, ROOT}) {
      queue.add(r);
      while (!queue.isEmpty()) {
        int u = queue.poll();
        for (int v = firstChild[u]; v >= 0; v = nextSibling[v]) {
          queue.add(v);
          if (tokenId[v] >= 0) {
            fail[v] = SUFFIX_ROOT;
            popStart[v] = pool.size();
            popLen[v] = 1;
            pool.add(tokenId[v]);
            continue;
          }
          char c = label[v];
          scratch.clear();
          appendPops(u, pool, scratch);
          int z = fail[u];
          while (z >= 0 && child(z, c) < 0) {
            appendPops(z, pool, scratch);
            z = fail[z];
          }
          if (z >= 0) {
            fail[v] = child(z, c);
            popStart[v] = pool.size();
            popLen[v] = scratch.size();
            for (int k = 0; k < scratch.size(); k++) pool.add(scratch.get(k));
          }
        }
      }
    }
    info = new int[2 * nodes];
    IntBuffer multi = new IntBuffer(16);
    int[] a = pool.array();
    for (int v = 0; v < nodes; v++) {
      info[2 * v] = fail[v];
      int n = popLen[v];
      if (n == 0) {
        info[2 * v + 1] = -1;
      } else if (n == 1) {
        info[2 * v + 1] = a[popStart[v]];
      } else {
        info[2 * v + 1] = -(multi.size() + 2);
        multi.add(n);
        for (int k = popStart[v]; k < popStart[v] + n; k++) multi.add(a[k]);
      }
    }
    pops = multi.toArray();
    fail = null;
    popStart = null;
    popLen = null;
  }

  private void appendPops(int node, IntBuffer pool, IntBuffer to) {
    int[] a = pool.array();
    for (int k = popStart[node], e = k + popLen[node]; k < e; k++) to.add(a[k]);
  }

  /** @return the number of trie nodes (both roots included) */
  int size() {
    return nodes;
  }

  /**
   * Paper, Algorithm 1 (one word): appends the ids of {@code chars[start, end)} to {@code out}, or only
   * {@code unkId} when MaxMatch would fail. The caller handles the length limit.
   *
   * @return the number of ids appended
   */
  int encodeWord(char[] chars, int start, int end, IntBuffer out, int unkId) {
    if (start >= end) return 0;
    final int mark = out.size();
    final int[] inf = info;
    char c = chars[start];
    int u = c < 256 ? rootDense[c] : child(ROOT, c);
    if (u < 0) return unk(out, mark, unkId); // f(r) is undefined
    for (int i = start + 1; i < end; i++) {
      c = chars[i];
      int v = child(u, c);
      while (v < 0) { // failure transitions; each emits its pops
        int next = inf[2 * u];
        if (next < 0) return unk(out, mark, unkId);
        emitPops(inf[2 * u + 1], out);
        u = next;
        v = u == SUFFIX_ROOT && c < 256 ? suffixDense[c] : child(u, c);
        if (v < 0 && u == SUFFIX_ROOT) return unk(out, mark, unkId); // f(r#) is undefined
      }
      u = v;
    }
    while (u != SUFFIX_ROOT) {
      int next = inf[2 * u];
      if (next < 0) return unk(out, mark, unkId);
      emitPops(inf[2 * u + 1], out);
      u = next;
    }
    return out.size() - mark;
  }

  private void emitPops(int p, IntBuffer out) {
    if (p >= 0) {
      out.add(p);
    } else if (p < -1) {
      int k = -p - 2;
      for (int j = k + 1, e = k + 1 + pops[k]; j < e; j++) out.add(pops[j]);
    }
  }

  private static int unk(IntBuffer out, int mark, int unkId) {
    out.truncate(mark);
    out.add(unkId);
    return 1;
  }
}
