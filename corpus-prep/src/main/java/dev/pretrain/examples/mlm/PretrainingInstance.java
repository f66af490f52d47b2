package dev.pretrain.examples.mlm;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One BERT pre-training example, padded like Google's {@code write_instance_to_example_files}.
 *
 * @param inputIds          {@code input_ids} {@code [maxSeqLength]} int32: [CLS] A [SEP] B [SEP] after masking, then [PAD]
 * @param inputMask         {@code input_mask} {@code [maxSeqLength]} int32: 1 for real tokens, 0 for padding
 * @param segmentIds        {@code segment_ids} {@code [maxSeqLength]} int32: 0 for [CLS] A [SEP], 1 for B [SEP], 0 padding
 * @param maskedLmPositions {@code masked_lm_positions} {@code [maxPredictionsPerSeq]} int32, ascending, padded with 0
 * @param maskedLmIds       {@code masked_lm_ids} {@code [maxPredictionsPerSeq]} int32: original ids, padded with 0
 * @param maskedLmWeights   {@code masked_lm_weights} {@code [maxPredictionsPerSeq]} float32: 1.0 real, 0.0 padding
 * @param nextSentenceLabel {@code next_sentence_labels}: NSP: 1 if B is a random segment ({@code is_random_next}),
 *                          0 if B really follows A; SOP: 1 if A and B are swapped, 0 in document order;
 *                          FULL_SENTENCES: always 0 (no sentence-level label)
 * @param docId             id of the document A (FULL_SENTENCES: the first token) came from
 * @param instanceId        {@code docId/dupe/k}: unique in a run (k counts the instances started in that document in
 *                          that duplicate pass; a repeated docId in a shard gets {@code docId#n}); seeds
 *                          {@link DynamicMasker}
 */
public record PretrainingInstance(int[] inputIds, int[] inputMask, int[] segmentIds, int[] maskedLmPositions,
                                  int[] maskedLmIds, float[] maskedLmWeights, int nextSentenceLabel, String docId,
                                  String instanceId)
    implements Serializable {

  /** {@code docId/dupe/k}, the id format of {@link #instanceId()}. */
  public static String instanceId(String docId, int dupe, int k) {
    return docId + "/" + dupe + "/" + k;
  }

  /** Number of real tokens (sum of the input mask). */
  public int length() {
    int n = 0;
    for (int m : inputMask) {
      n += m;
    }
    return n;
  }

  /** Number of real masked positions (weights 1.0). */
  public int numPredictions() {
    int n = 0;
    for (float w : maskedLmWeights) {
      if (w != 0f) {
        n++;
      }
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PretrainingInstance p && Arrays.equals(inputIds, p.inputIds)
        && Arrays.equals(inputMask, p.inputMask) && Arrays.equals(segmentIds, p.segmentIds)
        && Arrays.equals(maskedLmPositions, p.maskedLmPositions) && Arrays.equals(maskedLmIds, p.maskedLmIds)
        && Arrays.equals(maskedLmWeights, p.maskedLmWeights) && nextSentenceLabel == p.nextSentenceLabel
        && java.util.Objects.equals(docId, p.docId) && java.util.Objects.equals(instanceId, p.instanceId);
  }

  @Override
  public int hashCode() {
    int h = Arrays.hashCode(inputIds);
    h = 31 * h + Arrays.hashCode(segmentIds);
    h = 31 * h + Arrays.hashCode(maskedLmPositions);
    h = 31 * h + Arrays.hashCode(maskedLmIds);
    h = 31 * h + nextSentenceLabel;
    return 31 * h + java.util.Objects.hashCode(docId);
  }

  @Override
  public String toString() {
    return "PretrainingInstance[instanceId=" + instanceId + ", next=" + nextSentenceLabel + ", inputIds="
        + Arrays.toString(Arrays.copyOf(inputIds, length())) + ", segmentIds="
        + Arrays.toString(Arrays.copyOf(segmentIds, length())) + ", maskedLmPositions="
        + Arrays.toString(maskedLmPositions) + ", maskedLmIds=" + Arrays.toString(maskedLmIds) + "]";
  }
}
