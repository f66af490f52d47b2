package dev.pretrain.model.bert;

import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv1DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SameDiff building blocks shared by the BERT layers. All activations are channels-first {@code [batch, channels, time]}
 * (DL4J's NCW recurrent format). Only ops whose backprop works in ND4J 1.0.0-M2.1 are used: a kernel-1
 * {@code conv1d} as the position-wise dense layer (no {@code reshape(-1,..)}, no 3D x 2D {@code tensorMmul}),
 * rank-3 batched {@code mmul}, broadcasting element-wise ops.
 */
final class SdOps {
    /** BERT's initializer_range: weights are drawn from N(0, 0.02^2) (Google uses a truncated normal). */
    static final double INIT_STD = 0.02;

    private SdOps() {
    }

    private static final Conv1DConfig DENSE = Conv1DConfig.builder().k(1).s(1).p(0).d(1)
            .dataFormat("NCW").paddingMode(PaddingMode.VALID).build();

    /** Position-wise dense layer: x {@code [b, in, t]}, w {@code [1, in, out]}, bias {@code [out]} -> {@code [b, out, t]}. */
    static SDVariable dense(SameDiff sd, SDVariable x, SDVariable w, SDVariable b) {
        return sd.cnn().conv1d(x, w, b, DENSE);
    }

    /**
     * Layer normalisation over dimension 1 (channels) of {@code [b, c, t]}, gain/bias {@code [c]}: ND4J's fused
     * {@code layer_norm} op. (A hand-written mean/variance version gave NaN gradients inside DL4J SameDiff vertices in
     * M2.1, and reduce ops there read corrupted axis arrays during backprop.)
     */
    static SDVariable layerNorm(SameDiff sd, SDVariable x, SDVariable gamma, SDVariable beta) {
        return sd.nn().layerNorm(x, gamma, beta, true, 1);
    }

    /**
     * GELU, tanh approximation (Hendrycks and Gimpel 2016; as in Google BERT's modeling.gelu), written as
     * {@code 0.5x + 0.5x * tanh(sqrt(2/pi) (x + 0.044715 x^3))}. The algebraically equal forms
     * {@code 0.5x (1 + tanh(..))} and ND4J's built-in {@code gelu} gave NaN gradients from the second training
     * step when followed by the layer norm inside a DL4J SameDiff vertex (M2.1); this form trains.
     */
    static SDVariable gelu(SameDiff sd, SDVariable x) {
        SDVariable half = x.mul(0.5);
        SDVariable inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2.0 / Math.PI));
        return half.add(half.mul(sd.math().tanh(inner)));
    }

    /** Fills a weight with N(0, 0.02^2) using ND4J's global (seeded by DL4J at init) RNG. */
    static void normalInit(INDArray w) {
        w.assign(Nd4j.randn(w.dataType(), w.shape()).muli(INIT_STD));
    }

    /** Initialises params: names starting with "ln" and ending in "g" get 1, other names starting with "b" or "ln" get 0, the rest N(0, 0.02^2). */
    static void initByName(Map<String, INDArray> params) {
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("ln") && k.endsWith("g")) {
                e.getValue().assign(1.0);
            } else if (k.startsWith("b") || k.startsWith("ln")) {
                e.getValue().assign(0.0);
            } else {
                normalInit(e.getValue());
            }
        }
    }
}
