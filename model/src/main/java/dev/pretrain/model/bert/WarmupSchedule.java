package dev.pretrain.model.bert;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Learning rate with linear warm-up (Google BERT {@code optimization.py}): {@code lr * min(1, (iteration + 1) / warmupSteps)},
 * then constant. (BERT then decays linearly to 0 over the planned steps; the total is not known here, so no decay.)
 */
public class WarmupSchedule implements ISchedule {
    @JsonProperty private double learningRate;
    @JsonProperty private int warmupSteps;

    /** For JSON deserialisation. */
    public WarmupSchedule() {
    }

    public WarmupSchedule(double learningRate, int warmupSteps) {
        this.learningRate = learningRate;
        this.warmupSteps = warmupSteps;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (warmupSteps <= 0) return learningRate;
        return learningRate * Math.min(1.0, (iteration + 1.0) / warmupSteps);
    }

    @Override
    public ISchedule clone() {
        return new WarmupSchedule(learningRate, warmupSteps);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupSchedule w && w.learningRate == learningRate && w.warmupSteps == warmupSteps;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(learningRate) * 31 + warmupSteps;
    }
}
