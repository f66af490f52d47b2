package dev.pretrain.corpus.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WordCounterTest {
  static final Path DATA = Path.of(System.getProperty("shared.dir", "../shared"), "data");

  @Test
  void countsTheBasicTokenizersWords() throws IOException {
    List<String> lines = Files.readAllLines(DATA.resolve("corpora/moby-dick.txt"), StandardCharsets.UTF_8);
    lines.add("caf\u00e9 CAF\u00c9 \u4e2d\u6587 a\u0000b \ufffd x\r\ny");
    for (boolean lower : new boolean[] {true, false}) {
      BasicTokenizer basic = new BasicTokenizer(lower);
      Map<String, Long> expected = new HashMap<>();
      long total = 0;
      WordCounter first = new WordCounter(lower);
      WordCounter second = new WordCounter(lower);
      for (int i = 0; i < lines.size(); i++) {
        for (String w : basic.tokenize(lines.get(i))) {
          expected.merge(w, 1L, Long::sum);
          total++;
        }
        (i % 3 == 0 ? first : second).add(lines.get(i));
      }
      first.addAll(second);
      assertEquals(expected, first.toMap(1));
      assertEquals(expected.size(), first.distinct());
      assertEquals(total, first.total());
      Map<String, Long> frequent = new HashMap<>(expected);
      frequent.values().removeIf(c -> c < 3);
      assertEquals(frequent, first.toMap(3));
    }
  }
}
