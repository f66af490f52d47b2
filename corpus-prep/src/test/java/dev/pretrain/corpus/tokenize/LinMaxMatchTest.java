package dev.pretrain.corpus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pretrain.corpus.tokenize.WordPieceTokenizer.Algorithm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** LinMaxMatch (Song et al., EMNLP 2021) against greedy longest-match-first. */
class LinMaxMatchTest {
  static int[] ids(WordPieceTokenizer wp, String word) {
    IntBuffer out = new IntBuffer();
    char[] c = word.toCharArray();
    wp.encodeWord(c, 0, c.length, out);
    return out.toArray();
  }

  @Test
  void paperRunningExample() {
    // Song et al. 2021, Figure 1: V = {a, abcdx, ##b, ##c, ##cdy, ##dz}; "abcdz" -> a ##b ##c ##dz
    Vocab v = Vocab.of(List.of("[UNK]", "a", "abcdx", "##b", "##c", "##cdy", "##dz"));
    WordPieceTokenizer lin = new WordPieceTokenizer(v, 100, Algorithm.LINEAR);
    assertEquals(List.of("a", "##b", "##c", "##dz"), lin.tokenize("abcdz"));
    assertEquals(List.of("abcdx"), lin.tokenize("abcdx"));
    assertEquals(List.of("a", "##b", "##cdy"), lin.tokenize("abcdy"));
    assertEquals(List.of("[UNK]"), lin.tokenize("abcd")); // "##d" is not a token
    assertEquals(List.of("[UNK]"), lin.tokenize("b")); // no word-initial "b"
  }

  /** Random vocabularies over a 3-letter alphabet plus '#', random words: identical ids to greedy. */
  @Test
  void identicalToGreedyOnRandomVocabularies() {
    Random rnd = new Random(7);
    char[] alphabet = {'a', 'b', 'c', '#'};
    int words = 0;
    for (int round = 0; round < 300; round++) {
      Set<String> toks = new LinkedHashSet<>();
      toks.add("[UNK]");
      int n = 1 + rnd.nextInt(40);
      while (toks.size() < n) {
        StringBuilder sb = new StringBuilder(rnd.nextBoolean() ? "##" : "");
        int len = 1 + rnd.nextInt(5);
        for (int k = 0; k < len; k++) sb.append(alphabet[rnd.nextInt(rnd.nextInt(8) == 0 ? 4 : 3)]);
        toks.add(sb.toString());
      }
      if (rnd.nextInt(4) == 0) toks.add("##");
      Vocab v = Vocab.of(new ArrayList<>(toks));
      int max = 3 + rnd.nextInt(20);
      WordPieceTokenizer greedy = new WordPieceTokenizer(v, max, Algorithm.GREEDY);
      WordPieceTokenizer lin = new WordPieceTokenizer(v, max, Algorithm.LINEAR);
      for (int w = 0; w < 200; w++) {
        StringBuilder sb = new StringBuilder();
        int len = 1 + rnd.nextInt(24);
        for (int k = 0; k < len; k++) sb.append(alphabet[rnd.nextInt(rnd.nextInt(8) == 0 ? 4 : 3)]);
        String word = sb.toString();
        assertArrayEquals(ids(greedy, word), ids(lin, word), "vocab " + toks + ", word " + word);
        words++;
      }
    }
    assertEquals(60_000, words);
  }

  @Test
  void identicalToGreedyOnBertVocabularyAndSurvivesSerialization() throws Exception {
    Vocab v = Vocab.read(BertTokenizerTest.BERT.resolve("bert-base-cased-vocab.txt"));
    BertTokenizer greedy = new BertTokenizer(v, false, false, 100, Algorithm.GREEDY);
    BertTokenizer lin = roundTrip(new BertTokenizer(v, false, false, 100, Algorithm.LINEAR));
    assertEquals(Algorithm.LINEAR, lin.wordPieceTokenizer().algorithm());
    for (String s : ParityTest.input("moby-dick-3000")) assertArrayEquals(greedy.encode(s), lin.encode(s), s);
    // words made of vocabulary pieces glued together, and near misses
    Random rnd = new Random(11);
    List<String> toks = v.tokens();
    for (int i = 0; i < 20_000; i++) {
      StringBuilder sb = new StringBuilder();
      int parts = 1 + rnd.nextInt(4);
      for (int k = 0; k < parts; k++) {
        String t = toks.get(rnd.nextInt(toks.size()));
        if (t.startsWith("[")) continue;
        sb.append(t.startsWith("##") ? t.substring(2) : t);
        if (rnd.nextInt(10) == 0 && sb.length() > 1) sb.setLength(sb.length() - 1);
      }
      if (sb.length() == 0) continue;
      String w = sb.toString();
      assertArrayEquals(ids(greedy.wordPieceTokenizer(), w), ids(lin.wordPieceTokenizer(), w), w);
    }
  }

  static BertTokenizer roundTrip(BertTokenizer t) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(t);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (BertTokenizer) in.readObject();
    }
  }
}
