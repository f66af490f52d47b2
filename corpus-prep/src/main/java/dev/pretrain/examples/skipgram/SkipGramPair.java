package dev.pretrain.examples.skipgram;

import java.io.Serializable;

/**
 * One skip-gram training example with negative sampling.
 *
 * @param center    id of the centre (input) word
 * @param context   id of the observed context (positive output) word
 * @param negatives ids of the negative output words, {@code [negatives]} int32, none equal to {@code context}
 */
public record SkipGramPair(int center, int context, int[] negatives) implements Serializable {
  @Override
  public boolean equals(Object o) {
    return o instanceof SkipGramPair p && p.center == center && p.context == context
        && java.util.Arrays.equals(p.negatives, negatives);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * center + context) + java.util.Arrays.hashCode(negatives);
  }

  @Override
  public String toString() {
    return "SkipGramPair[center=" + center + ", context=" + context + ", negatives="
        + java.util.Arrays.toString(negatives) + "]";
  }
}
