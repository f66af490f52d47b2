package dev.pretrain.examples.skipgram;

import dev.pretrain.corpus.ingest.Document;
import dev.pretrain.examples.TestCorpora;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Moby-Dick as sentences of lower-cased words (punctuation dropped), for the skip-gram tests. */
final class MobyWords {
  static final List<List<String>> SENTENCES;
  static final Map<String, Long> COUNTS = new HashMap<>();

  static {
    List<List<String>> s = new ArrayList<>();
    for (Document d : TestCorpora.mobyDickChapters()) {
      for (String sentence : d.sentences()) {
        List<String> words = new ArrayList<>();
        for (String w : TestCorpora.words(sentence)) {
          if (Character.isLetterOrDigit(w.codePointAt(0))) {
            words.add(w);
            COUNTS.merge(w, 1L, Long::sum);
          }
        }
        if (!words.isEmpty()) {
          s.add(words);
        }
      }
    }
    SENTENCES = List.copyOf(s);
  }

  private MobyWords() {
  }
}
