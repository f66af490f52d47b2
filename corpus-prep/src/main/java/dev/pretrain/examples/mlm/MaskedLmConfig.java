package dev.pretrain.examples.mlm;

import java.io.Serializable;
import java.util.Objects;

/**
 * Settings of {@link PretrainingDataGenerator}, named after the flags of Google BERT's
 * {@code create_pretraining_data.py}, plus the objective variants ({@code task}, {@code masking}).
 *
 * @param maxSeqLength          {@code max_seq_length}: tokens per instance incl. [CLS] and two [SEP] ({@code >= 5})
 * @param maxPredictionsPerSeq  {@code max_predictions_per_seq}: cap on masked positions ({@code >= 1})
 * @param maskedLmProb          {@code masked_lm_prob}: share of tokens to predict, in [0, 1]
 * @param shortSeqProb          {@code short_seq_prob}: probability that a document (per duplicate) uses a shorter
 *                              random target length, in [0, 1] (not used by {@link PretrainingTask#FULL_SENTENCES})
 * @param dupeFactor            {@code dupe_factor}: times each document is used, each with different masks ({@code >= 1})
 * @param seed                  {@code random_seed}
 * @param wholeWordMasking      {@code do_whole_word_mask}: mask all WordPiece pieces of a word together
 * @param task                  sentence-level objective: {@link PretrainingTask#NSP} (default), SOP, FULL_SENTENCES
 * @param masking               {@link MaskingMode#STATIC} (default, masks written into the instances) or DYNAMIC
 */
public record MaskedLmConfig(int maxSeqLength, int maxPredictionsPerSeq, double maskedLmProb, double shortSeqProb,
                             int dupeFactor, long seed, boolean wholeWordMasking, PretrainingTask task,
                             MaskingMode masking) implements Serializable {
  public MaskedLmConfig {
    if (maxSeqLength < 5) {
      throw new IllegalArgumentException("maxSeqLength must be >= 5 ([CLS] a [SEP] b [SEP]), got " + maxSeqLength);
    }
    if (maxPredictionsPerSeq < 1) {
      throw new IllegalArgumentException("maxPredictionsPerSeq must be >= 1, got " + maxPredictionsPerSeq);
    }
    if (!(maskedLmProb >= 0 && maskedLmProb <= 1)) {
      throw new IllegalArgumentException("maskedLmProb must be in [0, 1], got " + maskedLmProb);
    }
    if (!(shortSeqProb >= 0 && shortSeqProb <= 1)) {
      throw new IllegalArgumentException("shortSeqProb must be in [0, 1], got " + shortSeqProb);
    }
    if (dupeFactor < 1) {
      throw new IllegalArgumentException("dupeFactor must be >= 1, got " + dupeFactor);
    }
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(masking, "masking");
  }

  /** BERT's NSP task with static masks. */
  public MaskedLmConfig(int maxSeqLength, int maxPredictionsPerSeq, double maskedLmProb, double shortSeqProb,
                        int dupeFactor, long seed, boolean wholeWordMasking) {
    this(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, dupeFactor, seed, wholeWordMasking,
        PretrainingTask.NSP, MaskingMode.STATIC);
  }

  /**
   * Google's defaults: 128, 20, 0.15, 0.1, dupe 1 (Google's flag default is 10), seed 12345, no whole-word masking,
   * NSP, static masks.
   */
  public static MaskedLmConfig defaults() {
    return new MaskedLmConfig(128, 20, 0.15, 0.1, 1, 12345L, false);
  }

  public MaskedLmConfig withMaxSeqLength(int v) {
    return new MaskedLmConfig(v, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, dupeFactor, seed,
        wholeWordMasking, task, masking);
  }

  public MaskedLmConfig withMaxPredictionsPerSeq(int v) {
    return new MaskedLmConfig(maxSeqLength, v, maskedLmProb, shortSeqProb, dupeFactor, seed, wholeWordMasking,
        task, masking);
  }

  public MaskedLmConfig withDupeFactor(int v) {
    return new MaskedLmConfig(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, v, seed,
        wholeWordMasking, task, masking);
  }

  public MaskedLmConfig withSeed(long v) {
    return new MaskedLmConfig(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, dupeFactor, v,
        wholeWordMasking, task, masking);
  }

  public MaskedLmConfig withWholeWordMasking(boolean v) {
    return new MaskedLmConfig(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, dupeFactor, seed, v,
        task, masking);
  }

  public MaskedLmConfig withTask(PretrainingTask v) {
    return new MaskedLmConfig(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, dupeFactor, seed,
        wholeWordMasking, v, masking);
  }

  public MaskedLmConfig withMasking(MaskingMode v) {
    return new MaskedLmConfig(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, dupeFactor, seed,
        wholeWordMasking, task, v);
  }
}
