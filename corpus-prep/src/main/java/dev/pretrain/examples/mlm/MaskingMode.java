package dev.pretrain.examples.mlm;

import java.util.Locale;

/**
 * When the masked-LM masks are drawn ({@code masking} option).
 *
 * <ul>
 *   <li>{@link #STATIC}: Google BERT: masks are drawn while the instances are generated and written into them;
 *       {@code dupe_factor} passes give each document several different masks.</li>
 *   <li>{@link #DYNAMIC}: RoBERTa (Liu et al. 2019, section 4.1): the training instances are written unmasked
 *       ({@code input_ids} hold the original tokens, {@code masked_lm_*} are all padding, weight 0) with an
 *       {@code instance_id}; {@link DynamicMasker} draws a fresh mask each time an instance is fed, seeded by
 *       (seed, instance id, epoch).</li>
 * </ul>
 */
public enum MaskingMode {
  STATIC, DYNAMIC;

  /** The option value: {@code static} or {@code dynamic}. */
  public String optionName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code static} or {@code dynamic} (any case).
   *
   * @throws IllegalArgumentException naming the accepted values for anything else
   */
  public static MaskingMode parse(String s) {
    String k = s == null ? "" : s.trim();
    for (MaskingMode m : values()) {
      if (m.name().equalsIgnoreCase(k)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown masking '" + s + "': use static or dynamic");
  }
}
