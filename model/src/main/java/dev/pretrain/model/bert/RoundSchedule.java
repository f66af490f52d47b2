package dev.pretrain.model.bert;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The learning rate a Spark worker should use in one parameter-averaging round, as a function of the worker's local
 * iteration counter. DL4J M2.1's {@code ParameterAveragingTrainingWorker} rebuilds its network every round from a
 * {@code ComputationGraphConfiguration.clone()}, which drops the iteration count, so on a worker the updater sees
 * iterations {@code 0 .. averagingFrequency - 1} in every round. The driver therefore writes, before each round, a
 * schedule that knows the round's first global step {@code offset}:
 * <pre>
 *   valueAt(i) = warmup(offset + i) * adamCorrection(offset + i, i)
 *   adamCorrection(g, i) = [sqrt(1 - beta2^(g+1)) / (1 - beta1^(g+1))] / [sqrt(1 - beta2^(i+1)) / (1 - beta1^(i+1))]
 * </pre>
 * where {@code warmup} is {@link WarmupSchedule} (Google BERT {@code optimization.py}: linear warm-up, linear decay).
 * The second factor undoes the restart of Adam's bias correction (Kingma and Ba 2015, Algorithm 1:
 * {@code alpha_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)}, which ND4J computes from the local iteration), so that
 * Adam's step at local iteration {@code i} is the step of global step {@code offset + i} of one uninterrupted run.
 * With {@code beta1 = beta2 = 0} no correction is applied. Side effect: DL4J's decoupled weight decay multiplies
 * by {@code valueAt(i)}, so it carries the correction factor too (within about 0.3x..3x of the nominal rate).
 *
 * <p>Iterations count minibatches per worker. Serialised inside DL4J configuration JSON (shaded Jackson
 * annotations, as in {@link WarmupSchedule}) and with Java serialisation in Spark broadcasts.
 */
public class RoundSchedule implements ISchedule {
    @JsonProperty @org.nd4j.shade.jackson.annotation.JsonProperty private double learningRate;
    @JsonProperty @org.nd4j.shade.jackson.annotation.JsonProperty private int warmupSteps;
    @JsonProperty @org.nd4j.shade.jackson.annotation.JsonProperty private int totalSteps;
    @JsonProperty @org.nd4j.shade.jackson.annotation.JsonProperty private int offset;
    @JsonProperty @org.nd4j.shade.jackson.annotation.JsonProperty private double beta1;
    @JsonProperty @org.nd4j.shade.jackson.annotation.JsonProperty private double beta2;

    /** For JSON deserialisation. */
    public RoundSchedule() {
    }

    /**
     * @param learningRate peak learning rate of the {@link WarmupSchedule}
     * @param warmupSteps  warm-up steps of the {@link WarmupSchedule}
     * @param totalSteps   end of the linear decay (0 = constant after warm-up)
     * @param offset       global step (per worker) at which this round starts, {@code >= 0}
     * @param beta1        Adam's beta1 (0 with beta2 = 0: no bias-correction compensation)
     * @param beta2        Adam's beta2
     * @throws IllegalArgumentException if offset is negative or a beta is outside [0, 1)
     */
    public RoundSchedule(double learningRate, int warmupSteps, int totalSteps, int offset, double beta1, double beta2) {
        if (offset < 0) throw new IllegalArgumentException("RoundSchedule: offset must be >= 0, got " + offset);
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("RoundSchedule: betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        this.learningRate = learningRate;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
        this.offset = offset;
        this.beta1 = beta1;
        this.beta2 = beta2;
    }

    /** First global step of the round. */
    public int offset() {
        return offset;
    }

    /** The nominal (uncorrected) learning rate at global step {@code step}: {@link WarmupSchedule#valueAt}. */
    public double nominalAt(int step) {
        return new WarmupSchedule(learningRate, warmupSteps, totalSteps).valueAt(step, 0);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int global = offset + iteration;
        return nominalAt(global) * (biasCorrection(global) / biasCorrection(iteration));
    }

    /** Adam's {@code sqrt(1 - beta2^t) / (1 - beta1^t)} at {@code t = iteration + 1} (1 without betas). */
    double biasCorrection(int iteration) {
        if (beta1 == 0 && beta2 == 0) return 1.0;
        int t = iteration + 1;
        return Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
    }

    @Override
    public ISchedule clone() {
        return new RoundSchedule(learningRate, warmupSteps, totalSteps, offset, beta1, beta2);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RoundSchedule r && r.learningRate == learningRate && r.warmupSteps == warmupSteps
                && r.totalSteps == totalSteps && r.offset == offset && r.beta1 == beta1 && r.beta2 == beta2;
    }

    @Override
    public int hashCode() {
        return ((((Double.hashCode(learningRate) * 31 + warmupSteps) * 31 + totalSteps) * 31 + offset) * 31
                + Double.hashCode(beta1)) * 31 + Double.hashCode(beta2);
    }

    @Override
    public String toString() {
        return "RoundSchedule(lr=" + learningRate + ", warmup=" + warmupSteps + ", total=" + totalSteps
                + ", offset=" + offset + ", beta1=" + beta1 + ", beta2=" + beta2 + ")";
    }
}
