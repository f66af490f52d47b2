package dev.pretrain.examples.mlm;

import dev.pretrain.examples.Seeds;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * RoBERTa's dynamic masking (Liu et al. 2019, section 4.1): the mask of an instance is drawn when it is fed to
 * training, so that each epoch sees a different mask, instead of being fixed at generation time.
 *
 * <p>The masking itself is exactly Google BERT's {@code create_masked_lm_predictions} as in static mode
 * (candidates all real tokens except [CLS]/[SEP], whole words when configured,
 * {@code min(max_predictions_per_seq, max(1, round(len * masked_lm_prob)))} positions, 80% [MASK] / 10% kept /
 * 10% random id). Its randomness comes only from {@code new SplittableRandom(Seeds.of(seed ^ SALT, instanceId,
 * epoch))}: the same (seed, instance id, epoch) always gives the same mask on any JVM or partitioning, a different
 * epoch a different one.
 *
 * <p>Input: an unmasked instance as written with {@link MaskingMode#DYNAMIC} ({@code input_ids} {@code [T]} int32
 * original tokens then [PAD], {@code input_mask} {@code [T]} int32). Immutable, thread-safe, serializable.
 */
public final class DynamicMasker implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Separates the masking seeds from the generator's per-document seeds. */
  private static final long SALT = 0x6d61736b696e6721L;

  private final MaskedLmConfig config;
  private final SpecialIds ids;
  private final boolean[] isContinuation;

  /**
   * The masks of one instance.
   *
   * @param inputIds          {@code [T]} int32: the input after masking, padding kept
   * @param maskedLmPositions {@code [maxPredictionsPerSeq]} int32, ascending, padded with 0
   * @param maskedLmIds       {@code [maxPredictionsPerSeq]} int32 original ids, padded with 0
   * @param maskedLmWeights   {@code [maxPredictionsPerSeq]} float32, 1.0 real, 0.0 padding
   */
  public record Masked(int[] inputIds, int[] maskedLmPositions, int[] maskedLmIds, float[] maskedLmWeights) {}

  /**
   * @param config         uses {@code maxPredictionsPerSeq}, {@code maskedLmProb}, {@code wholeWordMasking},
   *                       {@code seed}
   * @param isContinuation per vocabulary id, true for {@code ##} pieces; required with whole-word masking
   * @throws IllegalArgumentException if whole-word masking is on without flags or the flags do not cover the vocab
   */
  public DynamicMasker(MaskedLmConfig config, SpecialIds ids, boolean[] isContinuation) {
    this.config = Objects.requireNonNull(config, "config");
    this.ids = Objects.requireNonNull(ids, "ids");
    PretrainingDataGenerator.checkContinuationFlags(config, ids, isContinuation);
    this.isContinuation = config.wholeWordMasking() ? isContinuation.clone() : null;
  }

  /** The random source of one (instance, epoch). */
  static SplittableRandom random(long seed, String instanceId, int epoch) {
    return new SplittableRandom(Seeds.of(seed ^ SALT, instanceId, epoch));
  }

  /** {@link #mask(int[], int[], String, int, GenerationStats)} without statistics. */
  public Masked mask(int[] inputIds, int[] inputMask, String instanceId, int epoch) {
    return mask(inputIds, inputMask, instanceId, epoch, new GenerationStats());
  }

  /**
   * Masks one unmasked instance for one epoch.
   *
   * @param inputIds   {@code [T]} original ids ([CLS] ... [SEP], then padding)
   * @param inputMask  {@code [T]} 1 for the real tokens (a prefix), 0 for padding
   * @param instanceId the instance's {@code instance_id}
   * @param epoch      training epoch ({@code >= 0})
   * @param stats      receives candidates / masked / [MASK] / kept / random counts
   * @throws IllegalArgumentException if the arrays differ in length, the instance is empty or an id is out of range
   */
  public Masked mask(int[] inputIds, int[] inputMask, String instanceId, int epoch, GenerationStats stats) {
    if (inputIds.length != inputMask.length) {
      throw new IllegalArgumentException("instance " + instanceId + ": input_ids has " + inputIds.length
          + " entries, input_mask " + inputMask.length);
    }
    Objects.requireNonNull(instanceId, "instanceId");
    int n = 0;
    while (n < inputMask.length && inputMask[n] != 0) {
      n++;
    }
    if (n == 0) {
      throw new IllegalArgumentException("instance " + instanceId + ": no real tokens");
    }
    int[] tokens = Arrays.copyOf(inputIds, n);
    for (int t : tokens) {
      if (t < 0 || t >= ids.vocabSize()) {
        throw new IllegalArgumentException("instance " + instanceId + ": token id " + t + " outside [0, "
            + ids.vocabSize() + ")");
      }
    }
    int[] output = tokens.clone();
    int[] positions = MaskedLmPredictions.create(tokens, output, config.maxPredictionsPerSeq(),
        config.maskedLmProb(), ids, isContinuation, random(config.seed(), instanceId, epoch), stats);
    int[] masked = inputIds.clone();
    System.arraycopy(output, 0, masked, 0, n);
    int p = config.maxPredictionsPerSeq();
    int[] pos = new int[p];
    int[] lm = new int[p];
    float[] w = new float[p];
    for (int k = 0; k < positions.length; k++) {
      pos[k] = positions[k];
      lm[k] = tokens[positions[k]];
      w[k] = 1.0f;
    }
    return new Masked(masked, pos, lm, w);
  }

  /** An unmasked {@link PretrainingInstance} with this epoch's masks (same ids, labels and segments). */
  public PretrainingInstance mask(PretrainingInstance unmasked, int epoch) {
    Masked m = mask(unmasked.inputIds(), unmasked.inputMask(), unmasked.instanceId(), epoch);
    return new PretrainingInstance(m.inputIds(), unmasked.inputMask(), unmasked.segmentIds(), m.maskedLmPositions(),
        m.maskedLmIds(), m.maskedLmWeights(), unmasked.nextSentenceLabel(), unmasked.docId(), unmasked.instanceId());
  }
}
