package dev.pretrain.corpus.tokenize;

import java.util.HashMap;
import java.util.Map;
import java.util.function.ObjLongConsumer;

/**
 * Counts the words of texts as {@link BasicTokenizer} splits them (BERT's basic tokenizer: clean-up, CJK isolation,
 * optional lowercasing and accent stripping, whitespace and punctuation splitting), for vocabulary training.
 * Words are looked up by their characters in an open-addressing table, so a {@code String} is allocated only the
 * first time a word is seen and counts are primitive {@code long}s. Not thread-safe: one per task/thread, then
 * {@link #addAll} the partial counters.
 */
public final class WordCounter {
  private final BasicTokenizer basic;
  private final WordBuffer wb = new WordBuffer();
  private String[] keys = new String[1 << 14];
  /** The characters of keys[i]. */
  private char[][] keyChars = new char[1 << 14][];
  /** Chars 0-3 of keys[i] packed, compared before keyChars (no pointer chase for words of up to 4 chars). */
  private long[] prefix = new long[1 << 14];
  private int[] lengths = new int[1 << 14];
  private int[] hashes = new int[1 << 14];
  private long[] counts = new long[1 << 14];
  private int size;
  private long total;

  /** @param lowercase lowercase and strip accents (uncased vocabularies), as {@link BasicTokenizer#BasicTokenizer(boolean)} */
  public WordCounter(boolean lowercase) {
    this.basic = new BasicTokenizer(lowercase);
  }

  /** Adds the words of one text (e.g. one line); null is rejected. */
  public void add(CharSequence text) {
    basic.split(text, wb);
    char[] c = wb.chars;
    for (int i = 0; i < wb.count; i++) {
      int s = wb.start(i);
      int e = wb.end(i);
      int h = 0;
      for (int k = s; k < e; k++) h = 31 * h + c[k];
      add(c, s, e, h, 1);
    }
  }

  /** Adds {@code count} occurrences of {@code word}. */
  public void add(String word, long count) {
    add(word.toCharArray(), 0, word.length(), word.hashCode(), count);
  }

  /** Adds all counts of {@code other}. */
  public void addAll(WordCounter other) {
    for (int i = 0; i < other.keys.length; i++) {
      if (other.keys[i] != null) add(other.keys[i], other.counts[i]);
    }
  }

  private static long pack(char[] c, int s, int len) {
    long p = 0;
    for (int j = 0, n = Math.min(len, 4); j < n; j++) p |= (long) c[s + j] << (16 * j);
    return p;
  }

  private void add(char[] c, int s, int e, int h, long n) {
    int mask = keys.length - 1;
    int len = e - s;
    long pre = pack(c, s, len);
    for (int i = mix(h) & mask; ; i = (i + 1) & mask) {
      String k = keys[i];
      if (k == null) {
        keyChars[i] = java.util.Arrays.copyOfRange(c, s, e);
        keys[i] = new String(keyChars[i]);
        prefix[i] = pre;
        lengths[i] = len;
        hashes[i] = h;
        counts[i] = n;
        total += n;
        if (2 * ++size > keys.length) rehash();
        return;
      }
      if (hashes[i] == h && prefix[i] == pre && lengths[i] == len && (len <= 4 || same(keyChars[i], c, s, len))) {
        counts[i] += n;
        total += n;
        return;
      }
    }
  }

  /** Plain loop: words are short, where it beats the vectorized {@code Arrays.equals} set-up. */
  private static boolean same(char[] k, char[] c, int s, int len) {
    if (k.length != len) return false;
    for (int j = 0; j < len; j++) if (k[j] != c[s + j]) return false;
    return true;
  }

  private static int mix(int h) {
    h *= 0x9E3779B1;
    return h ^ (h >>> 15);
  }

  private void rehash() {
    String[] ok = keys;
    char[][] okc = keyChars;
    long[] op = prefix;
    int[] ol = lengths;
    int[] oh = hashes;
    long[] oc = counts;
    keys = new String[ok.length * 2];
    keyChars = new char[ok.length * 2][];
    prefix = new long[ok.length * 2];
    lengths = new int[ok.length * 2];
    hashes = new int[ok.length * 2];
    counts = new long[ok.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < ok.length; j++) {
      if (ok[j] == null) continue;
      int i = mix(oh[j]) & mask;
      while (keys[i] != null) i = (i + 1) & mask;
      keys[i] = ok[j];
      keyChars[i] = okc[j];
      prefix[i] = op[j];
      lengths[i] = ol[j];
      hashes[i] = oh[j];
      counts[i] = oc[j];
    }
  }

  /** @return number of distinct words */
  public int distinct() {
    return size;
  }

  /** @return total number of words counted */
  public long total() {
    return total;
  }

  /** Calls {@code f(word, count)} for every distinct word, in no particular order. */
  public void forEach(ObjLongConsumer<String> f) {
    for (int i = 0; i < keys.length; i++) if (keys[i] != null) f.accept(keys[i], counts[i]);
  }

  /** @return the words seen at least {@code minCount} times with their counts (a new map) */
  public Map<String, Long> toMap(long minCount) {
    Map<String, Long> out = new HashMap<>(Math.max(16, size * 2));
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null && counts[i] >= minCount) out.put(keys[i], counts[i]);
    }
    return out;
  }

  @Override
  public String toString() {
    return "WordCounter{distinct=" + size + ", total=" + total + "}";
  }
}
