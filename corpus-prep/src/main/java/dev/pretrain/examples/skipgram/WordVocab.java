package dev.pretrain.examples.skipgram;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Word vocabulary for skip-gram training: words with count {@code >= minCount}, ids assigned by
 * count descending, ties by word ascending ({@link String#compareTo}), so the same counts always give
 * the same ids. As in word2vec.c, {@link #totalCount()} is the sum of the counts of the retained
 * words (the {@code train_words} used by subsampling). Unlike word2vec.c there is no {@code </s>}
 * entry. Immutable, thread-safe, serializable.
 */
public final class WordVocab implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<String> words;
  private final long[] counts;
  private final Map<String, Integer> ids;
  private final long total;

  private WordVocab(List<String> words, long[] counts) {
    this.words = Collections.unmodifiableList(words);
    this.counts = counts;
    this.ids = new HashMap<>(words.size() * 2);
    long t = 0;
    for (int i = 0; i < words.size(); i++) {
      ids.put(words.get(i), i);
      t += counts[i];
    }
    this.total = t;
  }

  /**
   * @param counts   word frequencies (e.g. from a Spark word count); null keys are not allowed
   * @param minCount words with a smaller count are dropped (word2vec {@code -min-count}, default 5)
   * @throws IllegalArgumentException on a null word or a negative count
   */
  public static WordVocab build(Map<String, Long> counts, long minCount) {
    List<Map.Entry<String, Long>> kept = new ArrayList<>();
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (e.getKey() == null || e.getValue() == null || e.getValue() < 0) {
        throw new IllegalArgumentException("bad vocab entry " + e.getKey() + " -> " + e.getValue());
      }
      if (e.getValue() >= minCount && e.getValue() > 0) {
        kept.add(e);
      }
    }
    kept.sort((a, b) -> {
      int c = Long.compare(b.getValue(), a.getValue());
      return c != 0 ? c : a.getKey().compareTo(b.getKey());
    });
    List<String> w = new ArrayList<>(kept.size());
    long[] c = new long[kept.size()];
    for (int i = 0; i < kept.size(); i++) {
      w.add(kept.get(i).getKey());
      c[i] = kept.get(i).getValue();
    }
    return new WordVocab(w, c);
  }

  public int size() {
    return words.size();
  }

  public String word(int id) {
    return words.get(id);
  }

  public long count(int id) {
    return counts[id];
  }

  /** @return the id of {@code word}, or -1 if it is not in the vocabulary */
  public int id(String word) {
    Integer i = ids.get(word);
    return i == null ? -1 : i;
  }

  /** Sum of all retained counts. */
  public long totalCount() {
    return total;
  }

  /** A copy of the counts indexed by id. */
  public long[] counts() {
    return counts.clone();
  }

  /** Unmodifiable list of words indexed by id. */
  public List<String> words() {
    return words;
  }

  /** Ids of the in-vocabulary words, in order; out-of-vocabulary words are dropped (as word2vec.c does). */
  public int[] encode(List<String> sentence) {
    int[] out = new int[sentence.size()];
    int n = 0;
    for (String w : sentence) {
      int id = id(w);
      if (id >= 0) {
        out[n++] = id;
      }
    }
    return n == out.length ? out : java.util.Arrays.copyOf(out, n);
  }
}
