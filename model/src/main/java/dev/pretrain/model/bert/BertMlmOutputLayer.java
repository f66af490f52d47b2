package dev.pretrain.model.bert;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/**
 * Configuration of BERT's MLM decoder ({@code cls/predictions} output weights + bias, softmax over the vocab, sparse
 * cross-entropy) as a fused output layer ({@link BertMlmOutputLayerImpl}): the same function, input/label/mask
 * format, parameters and score as DL4J's {@link RnnOutputLayer} with {@link LossSparseMCXENT}, softmax activation and
 * {@link RNNFormat#NCW}, which it extends (so the parameter layout, {@code DefaultParamInitializer}'s {@code W [nIn, nOut]}
 * and {@code b [1, nOut]}, weight decay, updaters and JSON form carry over; checkpoints and {@code HfBertExport} work
 * with either), but scores and back-propagates in one pass per row instead of DL4J's reshape copies and two softmax
 * passes.
 *
 * <p>Input {@code [batch, nIn, P]} (NCW), labels {@code [batch, 1, P]} class indices (float), label mask
 * {@code [batch, P]} per-position weights (or none), output {@code [batch, nOut, P]} softmax probabilities.
 * Dropout and weight noise are not supported (throws at instantiation).
 */
public class BertMlmOutputLayer extends RnnOutputLayer {

    /** For JSON deserialisation; the NaN values mark "not set", so the network's global settings apply. */
    public BertMlmOutputLayer() {
        this.biasInit = Double.NaN;
        this.gainInit = Double.NaN;
        this.gradientNormalizationThreshold = Double.NaN;
        this.regularization = new ArrayList<>();
        this.regularizationBias = new ArrayList<>();
        this.hasBias = true;
        this.lossFn = new LossSparseMCXENT();
        this.activationFn = Activation.SOFTMAX.getActivationFunction();
        setRnnDataFormat(RNNFormat.NCW);
    }

    /**
     * @param nIn  hidden size (input channels)
     * @param nOut vocab size
     * @throws IllegalArgumentException if a size is not positive
     */
    public BertMlmOutputLayer(int nIn, int nOut) {
        this();
        if (nIn < 1 || nOut < 1) {
            throw new IllegalArgumentException("BertMlmOutputLayer: nIn (" + nIn + ") and nOut (" + nOut + ") must be >= 1");
        }
        setNIn(nIn);
        setNOut(nOut);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        if (!(getLossFn() instanceof LossSparseMCXENT s) || s.getWeights() != null
                || !(getActivationFn() instanceof org.nd4j.linalg.activations.impl.ActivationSoftmax)
                || getRnnDataFormat() != RNNFormat.NCW || getIDropout() != null || getWeightNoise() != null) {
            throw new IllegalStateException("BertMlmOutputLayer: only unweighted LossSparseMCXENT + softmax, NCW, no dropout"
                    + " or weight noise is implemented; got loss " + getLossFn() + ", activation " + getActivationFn()
                    + ", format " + getRnnDataFormat());
        }
        BertMlmOutputLayerImpl layer = new BertMlmOutputLayerImpl(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> table = initializer().init(conf, layerParamsView, initializeParams);
        layer.setParamTable(table);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BertMlmOutputLayer && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 7;
    }
}
