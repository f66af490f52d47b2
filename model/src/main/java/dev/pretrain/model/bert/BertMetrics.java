package dev.pretrain.model.bert;

import java.io.Serializable;

/**
 * Held-out pretraining metrics of a BERT model.
 *
 * @param mlmLoss     masked-LM loss: mean cross-entropy in nats over the real masked positions (weight &gt; 0)
 * @param mlmAccuracy fraction of real masked positions whose arg-max prediction equals masked_lm_ids
 * @param nspLoss     next-sentence-prediction loss: mean cross-entropy in nats over the examples; NaN when not
 *                    measured (examples without a sentence-pair label)
 * @param nspAccuracy fraction of examples whose arg-max NSP prediction equals next_sentence_labels; NaN when not
 *                    measured
 * @param examples    number of examples evaluated
 */
public record BertMetrics(double mlmLoss, double mlmAccuracy, double nspLoss, double nspAccuracy, long examples)
        implements Serializable {

    /** Whether the NSP figures were measured (they are NaN otherwise). */
    public boolean hasNsp() {
        return !Double.isNaN(nspLoss);
    }
}
