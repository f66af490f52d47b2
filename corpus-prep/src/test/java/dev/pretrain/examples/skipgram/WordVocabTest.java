package dev.pretrain.examples.skipgram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class WordVocabTest {

  @Test
  void smallVocabOrderAndLookups() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("b", 3L);
    counts.put("a", 3L);
    counts.put("z", 10L);
    counts.put("rare", 1L);
    WordVocab v = WordVocab.build(counts, 2);
    assertEquals(List.of("z", "a", "b"), v.words());
    assertArrayEquals(new long[] {10, 3, 3}, v.counts());
    assertEquals(16, v.totalCount());
    assertEquals(-1, v.id("rare"));
    assertEquals(1, v.id("a"));
    assertArrayEquals(new int[] {2, 0, 1}, v.encode(List.of("b", "rare", "z", "oov", "a")));
    assertThrows(IllegalArgumentException.class, () -> WordVocab.build(Map.of("x", -1L), 0));
  }

  @Test
  void mobyDickVocabIsSortedAndDeterministic() {
    WordVocab v = WordVocab.build(MobyWords.COUNTS, 5);
    WordVocab again = WordVocab.build(new TreeMap<>(MobyWords.COUNTS), 5);
    assertEquals(v.words(), again.words());
    assertEquals("the", v.word(0));
    long expectedTotal = MobyWords.COUNTS.values().stream().filter(c -> c >= 5).mapToLong(Long::longValue).sum();
    assertEquals(expectedTotal, v.totalCount());
    assertEquals(MobyWords.COUNTS.values().stream().filter(c -> c >= 5).count(), v.size());
    for (int i = 1; i < v.size(); i++) {
      long a = v.count(i - 1);
      long b = v.count(i);
      assertTrue(a > b || (a == b && v.word(i - 1).compareTo(v.word(i)) < 0), "order at " + i);
      assertEquals(i, v.id(v.word(i)));
      assertEquals(MobyWords.COUNTS.get(v.word(i)), v.count(i));
    }
    assertTrue(v.size() > 3000, "vocab size " + v.size());
  }
}
