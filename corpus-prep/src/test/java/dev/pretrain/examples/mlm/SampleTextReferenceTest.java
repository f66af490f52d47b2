package dev.pretrain.examples.mlm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pretrain.corpus.tokenize.BertTokenizer;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.examples.TestCorpora;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The structure test against Google BERT's reference run: {@code sample_text.txt} (blank-line separated documents,
 * one sentence per line, read as {@code create_pretraining_data.py} reads it: lines stripped, a blank line starts a
 * new document, lines without tokens skipped) with {@code bert-base-uncased} vocab, the README's example flags
 * {@code max_seq_length=128 max_predictions_per_seq=20 masked_lm_prob=0.15 dupe_factor=10}
 * ({@code short_seq_prob} default 0.1).
 *
 * <p>The instance count is compared with its exact expectation under Google's algorithm, computed here by a
 * recursion over the chunking (not from our output): from a chunk start, sentences accumulate up to the target
 * length; a one-sentence chunk gives one instance and moves on; a longer chunk gives one instance and, with
 * probability 1/2 (random next), puts back all sentences after {@code a_end ~ U[1, size-1]}, else moves past the
 * chunk. The target is {@code max_seq_length - 3}, or with probability {@code short_seq_prob} uniform in
 * {@code [2, max_seq_length - 3]}. Each (document, duplicate) pass is independent, so the count is checked within
 * 4.5 standard deviations of the summed variance.
 */
class SampleTextReferenceTest {
  static final int MAX_SEQ = 128;
  static final int MAX_PRED = 20;
  static final int DUPE = 10;
  static Vocab vocab;
  static SpecialIds ids;
  static final List<String> docIds = new ArrayList<>();
  static final List<int[][]> documents = new ArrayList<>();
  static List<PretrainingInstance> instances;
  static final GenerationStats stats = new GenerationStats();

  @BeforeAll
  static void generate() throws IOException {
    vocab = Vocab.read(TestCorpora.shared("bert/bert-base-uncased-vocab.txt"));
    ids = SpecialIds.fromVocab(vocab.tokens());
    BertTokenizer tok = new BertTokenizer(vocab, true);
    List<List<int[]>> docs = new ArrayList<>();
    docs.add(new ArrayList<>());
    for (String line : Files.readAllLines(TestCorpora.shared("bert/sample_text.txt"), StandardCharsets.UTF_8)) {
      String s = line.strip();
      if (s.isEmpty()) {
        docs.add(new ArrayList<>());
        continue;
      }
      int[] t = tok.encode(s);
      if (t.length > 0) {
        docs.get(docs.size() - 1).add(t);
      }
    }
    for (List<int[]> d : docs) {
      if (!d.isEmpty()) {
        docIds.add("sample-" + docIds.size());
        documents.add(d.toArray(new int[0][]));
      }
    }
    MaskedLmConfig cfg = MaskedLmConfig.defaults().withDupeFactor(DUPE);
    instances = new PretrainingDataGenerator(cfg, ids).generate(docIds, documents, stats);
  }

  @Test
  void documentsAreReadLikeGooglesScript() {
    assertEquals(3, documents.size(), "sample_text.txt has three blank-line separated documents");
    assertEquals(31, Arrays.stream(documents.toArray(new int[0][][])).mapToInt(d -> d.length).sum(),
        "one sentence per non-blank line");
  }

  @Test
  void everyInstanceHasGooglesLayoutAndMasks() {
    assertEquals(stats.instances, instances.size());
    int[][] flat = new int[documents.size()][];
    for (int d = 0; d < flat.length; d++) {
      flat[d] = Arrays.stream(documents.get(d)).flatMapToInt(Arrays::stream).toArray();
    }
    long masked = 0;
    for (PretrainingInstance x : instances) {
      int sep1 = InstanceChecks.assertPairLayout(x, ids, MAX_SEQ, MAX_PRED, 0.15);
      assertTrue(x.length() <= MAX_SEQ);
      // the tokens rebuilt from masked_lm_ids are the source text: A is a span of its document, B of a document
      int[] tok = InstanceChecks.original(x);
      int[] a = Arrays.copyOfRange(tok, 1, sep1);
      int[] b = Arrays.copyOfRange(tok, sep1 + 1, tok.length - 1);
      int d = docIds.indexOf(x.docId());
      int aAt = InstanceChecks.indexOf(flat[d], a, 0);
      assertTrue(aAt >= 0, "A (with masked_lm_ids put back) is a span of its document: " + x);
      if (x.nextSentenceLabel() == 0) {
        assertTrue(InstanceChecks.indexOf(flat[d], b, aAt + a.length) >= 0, "actual next B follows A");
      } else {
        boolean somewhere = false;
        for (int[] f : flat) {
          somewhere |= InstanceChecks.indexOf(f, b, 0) >= 0;
        }
        assertTrue(somewhere, "random B is a span of a document");
      }
      masked += x.numPredictions();
    }
    assertTrue(masked > 0);
  }

  @Test
  void instanceCountMatchesTheAlgorithmsExpectation() {
    int maxNum = MAX_SEQ - 3;
    double mean = 0;
    double var = 0;
    for (int[][] doc : documents) {
      int[] lens = Arrays.stream(doc).mapToInt(s -> s.length).toArray();
      double[] full = moments(lens, maxNum);
      double e1 = 0.9 * full[0];
      double e2 = 0.9 * full[1];
      for (int t = 2; t <= maxNum; t++) {
        double[] m = moments(lens, t);
        e1 += 0.1 / (maxNum - 1) * m[0];
        e2 += 0.1 / (maxNum - 1) * m[1];
      }
      mean += DUPE * e1;
      var += DUPE * (e2 - e1 * e1);
    }
    double sd = Math.sqrt(var);
    System.out.printf("sample_text.txt: %d instances, expected %.1f +- %.1f (sd) from the algorithm%n",
        instances.size(), mean, sd);
    assertTrue(Math.abs(instances.size() - mean) <= 4.5 * sd + 1,
        instances.size() + " instances, expected " + mean + " +- " + 4.5 * sd);
  }

  /** E[count] and E[count^2] of one document pass with target length {@code target}. */
  static double[] moments(int[] lens, int target) {
    int m = lens.length;
    double[] e1 = new double[m + 1];
    double[] e2 = new double[m + 1];
    for (int i = m - 1; i >= 0; i--) {
      int j = i;
      int sum = lens[i];
      while (j < m - 1 && sum < target) {
        j++;
        sum += lens[j];
      }
      int size = j - i + 1;
      // count from i = 1 + count from the next start; E[(1+C)^2] = 1 + 2E[C] + E[C^2]
      double n1;
      double n2;
      if (size == 1) {
        n1 = e1[j + 1];
        n2 = e2[j + 1];
      } else {
        double r1 = 0;
        double r2 = 0;
        for (int aEnd = 1; aEnd <= size - 1; aEnd++) {
          r1 += e1[i + aEnd] / (size - 1);
          r2 += e2[i + aEnd] / (size - 1);
        }
        n1 = 0.5 * r1 + 0.5 * e1[j + 1];
        n2 = 0.5 * r2 + 0.5 * e2[j + 1];
      }
      e1[i] = 1 + n1;
      e2[i] = 1 + 2 * n1 + n2;
    }
    return new double[] {e1[0], e2[0]};
  }
}
