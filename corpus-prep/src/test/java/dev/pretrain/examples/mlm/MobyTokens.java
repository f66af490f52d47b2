package dev.pretrain.examples.mlm;

import dev.pretrain.corpus.ingest.Document;
import dev.pretrain.examples.TestCorpora;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Moby-Dick chapters as "token id" documents for the MLM/NSP tests: a test-only vocabulary
 * ([PAD]=0, [CLS]=1, [SEP]=2, [MASK]=3, then words and punctuation in sorted order). With
 * {@code pieces}, words longer than 6 characters are split WordPiece-style into a 4-character head
 * and a {@code ##}-prefixed tail, so whole-word masking has multi-piece words to group.
 */
final class MobyTokens {
  final List<String> vocab = new ArrayList<>(List.of("[PAD]", "[CLS]", "[SEP]", "[MASK]"));
  final List<String> docIds = new ArrayList<>();
  final List<int[][]> documents = new ArrayList<>();
  final SpecialIds ids;

  MobyTokens(boolean pieces) {
    List<Document> chapters = TestCorpora.mobyDickChapters();
    TreeSet<String> words = new TreeSet<>();
    List<List<List<String>>> tokenized = new ArrayList<>();
    for (Document d : chapters) {
      List<List<String>> doc = new ArrayList<>();
      for (String s : d.sentences()) {
        List<String> toks = new ArrayList<>();
        for (String w : TestCorpora.words(s)) {
          if (pieces && w.length() > 6) {
            toks.add(w.substring(0, 4));
            toks.add("##" + w.substring(4));
          } else {
            toks.add(w);
          }
        }
        words.addAll(toks);
        doc.add(toks);
      }
      tokenized.add(doc);
    }
    vocab.addAll(words);
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < vocab.size(); i++) {
      index.put(vocab.get(i), i);
    }
    for (int k = 0; k < chapters.size(); k++) {
      List<List<String>> doc = tokenized.get(k);
      int[][] sentences = new int[doc.size()][];
      for (int s = 0; s < doc.size(); s++) {
        sentences[s] = doc.get(s).stream().mapToInt(index::get).toArray();
      }
      docIds.add(chapters.get(k).docId());
      documents.add(sentences);
    }
    ids = SpecialIds.fromVocab(vocab);
  }

  /** All tokens of a document, concatenated. */
  int[] flat(int doc) {
    return java.util.Arrays.stream(documents.get(doc)).flatMapToInt(java.util.Arrays::stream).toArray();
  }
}
