package dev.pretrain.examples.mlm;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Google BERT's {@code create_masked_lm_predictions} on token ids, shared by the static masks of
 * {@link PretrainingDataGenerator} and by {@link DynamicMasker}: candidates are all positions except [CLS]/[SEP]
 * (grouped into whole words when {@code isContinuation} is given), shuffled;
 * {@code num_to_predict = min(max_predictions_per_seq, max(1, round(len(tokens) * masked_lm_prob)))} (round half
 * to even, over the length with [CLS]/[SEP]); each chosen position becomes [MASK] (80%), stays (10%) or becomes a
 * uniform random id in {@code [0, vocabSize)} (10%); positions are returned sorted.
 */
final class MaskedLmPredictions {
  private MaskedLmPredictions() {
  }

  /**
   * @param tokens         the real tokens ({@code [CLS] ... [SEP]}, no padding), not modified
   * @param output         a copy of {@code tokens} that receives the replacements
   * @param isContinuation per vocabulary id, true for {@code ##} pieces; null without whole-word masking
   * @return the masked positions, ascending
   */
  static int[] create(int[] tokens, int[] output, int maxPredictions, double maskedLmProb, SpecialIds ids,
                      boolean[] isContinuation, SplittableRandom rnd, GenerationStats stats) {
    // candidate groups: [start, end) ranges of positions
    int[] groupStart = new int[tokens.length];
    int[] groupEnd = new int[tokens.length];
    int groups = 0;
    int candidates = 0;
    for (int i = 0; i < tokens.length; i++) {
      int t = tokens[i];
      if (t == ids.cls() || t == ids.sep()) {
        continue;
      }
      candidates++;
      boolean joins = isContinuation != null && groups > 0 && isContinuation[t] && groupEnd[groups - 1] == i;
      if (joins) {
        groupEnd[groups - 1] = i + 1;
      } else {
        groupStart[groups] = i;
        groupEnd[groups] = i + 1;
        groups++;
      }
    }
    stats.candidates += candidates;
    int[] perm = new int[groups];
    for (int g = 0; g < groups; g++) {
      perm[g] = g;
    }
    for (int g = groups - 1; g > 0; g--) {
      int j = rnd.nextInt(g + 1);
      int tmp = perm[g];
      perm[g] = perm[j];
      perm[j] = tmp;
    }
    int numToPredict = Math.min(maxPredictions, Math.max(1, (int) Math.rint(tokens.length * maskedLmProb)));
    int[] positions = new int[numToPredict];
    int count = 0;
    for (int k = 0; k < groups; k++) {
      if (count >= numToPredict) {
        break;
      }
      int g = perm[k];
      int size = groupEnd[g] - groupStart[g];
      if (count + size > numToPredict) {
        continue;
      }
      for (int idx = groupStart[g]; idx < groupEnd[g]; idx++) {
        int masked;
        if (rnd.nextDouble() < 0.8) {
          masked = ids.mask();
          stats.maskedAsMask++;
        } else if (rnd.nextDouble() < 0.5) {
          masked = tokens[idx];
          stats.maskedKept++;
        } else {
          masked = rnd.nextInt(ids.vocabSize());
          stats.maskedRandom++;
        }
        output[idx] = masked;
        positions[count++] = idx;
      }
    }
    stats.masked += count;
    int[] sorted = Arrays.copyOf(positions, count);
    Arrays.sort(sorted);
    return sorted;
  }
}
