package dev.pretrain.corpus.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
}
