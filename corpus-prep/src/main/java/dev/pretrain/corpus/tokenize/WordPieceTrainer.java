package dev.pretrain.corpus.tokenize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * Trains a WordPiece vocabulary the way HF tokenizers' {@code WordPieceTrainer} does: it is the BPE merge
 * algorithm ({@code BpeTrainer}, Sennrich et al. 2016) with the {@code ##} continuing-subword prefix.
 * <ol>
 *   <li>Alphabet: every character (code point) of the words as a plain token, plus {@code ##c} for every
 *       character that occurs at a non-initial position. Each word starts as its first character followed by
 *       the {@code ##} forms of the rest.</li>
 *   <li>Repeatedly merge the adjacent pair {@code (a, b)} with the highest count (summed over words, weighted by
 *       word counts) into {@code a + b-without-"##"}, until the vocabulary has {@code vocabSize} tokens or the
 *       best pair count is below {@code minFrequency}. A merge whose result string already exists (different
 *       pairs can spell the same string) is applied but adds no token (as in HF).</li>
 * </ol>
 * <b>Tie-break (deterministic):</b> among pairs with equal count, the pair with the smaller id of {@code a}, then
 * the smaller id of {@code b}, wins (ids as in the output vocabulary). HF uses the same rule on its own ids, but
 * assigns the {@code ##c} ids in hash-map order, so its ties are not reproducible.
 * <p><b>Output order</b> (= ids): {@code specialTokens}, {@code [unused0]..[unused(n-1)]}, the plain alphabet
 * sorted by code point, the {@code ##} alphabet sorted by code point, then merged tokens in merge order. The
 * alphabet is always kept whole, so the result can exceed {@code vocabSize} when the alphabet alone does
 * (HF behaves the same). Every training word is tokenizable without {@code [UNK]} by the resulting vocabulary
 * (given it is no longer than the WordPiece {@code maxInputCharsPerWord}).
 * <p>Complexity: incremental pair counts, per-pair lists of the words containing the pair, and a max-heap with
 * lazy invalidation (a popped entry whose count is stale is re-queued with the current count).
 */
public final class WordPieceTrainer {
  private final int vocabSize;
  private final long minFrequency;
  private final List<String> specialTokens;
  private final int numUnusedTokens;

  /**
   * @param vocabSize target total vocabulary size, specials and unused slots included
   * @param minFrequency a pair is merged only if its count is at least this (HF default 0)
   * @param specialTokens tokens placed first, e.g. {@link SpecialTokens#bertDefaults()}
   * @param numUnusedTokens number of {@code [unusedN]} placeholders after the specials (Google's vocabularies
   *     reserve such slots; 0 for none)
   */
  public WordPieceTrainer(int vocabSize, long minFrequency, List<String> specialTokens, int numUnusedTokens) {
    if (vocabSize <= 0) throw new IllegalArgumentException("vocabSize must be > 0, got " + vocabSize);
    if (numUnusedTokens < 0) throw new IllegalArgumentException("numUnusedTokens must be >= 0, got " + numUnusedTokens);
    this.vocabSize = vocabSize;
    this.minFrequency = minFrequency;
    this.specialTokens = List.copyOf(specialTokens);
    this.numUnusedTokens = numUnusedTokens;
  }

  private static final class PairStat {
    final int a;
    final int b;
    long count;
    int queuedAt = -1;
    int[] words = new int[4];
    int nWords;

    PairStat(int a, int b) {
      this.a = a;
      this.b = b;
    }

    void addWord(int w) {
      if (nWords > 0 && words[nWords - 1] == w) return;
      if (nWords == words.length) words = Arrays.copyOf(words, nWords * 2);
      words[nWords++] = w;
    }
  }

  private static final class Entry {
    final long count;
    final PairStat pair;

    Entry(long count, PairStat pair) {
      this.count = count;
      this.pair = pair;
    }
  }

  private static long key(int a, int b) {
    return ((long) a << 32) | (b & 0xFFFFFFFFL);
  }

  /**
   * @param wordCounts word -&gt; corpus count; words are {@link BasicTokenizer} outputs (no whitespace); words with a
   *     count &lt;= 0 or empty are ignored
   * @return the tokens in id order (see the class comment)
   */
  public List<String> train(Map<String, Long> wordCounts) {
    // 1. fixed prefix: specials + unused
    List<String> tokens = new ArrayList<>();
    Map<String, Integer> ids = new HashMap<>();
    LinkedHashSet<String> prefix = new LinkedHashSet<>(specialTokens);
    for (int i = 0; i < numUnusedTokens; i++) prefix.add(SpecialTokens.unused(i));
    for (String t : prefix) add(t, tokens, ids);

    // 2. alphabet
    TreeSet<Integer> initial = new TreeSet<>();
    TreeSet<Integer> inner = new TreeSet<>();
    List<String> wordList = new ArrayList<>(wordCounts.size());
    List<Long> countList = new ArrayList<>(wordCounts.size());
    for (Map.Entry<String, Long> e : wordCounts.entrySet()) {
      String w = e.getKey();
      long c = e.getValue() == null ? 0 : e.getValue();
      if (w == null || w.isEmpty() || c <= 0) continue;
      wordList.add(w);
      countList.add(c);
      for (int k = 0; k < w.length(); ) {
        int cp = w.codePointAt(k);
        initial.add(cp);
        if (k > 0) inner.add(cp);
        k += Character.charCount(cp);
      }
    }
    for (int cp : initial) add(new String(Character.toChars(cp)), tokens, ids);
    for (int cp : inner) add("##" + new String(Character.toChars(cp)), tokens, ids);

    // 3. words as symbol-id sequences; initial pair statistics
    int nw = wordList.size();
    int[][] words = new int[nw][];
    long[] counts = new long[nw];
    Map<Long, PairStat> pairs = new HashMap<>();
    for (int w = 0; w < nw; w++) {
      String s = wordList.get(w);
      counts[w] = countList.get(w);
      int[] sym = new int[s.codePointCount(0, s.length())];
      int j = 0;
      for (int k = 0; k < s.length(); ) {
        int cp = s.codePointAt(k);
        String ch = new String(Character.toChars(cp));
        sym[j] = ids.get(k == 0 ? ch : "##" + ch);
        j++;
        k += Character.charCount(cp);
      }
      words[w] = sym;
      for (int k = 0; k + 1 < sym.length; k++) {
        PairStat p = pairs.computeIfAbsent(key(sym[k], sym[k + 1]), x -> new PairStat((int) (x >>> 32), (int) (long) x));
        p.count += counts[w];
        p.addWord(w);
      }
    }
    PriorityQueue<Entry> heap = new PriorityQueue<>(Math.max(16, pairs.size()), (x, y) -> {
      if (x.count != y.count) return Long.compare(y.count, x.count);
      if (x.pair.a != y.pair.a) return Integer.compare(x.pair.a, y.pair.a);
      return Integer.compare(x.pair.b, y.pair.b);
    });
    for (PairStat p : pairs.values()) if (p.count > 0) heap.add(new Entry(p.count, p));

    // 4. merges
    int[] stamp = new int[nw];
    int mergeNo = 0;
    List<PairStat> touched = new ArrayList<>();
    while (tokens.size() < vocabSize && !heap.isEmpty()) {
      Entry top = heap.poll();
      PairStat p = top.pair;
      if (p.count != top.count) {
        if (p.count > 0 && p.count < top.count) heap.add(new Entry(p.count, p));
        continue;
      }
      if (top.count < minFrequency) break;
      String right = tokens.get(p.b);
      String merged = tokens.get(p.a) + (right.startsWith("##") ? right.substring(2) : right);
      Integer existing = ids.get(merged);
      int c = existing != null ? existing : add(merged, tokens, ids);
      mergeNo++;
      touched.clear();
      int[] list = p.words;
      int n = p.nWords;
      p.words = new int[4];
      p.nWords = 0;
      for (int li = 0; li < n; li++) {
        int w = list[li];
        if (stamp[w] == mergeNo) continue;
        stamp[w] = mergeNo;
        int[] sym = words[w];
        long wc = counts[w];
        int[] out = null;
        int o = 0;
        for (int k = 0; k < sym.length; k++) {
          if (k + 1 < sym.length && sym[k] == p.a && sym[k + 1] == p.b) {
            if (out == null) {
              out = new int[sym.length - 1];
              System.arraycopy(sym, 0, out, 0, k);
              o = k;
            }
            // local pair-count updates around this occurrence (as HF's Word::merge): the left neighbour is
            // taken from the already merged output, so consecutive occurrences are counted correctly
            if (o > 0) {
              int prev = out[o - 1];
              pair(pairs, prev, p.a).count -= wc;
              PairStat q = pair(pairs, prev, c);
              q.count += wc;
              q.addWord(w);
              touched.add(q);
            }
            if (k + 2 < sym.length) {
              int next = sym[k + 2];
              pair(pairs, p.b, next).count -= wc;
              PairStat q = pair(pairs, c, next);
              q.count += wc;
              q.addWord(w);
              touched.add(q);
            }
            out[o++] = c;
            k++;
          } else if (out != null) {
            out[o++] = sym[k];
          }
        }
        if (out == null) continue; // stale list entry
        words[w] = o == out.length ? out : Arrays.copyOf(out, o);
      }
      p.count = 0;
      // queue every pair whose count may have grown (duplicates are harmless: stale entries are skipped)
      for (PairStat q : touched) {
        if (q.count > 0 && q.queuedAt != mergeNo) {
          q.queuedAt = mergeNo;
          heap.add(new Entry(q.count, q));
        }
      }
    }
    return tokens;
  }

  private static PairStat pair(Map<Long, PairStat> pairs, int a, int b) {
    long k = key(a, b);
    PairStat q = pairs.get(k);
    if (q == null) {
      q = new PairStat(a, b);
      pairs.put(k, q);
    }
    return q;
  }

  private static int add(String t, List<String> tokens, Map<String, Integer> ids) {
    Integer prev = ids.putIfAbsent(t, tokens.size());
    if (prev != null) return prev;
    tokens.add(t);
    return tokens.size() - 1;
  }
}
