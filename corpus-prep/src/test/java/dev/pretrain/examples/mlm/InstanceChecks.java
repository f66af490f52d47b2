package dev.pretrain.examples.mlm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

/** Assertions on the layout of instances, shared by the MLM tests. */
final class InstanceChecks {
  private InstanceChecks() {
  }

  /** Original (unmasked) tokens of an instance, without padding. */
  static int[] original(PretrainingInstance x) {
    int[] t = Arrays.copyOf(x.inputIds(), x.length());
    for (int k = 0; k < x.numPredictions(); k++) {
      t[x.maskedLmPositions()[k]] = x.maskedLmIds()[k];
    }
    return t;
  }

  /** First position {@code >= from} where {@code needle} occurs in {@code hay}, or -1. */
  static int indexOf(int[] hay, int[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Google's layout of a sentence-pair instance with static masks: {@code [CLS] A [SEP] B [SEP]}, A and B non-empty,
   * length {@code <= maxSeq}, input_mask/padding, segment ids 0 for [CLS]+A+first [SEP] and 1 for B+last [SEP],
   * {@code min(maxPred, max(1, round(len * prob)))} masked positions, sorted, unique, never at [CLS]/[SEP], their
   * masked_lm_ids the original tokens, zero padding of the prediction arrays, [MASK] only at masked positions.
   *
   * @return the position of the first [SEP]
   */
  static int assertPairLayout(PretrainingInstance x, SpecialIds ids, int maxSeq, int maxPred, double maskedLmProb) {
    int n = x.length();
    assertEquals(maxSeq, x.inputIds().length);
    assertEquals(maxSeq, x.inputMask().length);
    assertEquals(maxSeq, x.segmentIds().length);
    assertEquals(maxPred, x.maskedLmPositions().length);
    assertEquals(maxPred, x.maskedLmIds().length);
    assertEquals(maxPred, x.maskedLmWeights().length);
    assertTrue(n >= 5 && n <= maxSeq, "length " + n);
    int[] tok = original(x);
    assertEquals(ids.cls(), tok[0]);
    assertEquals(ids.sep(), tok[n - 1]);
    int sep1 = -1;
    for (int i = 1; i < n - 1; i++) {
      if (tok[i] == ids.sep()) {
        assertEquals(-1, sep1, "exactly one inner [SEP]");
        sep1 = i;
      }
      assertNotEquals(ids.cls(), tok[i]);
    }
    assertTrue(sep1 >= 2 && sep1 <= n - 3, "A and B non-empty");
    for (int i = 0; i < maxSeq; i++) {
      assertEquals(i < n ? 1 : 0, x.inputMask()[i]);
      assertEquals(i > sep1 && i < n ? 1 : 0, x.segmentIds()[i], "segment id at " + i);
      if (i >= n) {
        assertEquals(ids.pad(), x.inputIds()[i]);
      }
    }
    assertPredictions(x, ids, maxPred, maskedLmProb);
    return sep1;
  }

  /** The masked-LM arrays of a statically masked instance (any task). */
  static void assertPredictions(PretrainingInstance x, SpecialIds ids, int maxPred, double maskedLmProb) {
    int n = x.length();
    int[] tok = original(x);
    int expectedPred = Math.min(maxPred, Math.max(1, (int) Math.rint(n * maskedLmProb)));
    assertEquals(expectedPred, x.numPredictions(), "predictions of an instance of length " + n);
    for (int k = 0; k < maxPred; k++) {
      int pos = x.maskedLmPositions()[k];
      if (k < expectedPred) {
        assertEquals(1.0f, x.maskedLmWeights()[k]);
        assertTrue(pos > 0 && pos < n - 1 && tok[pos] != ids.sep() && tok[pos] != ids.cls(), "never [CLS]/[SEP]");
        if (k > 0) {
          assertTrue(pos > x.maskedLmPositions()[k - 1], "sorted, distinct");
        }
        int shown = x.inputIds()[pos];
        int orig = x.maskedLmIds()[k];
        assertTrue(shown == ids.mask() || shown == orig || (shown >= 0 && shown < ids.vocabSize()));
      } else {
        assertEquals(0, pos);
        assertEquals(0, x.maskedLmIds()[k]);
        assertEquals(0.0f, x.maskedLmWeights()[k]);
      }
    }
    // unmasked positions are untouched original tokens: only masked positions may be [MASK]
    for (int i = 0; i < n; i++) {
      if (x.inputIds()[i] == ids.mask()) {
        assertTrue(Arrays.binarySearch(x.maskedLmPositions(), 0, expectedPred, i) >= 0);
      }
    }
  }
}
