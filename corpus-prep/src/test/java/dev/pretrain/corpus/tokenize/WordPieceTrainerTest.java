package dev.pretrain.corpus.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import dev.pretrain.corpus.tokenize.WordPieceTrainer.Algorithm;
import org.junit.jupiter.api.Test;

class WordPieceTrainerTest {
  static final Path DATA = Path.of(System.getProperty("shared.dir", "../shared"), "data");

  @Test
  void mergesMostFrequentPairFirst() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("ab", 5L);
    counts.put("abc", 3L);
    counts.put("bc", 1L);
    // alphabet: every character plain (a b c, as HF), then ##b ##c; pairs (a,##b)=8 (##b,##c)=3 (b,##c)=1 -> "ab"; then (ab,##c)=3 -> "abc"; then "bc"
    assertEquals(List.of("a", "b", "c", "##b", "##c", "ab", "abc", "bc"),
        new WordPieceTrainer(100, 0, List.of(), 0).train(counts));
    assertEquals(List.of("a", "b", "c", "##b", "##c", "ab"),
        new WordPieceTrainer(6, 0, List.of(), 0).train(counts));
    assertEquals(List.of("a", "b", "c", "##b", "##c", "ab", "abc"),
        new WordPieceTrainer(100, 2, List.of(), 0).train(counts));
  }

  @Test
  void tiesGoToSmallerIds() {
    Map<String, Long> counts = new HashMap<>();
    counts.put("cd", 1L);
    counts.put("ab", 1L);
    // ids a=0 b=1 c=2 d=3 ##b=4 ##d=5; (a,##b) and (c,##d) both count 1: (a,##b) has the smaller left id
    assertEquals(List.of("a", "b", "c", "d", "##b", "##d", "ab"), new WordPieceTrainer(7, 0, List.of(), 0).train(counts));
  }

  @Test
  void specialsAndUnusedComeFirst() {
    List<String> v = new WordPieceTrainer(20, 0, SpecialTokens.bertDefaults(), 2).train(Map.of("aa", 3L));
    assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[unused0]", "[unused1]", "a", "##a", "aa"), v);
  }

  @Test
  void trainsOnMobyDick() throws IOException {
    BasicTokenizer basic = new BasicTokenizer(true);
    Map<String, Long> counts = new HashMap<>();
    for (String line : Files.readAllLines(DATA.resolve("corpora/moby-dick.txt"), StandardCharsets.UTF_8)) {
      for (String w : basic.tokenize(line)) counts.merge(w, 1L, Long::sum);
    }
    int size = 3000;
    long t0 = System.nanoTime();
    List<String> tokens = new WordPieceTrainer(size, 2, SpecialTokens.bertDefaults(), 10).train(counts);
    double sec = (System.nanoTime() - t0) / 1e9;
    assertEquals(size, tokens.size());
    assertTrue(sec < 20, "training took " + sec + " s");
    Vocab vocab = Vocab.of(tokens);
    assertEquals(1, vocab.unkId());
    assertTrue(vocab.looksUncased());
    WordPieceTokenizer wp = new WordPieceTokenizer(vocab, WordPieceTokenizer.DEFAULT_MAX_INPUT_CHARS_PER_WORD);
    long words = 0;
    long pieces = 0;
    long chars = 0;
    IntBuffer buf = new IntBuffer();
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      char[] w = e.getKey().toCharArray();
      buf.clear();
      int n = wp.encodeWord(w, 0, w.length, buf);
      for (int i = 0; i < n; i++) assertTrue(buf.get(i) != vocab.unkId(), () -> "[UNK] for " + e.getKey());
      words += e.getValue();
      pieces += n * e.getValue();
      chars += e.getKey().codePointCount(0, w.length) * e.getValue();
    }
    double piecesPerWord = (double) pieces / words;
    double charsPerWord = (double) chars / words;
    assertTrue(piecesPerWord < 0.5 * charsPerWord, piecesPerWord + " pieces/word vs " + charsPerWord + " chars/word");
    // the most frequent words become single tokens
    assertTrue(vocab.id("the") >= 0 && vocab.id("whale") >= 0);
  }

  /**
   * Corpus ab x6, ac x3, db x3, ef x2. Ids: a b c d e f (0-5), ##b ##c ##f (6-8). Symbol counts a=9 d=3 e=2
   * ##b=9 ##c=3 ##f=2; pairs (a,##b)=6 (a,##c)=3 (d,##b)=3 (e,##f)=2.
   * <p>BPE (count): ab (6); then ac and db tie at 3, a &lt; d: ac; db; ef.
   * <p>Ratio count(xy)/(count(x)count(y)): ab 6/81, ac 3/27, db 3/27, ef 2/4 -&gt; ef. Then ac = db = 1/9 with
   * equal counts, a &lt; d -&gt; ac. That makes count(a) = 6, so ab RISES to 6/(6*9) = 1/9 = db's score, and wins on
   * its higher count (a trainer that keeps ab's stale 6/81 in its heap would pick db here). Then count(##b) = 3:
   * db = 3/(3*3) -&gt; db.
   */
  @Test
  void ratioAndBpeChooseDifferentMerges() {
    Map<String, Long> counts = Map.of("ab", 6L, "ac", 3L, "db", 3L, "ef", 2L);
    List<String> alphabet = List.of("a", "b", "c", "d", "e", "f", "##b", "##c", "##f");
    assertEquals(concat(alphabet, List.of("ab", "ac", "db", "ef")),
        new WordPieceTrainer(100, 0, List.of(), 0, Algorithm.BPE).train(counts));
    assertEquals(concat(alphabet, List.of("ef", "ac", "ab", "db")),
        new WordPieceTrainer(100, 0, List.of(), 0, Algorithm.LIKELIHOOD_RATIO).train(counts));
    // min frequency 3: the ratio skips ef (count 2) but goes on; BPE stops at it
    assertEquals(concat(alphabet, List.of("ac", "ab", "db")),
        new WordPieceTrainer(100, 3, List.of(), 0, Algorithm.LIKELIHOOD_RATIO).train(counts));
    assertEquals(concat(alphabet, List.of("ab", "ac", "db")),
        new WordPieceTrainer(100, 3, List.of(), 0, Algorithm.BPE).train(counts));
    // vocabulary size bound, specials and unused slots first as for BPE
    assertEquals(concat(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[unused0]"), concat(alphabet, List.of("ef"))),
        new WordPieceTrainer(16, 0, SpecialTokens.bertDefaults(), 1, Algorithm.LIKELIHOOD_RATIO).train(counts));
  }

  /**
   * Symbol counts change under a pair: "xyz" x4, "xw" x1, "vy" x1. Ids v w x y z (0-4), ##w ##y ##z (5-7).
   * count x=5 v=1 ##y=5 ##z=4 ##w=1. Pairs: (x,##y) 4/25, (##y,##z) 4/20 = 1/5, (x,##w) 1/5, (v,##y) 1/5.
   * Ties at 1/5: (##y,##z) has count 4 -&gt; "##yz" first. Then count(##y) = 1: (x,##yz)=4/(5*4) = 1/5,
   * (v,##y) = 1/(1*1) = 1 -&gt; "vy"; then (x,##yz) and (x,##w) at 1/5, count 4 wins -&gt; "xyz"; then count(x) = 1:
   * (x,##w) = 1/(1*1) -&gt; "xw".
   */
  @Test
  void ratioFollowsChangingSymbolCounts() {
    Map<String, Long> counts = Map.of("xyz", 4L, "xw", 1L, "vy", 1L);
    assertEquals(List.of("v", "w", "x", "y", "z", "##w", "##y", "##z", "##yz", "vy", "xyz", "xw"),
        new WordPieceTrainer(100, 0, List.of(), 0, Algorithm.LIKELIHOOD_RATIO).train(counts));
  }

  /** Unigram log-likelihood {@code sum c ln c - N ln N} of a segmented corpus given its symbol counts. */
  private static double logLik(long... symbolCounts) {
    long n = 0;
    double l = 0;
    for (long c : symbolCounts) {
      n += c;
      if (c > 0) l += c * Math.log(c);
    }
    return l - n * Math.log(n);
  }

  /**
   * Likelihood gain = count x PMI, not count alone: "ab" x10, "cd" x20, "c" x200. Symbols a=10 ##b=10 c=220 ##d=20
   * (N=260). Merging ab gives {ab 10, c 220, ##d 20}, merging cd {a 10, ##b 10, c 200, cd 20}: the gain of ab is the
   * larger though cd is the more frequent pair (c is mostly a word of its own). BPE merges cd first.
   */
  @Test
  void likelihoodGainWeighsCountAndAssociation() {
    double before = logLik(10, 10, 220, 20);
    double gainAb = logLik(10, 220, 20) - before;
    double gainCd = logLik(10, 10, 200, 20) - before;
    assertTrue(gainAb > gainCd + 1, gainAb + " vs " + gainCd);
    assertEquals(gainAb, WordPieceTrainer.pairGain(10, 10, 10, 260), 1e-9);
    assertEquals(gainCd, WordPieceTrainer.pairGain(220, 20, 20, 260), 1e-9);
    Map<String, Long> counts = Map.of("ab", 10L, "cd", 20L, "c", 200L);
    List<String> alphabet = List.of("a", "b", "c", "d", "##b", "##d");
    assertEquals(concat(alphabet, List.of("ab", "cd")), new WordPieceTrainer(100, 0, List.of(), 0, Algorithm.LIKELIHOOD).train(counts));
    assertEquals(concat(alphabet, List.of("cd", "ab")), new WordPieceTrainer(100, 0, List.of(), 0, Algorithm.BPE).train(counts));
  }

  /**
   * Frequent words are merged before rare ones (what the ratio gets wrong): "the" x50, "xz" x1. Symbols t ##h ##e =
   * 50, x ##z = 1, N = 152. Gain of th (= of he, same counts; t has the smaller id) far above xz's; after th
   * (N = 102) the gain of the is still above xz's. The ratio 1/(1*1) of xz beats 50/(50*50) and goes first.
   */
  @Test
  void likelihoodMergesFrequentWordsFirst() {
    double gainTh = logLik(0, 50, 50, 1, 1) - logLik(50, 50, 50, 1, 1);
    double gainXz = logLik(50, 50, 50, 1) - logLik(50, 50, 50, 1, 1);
    assertTrue(gainTh > gainXz, gainTh + " vs " + gainXz);
    double gainThe = logLik(50, 1, 1) - logLik(50, 50, 1, 1);
    double gainXz2 = logLik(50, 50, 1) - logLik(50, 50, 1, 1);
    assertTrue(gainThe > gainXz2, gainThe + " vs " + gainXz2);
    Map<String, Long> counts = Map.of("the", 50L, "xz", 1L);
    List<String> alphabet = List.of("e", "h", "t", "x", "z", "##e", "##h", "##z");
    assertEquals(concat(alphabet, List.of("th", "the", "xz")),
        new WordPieceTrainer(100, 0, List.of(), 0, Algorithm.LIKELIHOOD).train(counts));
    assertEquals(concat(alphabet, List.of("xz", "th", "the")),
        new WordPieceTrainer(100, 0, List.of(), 0, Algorithm.LIKELIHOOD_RATIO).train(counts));
  }

  /**
   * Overlapping self-pairs use the count a merge really replaces: "aaaa" x5 = a ##a ##a ##a, a=5 ##a=15, N=20.
   * (a,##a) k=5 -&gt; {aa 5, ##a 10}; (##a,##a) occurs 10 times overlapping but a merge replaces 5 -&gt;
   * {a 5, ##aa 5, ##a 5}: gain of aa is the larger (with k = 10 the count of ##a would go negative). Then
   * aa ##a ##a: (aa,##a) -&gt; {aaa 5, ##a 5} and (##a,##a) -&gt; {aa 5, ##aa 5}: equal gains, equal counts, ##a has
   * the smaller id -&gt; ##aa; then aaaa. BPE takes (##a,##a) first on its count 10.
   */
  @Test
  void likelihoodCountsOverlappingSelfPairsOnce() {
    double before = logLik(5, 15);
    double gainAa = logLik(10, 5) - before;
    double gainSelf = logLik(5, 5, 5) - before;
    assertTrue(gainAa > gainSelf, gainAa + " vs " + gainSelf);
    assertEquals(gainSelf, WordPieceTrainer.selfGain(15, 5, 20), 1e-9);
    double before2 = logLik(5, 10);
    assertEquals(logLik(5, 5) - before2, WordPieceTrainer.pairGain(5, 10, 5, 15), 1e-9);
    // bit-identical, so the tie-break decides
    assertEquals(WordPieceTrainer.pairGain(5, 10, 5, 15), WordPieceTrainer.selfGain(10, 5, 15));
    Map<String, Long> counts = Map.of("aaaa", 5L);
    assertEquals(List.of("a", "##a", "aa", "##aa", "aaaa"),
        new WordPieceTrainer(100, 0, List.of(), 0, Algorithm.LIKELIHOOD).train(counts));
    assertEquals(List.of("a", "##a", "##aa", "aaa", "aaaa"),
        new WordPieceTrainer(100, 0, List.of(), 0, Algorithm.BPE).train(counts));
  }

  @Test
  void parsesAlgorithmNames() {
    assertEquals(Algorithm.BPE, Algorithm.parse("bpe"));
    assertEquals(Algorithm.LIKELIHOOD, Algorithm.parse(" Likelihood "));
    assertEquals("likelihood", Algorithm.LIKELIHOOD.configName());
    assertEquals(Algorithm.LIKELIHOOD_RATIO, Algorithm.parse("likelihood-ratio"));
    assertEquals(Algorithm.LIKELIHOOD_RATIO, Algorithm.parse("LIKELIHOOD_RATIO"));
    assertEquals("likelihood-ratio", Algorithm.LIKELIHOOD_RATIO.configName());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Algorithm.parse("unigram"));
    assertTrue(e.getMessage().contains("unigram"));
  }

  /** All algorithms against a from-scratch reference (all statistics recounted after every merge), random corpora. */
  @Test
  void matchesRecountingReferenceOnRandomCorpora() {
    Random rnd = new Random(20240601L);
    for (int round = 0; round < 300; round++) {
      Map<String, Long> counts = new TreeMap<>();
      int nWords = 1 + rnd.nextInt(12);
      String letters = round % 2 == 0 ? "abcd" : "abcdefg";
      for (int i = 0; i < nWords; i++) {
        StringBuilder w = new StringBuilder();
        int len = 1 + rnd.nextInt(7);
        for (int k = 0; k < len; k++) w.append(letters.charAt(rnd.nextInt(letters.length())));
        counts.merge(w.toString(), 1L + rnd.nextInt(rnd.nextBoolean() ? 3 : 40), Long::sum);
      }
      long minFreq = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(5) : 0;
      int size = 8 + rnd.nextInt(40);
      for (Algorithm alg : Algorithm.values()) {
        List<String> expected = referenceTrain(counts, size, minFreq, alg);
        List<String> actual = new WordPieceTrainer(size, minFreq, List.of(), 0, alg).train(counts);
        final int r = round;
        assertEquals(expected, actual, () -> alg + " round " + r + " size " + size + " minFreq " + minFreq + " " + counts);
      }
    }
  }

  /**
   * Straightforward reference: after every merge, recount all pairs and symbols from the current segmentations and
   * take the best pair by (score, count, smaller a id, smaller b id). Ratio scores compared exactly as fractions;
   * likelihood gains by applying each candidate merge to a copy of the corpus (merged symbol new), recounting every
   * symbol and taking L(after) - L(before), L = sum c ln c - N ln N, rounded as the trainer does ({@code resolve}).
   */
  private static List<String> referenceTrain(Map<String, Long> counts, int size, long minFreq, Algorithm alg) {
    java.util.TreeSet<String> plain = new java.util.TreeSet<>();
    java.util.TreeSet<String> inner = new java.util.TreeSet<>();
    for (String w : counts.keySet()) {
      for (int k = 0; k < w.length(); k++) {
        plain.add(w.substring(k, k + 1));
        if (k > 0) inner.add("##" + w.charAt(k));
      }
    }
    List<String> tokens = new ArrayList<>(plain);
    tokens.addAll(inner);
    List<List<Integer>> segs = new ArrayList<>();
    List<Long> wc = new ArrayList<>();
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      List<Integer> seg = new ArrayList<>();
      String w = e.getKey();
      for (int k = 0; k < w.length(); k++) seg.add(tokens.indexOf(k == 0 ? w.substring(0, 1) : "##" + w.charAt(k)));
      segs.add(seg);
      wc.add(e.getValue());
    }
    while (tokens.size() < size) {
      Map<List<Integer>, Long> pairs = new HashMap<>();
      Map<Integer, Long> sym = new HashMap<>();
      for (int i = 0; i < segs.size(); i++) {
        List<Integer> s = segs.get(i);
        for (int k = 0; k < s.size(); k++) {
          sym.merge(s.get(k), wc.get(i), Long::sum);
          if (k + 1 < s.size()) pairs.merge(List.of(s.get(k), s.get(k + 1)), wc.get(i), Long::sum);
        }
      }
      Map<List<Integer>, Double> gains = new HashMap<>();
      if (alg == Algorithm.LIKELIHOOD) {
        double before = logLik(sym.values().stream().mapToLong(Long::longValue).toArray());
        for (List<Integer> pr : pairs.keySet()) {
          Map<Integer, Long> after = new HashMap<>();
          for (int i = 0; i < segs.size(); i++) {
            List<Integer> s = new ArrayList<>(segs.get(i));
            for (int k = 0; k + 1 < s.size(); k++) {
              if (s.get(k).equals(pr.get(0)) && s.get(k + 1).equals(pr.get(1))) {
                s.set(k, -1);
                s.remove(k + 1);
              }
            }
            for (int x : s) after.merge(x, wc.get(i), Long::sum);
          }
          gains.put(pr, WordPieceTrainer.resolve(logLik(after.values().stream().mapToLong(Long::longValue).toArray()) - before));
        }
      }
      List<Integer> best = null;
      for (Map.Entry<List<Integer>, Long> e : pairs.entrySet()) {
        if (alg != Algorithm.BPE && e.getValue() < minFreq) continue;
        if (best == null || better(e.getKey(), best, pairs, sym, gains, alg)) best = e.getKey();
      }
      if (best == null || pairs.get(best) < minFreq) break;
      String right = tokens.get(best.get(1));
      String merged = tokens.get(best.get(0)) + (right.startsWith("##") ? right.substring(2) : right);
      int c = tokens.indexOf(merged);
      if (c < 0) {
        tokens.add(merged);
        c = tokens.size() - 1;
      }
      for (List<Integer> s : segs) {
        for (int k = 0; k + 1 < s.size(); k++) {
          if (s.get(k).equals(best.get(0)) && s.get(k + 1).equals(best.get(1))) {
            s.set(k, c);
            s.remove(k + 1);
          }
        }
      }
    }
    return tokens;
  }

  private static boolean better(List<Integer> x, List<Integer> y, Map<List<Integer>, Long> pairs, Map<Integer, Long> sym,
      Map<List<Integer>, Double> gains, Algorithm alg) {
    long cx = pairs.get(x);
    long cy = pairs.get(y);
    if (alg == Algorithm.LIKELIHOOD) {
      double gx = gains.get(x);
      double gy = gains.get(y);
      if (gx != gy) return gx > gy;
    }
    if (alg == Algorithm.LIKELIHOOD_RATIO) {
      // cx / (sx0 sx1) vs cy / (sy0 sy1), cross-multiplied (small numbers, no overflow)
      long lhs = cx * sym.get(y.get(0)) * sym.get(y.get(1));
      long rhs = cy * sym.get(x.get(0)) * sym.get(x.get(1));
      if (lhs != rhs) return lhs > rhs;
    }
    if (cx != cy) return cx > cy;
    if (!x.get(0).equals(y.get(0))) return x.get(0) < y.get(0);
    return x.get(1) < y.get(1);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
