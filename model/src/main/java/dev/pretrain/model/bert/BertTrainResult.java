package dev.pretrain.model.bert;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Result of {@link BertSparkTrainer#fit}.
 *
 * @param model  the trained (parameter-averaged) model: the last one, or with early stopping the best on validation
 * @param rounds held-out metrics, round 0 first
 * @param kept   index in {@code rounds} of the evaluation whose model is {@code model}
 */
public record BertTrainResult(ComputationGraph model, List<BertRound> rounds, int kept) {
}
