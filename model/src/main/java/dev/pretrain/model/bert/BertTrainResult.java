package dev.pretrain.model.bert;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Result of {@link BertSparkTrainer#fit}.
 *
 * @param model  the trained (parameter-averaged) model
 * @param rounds held-out metrics, round 0 first
 */
public record BertTrainResult(ComputationGraph model, List<BertRound> rounds) {
}
