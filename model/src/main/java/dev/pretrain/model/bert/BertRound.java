package dev.pretrain.model.bert;

/**
 * Held-out metrics after one evaluation point of {@link BertSparkTrainer#fit}.
 *
 * @param round        0 = before any training, then 1, 2, ... (one per epoch, or per N averaging rounds)
 * @param examplesSeen training examples fitted so far (over all workers)
 * @param seconds      wall-clock seconds of training (excluding evaluation) since the start of fit
 * @param heldout      held-out metrics at this point
 */
public record BertRound(int round, long examplesSeen, double seconds, BertMetrics heldout) {
}
