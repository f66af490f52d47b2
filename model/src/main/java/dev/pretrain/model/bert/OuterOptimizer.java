package dev.pretrain.model.bert;

import java.io.Serializable;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The driver's outer optimizer of local SGD: every averaging round each worker runs {@code H} inner optimizer
 * steps (Adam, {@link BertTrainingConfig#averagingFrequency()} = H) from the round's parameters {@code theta}, the
 * workers' parameters are averaged ({@code mean}), and the outer optimizer treats {@code g = theta - mean} (the
 * "outer gradient", the negated average parameter delta) as a gradient:
 * <ul>
 *   <li>{@link Kind#AVERAGE}: {@code theta = mean} (DL4J's plain parameter averaging,
 *       {@code ParameterAveragingTrainingMaster}; outer SGD with learning rate 1 and no momentum);</li>
 *   <li>{@link Kind#NESTEROV} (DiLoCo, Douillard et al. 2023, "DiLoCo: Distributed Low-Communication Training of
 *       Language Models", arXiv:2311.08105: outer learning rate 0.7, Nesterov momentum 0.9, H = 500): PyTorch's
 *       {@code SGD(nesterov=True)}, {@code m = mu m + g; theta -= lr (g + mu m)};</li>
 *   <li>{@link Kind#BLOCK_MOMENTUM} (BMUF, Chen &amp; Huo 2016, classical block momentum): {@code m = mu m + g;
 *       theta -= lr m}, i.e. {@code Delta = mu Delta + lr (mean - theta); theta += Delta} with block learning rate
 *       {@code lr} (zeta) and block momentum {@code mu} (eta).</li>
 * </ul>
 * The momentum buffer {@code m} (float32, one value per parameter) lives on the driver and is checkpointed. The inner
 * Adam moments are averaged over the workers each round with the parameters (DL4J's {@code saveUpdater(true)}), not
 * kept per worker: a Spark task has no state between rounds, so per-worker moments would have to travel anyway.
 *
 * @param kind         the update rule
 * @param learningRate outer learning rate, &gt; 0 (1 with {@link Kind#AVERAGE})
 * @param momentum     momentum {@code mu} in {@code [0, 1)} (0 with {@link Kind#AVERAGE})
 */
public record OuterOptimizer(Kind kind, double learningRate, double momentum) implements Serializable {

    /** The outer update rules. */
    public enum Kind {
        /** Plain parameter averaging. */
        AVERAGE,
        /** Outer SGD with Nesterov momentum (DiLoCo). */
        NESTEROV,
        /** Outer SGD with classical (heavy-ball) momentum (BMUF block momentum). */
        BLOCK_MOMENTUM;

        /** The CLI name: {@code average}, {@code nesterov}, {@code block-momentum}. */
        public String optionName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** @throws IllegalArgumentException for an unknown name */
        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.optionName().equals(s) || k.name().equalsIgnoreCase(s)) return k;
            }
            throw new IllegalArgumentException("unknown outer optimizer '" + s
                    + "' (expected average, nesterov or block-momentum)");
        }
    }

    /** @throws IllegalArgumentException on a null kind, {@code learningRate <= 0}, momentum outside [0, 1) */
    public OuterOptimizer {
        if (kind == null) throw new IllegalArgumentException("OuterOptimizer: kind is null");
        if (!(learningRate > 0) || !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("OuterOptimizer: learning rate must be > 0 and momentum in [0, 1), got "
                    + learningRate + ", " + momentum);
        }
        if (kind == Kind.AVERAGE && (learningRate != 1 || momentum != 0)) {
            throw new IllegalArgumentException("OuterOptimizer: plain averaging has learning rate 1 and momentum 0");
        }
    }

    /** DL4J's plain parameter averaging. */
    public static OuterOptimizer average() {
        return new OuterOptimizer(Kind.AVERAGE, 1, 0);
    }

    /** DiLoCo's outer optimizer: Nesterov momentum 0.9, learning rate 0.7. */
    public static OuterOptimizer diloco() {
        return new OuterOptimizer(Kind.NESTEROV, 0.7, 0.9);
    }

    /**
     * From CLI / config values: {@code kind} by {@link Kind#parse}; an unset learning rate or momentum of
     * {@code nesterov} / {@code block-momentum} takes DiLoCo's 0.7 / 0.9.
     *
     * @throws IllegalArgumentException for an unknown kind, a learning rate or momentum given with {@code average},
     *                                  or values out of range
     */
    public static OuterOptimizer of(String kind, Double learningRate, Double momentum) {
        Kind k = Kind.parse(kind == null ? "average" : kind);
        if (k == Kind.AVERAGE) {
            if (learningRate != null || momentum != null) {
                throw new IllegalArgumentException("an outer learning rate or momentum needs the outer optimizer"
                        + " nesterov or block-momentum, not average");
            }
            return average();
        }
        return new OuterOptimizer(k, learningRate == null ? 0.7 : learningRate, momentum == null ? 0.9 : momentum);
    }

    /** Whether the rule keeps a momentum buffer (anything but plain averaging). */
    public boolean stateful() {
        return kind != Kind.AVERAGE;
    }

    /**
     * One outer step, in place.
     *
     * @param start    the round's starting parameters {@code theta}, float32 [numParams] or [1, numParams] (not modified)
     * @param averaged the workers' averaged parameters, float32, same length, contiguous; overwritten with the new
     *                 parameters
     * @param buffer   the momentum buffer, float32, same length, contiguous, updated; may be null for {@link Kind#AVERAGE}
     * @throws IllegalArgumentException if the lengths differ or a stateful rule gets no buffer
     */
    public void step(INDArray start, INDArray averaged, INDArray buffer) {
        if (kind == Kind.AVERAGE) return;
        if (buffer == null || start.length() != averaged.length() || buffer.length() != averaged.length()) {
            throw new IllegalArgumentException("OuterOptimizer.step: parameter, average and buffer lengths differ: "
                    + start.length() + ", " + averaged.length() + ", " + (buffer == null ? "none" : buffer.length()));
        }
        // as vectors: a model's flattened parameters are [1, n], a buffer read from a checkpoint [n] (views, in place)
        start = start.reshape(start.length());
        averaged = averaged.reshape(averaged.length());
        buffer = buffer.reshape(buffer.length());
        INDArray g = start.sub(averaged);            // outer gradient
        buffer.muli(momentum).addi(g);               // m = mu m + g
        INDArray direction = kind == Kind.NESTEROV ? g.addi(buffer.mul(momentum)) : buffer.dup();
        averaged.assign(start).subi(direction.muli(learningRate));
    }

    /** For logs and fingerprints: {@code average}, {@code nesterov(lr=0.7,momentum=0.9)}. */
    @Override
    public String toString() {
        return kind == Kind.AVERAGE ? "average"
                : String.format(Locale.ROOT, "%s(lr=%s,momentum=%s)", kind.optionName(), learningRate, momentum);
    }
}
