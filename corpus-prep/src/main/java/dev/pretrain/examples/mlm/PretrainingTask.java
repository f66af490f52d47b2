package dev.pretrain.examples.mlm;

import java.util.Locale;

/**
 * The sentence-level objective the instances are built for ({@code task} option).
 *
 * <ul>
 *   <li>{@link #NSP}: next-sentence prediction, Google BERT's {@code create_pretraining_data.py}
 *       (Devlin et al. 2019): {@code [CLS] A [SEP] B [SEP]}, label 1 when B is a random segment of another
 *       document (50%, and always for a one-sentence chunk), 0 when B really follows A.</li>
 *   <li>{@link #SOP}: sentence-order prediction, ALBERT (Lan et al. 2020, google-research/albert
 *       {@code create_pretraining_data.py} with {@code random_next_sentence=False}): A and B are always two
 *       consecutive segments of the same document; with probability 0.5 they are swapped. Label convention as
 *       ALBERT writes it: {@code next_sentence_labels = 1} for the swapped order (ALBERT sets
 *       {@code is_random_next = True} and swaps {@code tokens_a, tokens_b}), 0 for the original order.</li>
 *   <li>{@link #FULL_SENTENCES}: RoBERTa's FULL-SENTENCES input format (Liu et al. 2019, section 4.2): no
 *       sentence-pair objective; each instance is {@code [CLS]} followed by consecutive full sentences, crossing
 *       document boundaries inside a shard with an extra {@code [SEP]} between documents, then a final
 *       {@code [SEP]}, up to {@code max_seq_length}. {@code segment_ids} are all 0 and
 *       {@code next_sentence_labels} is written as 0 (there is no label; a trainer should ignore the NSP
 *       head).</li>
 * </ul>
 */
public enum PretrainingTask {
  NSP, SOP, FULL_SENTENCES;

  /** The option value: {@code nsp}, {@code sop} or {@code full_sentences}. */
  public String optionName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code nsp}, {@code sop} or {@code full_sentences} (any case; {@code -} accepted for {@code _}).
   *
   * @throws IllegalArgumentException naming the accepted values for anything else
   */
  public static PretrainingTask parse(String s) {
    String k = s == null ? "" : s.trim().replace('-', '_');
    for (PretrainingTask t : values()) {
      if (t.name().equalsIgnoreCase(k)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown task '" + s + "': use nsp, sop or full_sentences");
  }
}
