package dev.pretrain.model.bert;

import java.io.Serializable;

/**
 * One BERT pretraining instance, with the features of Google BERT's {@code run_pretraining.py}
 * ({@code create_pretraining_data.py} output).
 *
 * @param inputIds          input_ids, {@code [maxSeqLength]} int: {@code [CLS] A [SEP] B [SEP]} WordPiece ids, zero-padded
 * @param inputMask         input_mask, {@code [maxSeqLength]} int: 1 for real tokens, 0 for padding
 * @param segmentIds        segment_ids, {@code [maxSeqLength]} int: 0 for {@code [CLS] A [SEP]}, 1 for {@code B [SEP]}, 0 for padding
 * @param maskedLmPositions masked_lm_positions, {@code [maxPredictionsPerSeq]} int: positions in {@code inputIds} to predict, 0-padded
 * @param maskedLmIds       masked_lm_ids, {@code [maxPredictionsPerSeq]} int: the original token ids at those positions, 0-padded
 * @param maskedLmWeights   masked_lm_weights, {@code [maxPredictionsPerSeq]} float: 1 for a real prediction, 0 for padding
 * @param nextSentenceLabel next_sentence_labels: 0 = B is the actual next sentence, 1 = B is a random sentence
 */
public record BertExample(int[] inputIds, int[] inputMask, int[] segmentIds, int[] maskedLmPositions, int[] maskedLmIds,
                          float[] maskedLmWeights, int nextSentenceLabel) implements Serializable {
}
