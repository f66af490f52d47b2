package dev.pretrain.model.bert;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Learning rate of Google BERT's {@code optimization.py}: linear warm-up {@code lr * (iteration + 1) / warmupSteps},
 * then linear decay {@code lr * (1 - iteration / totalSteps)} to 0 at {@code totalSteps} (polynomial decay, power 1).
 * With {@code totalSteps <= 0} the rate stays constant after warm-up. Iterations count minibatches per worker.
 */
public class WarmupSchedule implements ISchedule {
    // ND4J (de)serialises schedules inside DL4J configuration JSON with its shaded Jackson, which ignores the plain
    // com.fasterxml annotations: without the shaded ones a model.zip reloaded its schedule as all zeros (learning
    // rate 0 for the SameDiff layers when training continued from a saved model or checkpoint).
    @JsonProperty @org.nd4j.shade.jackson.annotation.JsonProperty private double learningRate;
    @JsonProperty @org.nd4j.shade.jackson.annotation.JsonProperty private int warmupSteps;
    @JsonProperty @org.nd4j.shade.jackson.annotation.JsonProperty private int totalSteps;

    /** For JSON deserialisation. */
    public WarmupSchedule() {
    }

    public WarmupSchedule(double learningRate, int warmupSteps) {
        this(learningRate, warmupSteps, 0);
    }

    public WarmupSchedule(double learningRate, int warmupSteps, int totalSteps) {
        this.learningRate = learningRate;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double decay = totalSteps > 0 ? Math.max(0.0, 1.0 - (double) iteration / totalSteps) : 1.0;
        if (warmupSteps > 0 && iteration < warmupSteps) {
            return learningRate * Math.min(1.0, (iteration + 1.0) / warmupSteps);
        }
        return learningRate * decay;
    }

    @Override
    public ISchedule clone() {
        return new WarmupSchedule(learningRate, warmupSteps, totalSteps);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupSchedule w && w.learningRate == learningRate && w.warmupSteps == warmupSteps
                && w.totalSteps == totalSteps;
    }

    @Override
    public int hashCode() {
        return (Double.hashCode(learningRate) * 31 + warmupSteps) * 31 + totalSteps;
    }
}
