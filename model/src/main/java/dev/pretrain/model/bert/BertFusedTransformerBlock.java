package dev.pretrain.model.bert;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of a post-LN Transformer encoder block with an explicit, hand-written forward and backward pass
 * ({@link BertFusedBlockLayer}): the same function, input/output format, parameter names, shapes and flattened order
 * as the SameDiff {@link BertTransformerBlock}, so either can be used in {@link BertModel} and checkpoints or
 * {@code HfBertExport} work with both. (Vaswani et al. 2017; Google BERT {@code modeling.transformer_model}:
 * multi-head scaled dot-product self-attention, additive -10000 on padding keys, output projection, residual, layer
 * norm, tanh-approximation GELU feed-forward, residual, layer norm; no dropout.)
 *
 * <p>Input and output {@code [batch, hidden + 1, seqLen]} (float32 in training; float64 works too, for gradient
 * checks): channels {@code [0, hidden)} are the hidden states, channel {@code hidden} the input_mask
 * (1 = real token, 0 = padding), passed through. Parameters (weights first, then biases, as the SameDiff block):
 * {@code Wq, Wk, Wv, Wo [1, hidden, hidden]}, {@code ln1g [hidden]}, {@code W1 [1, hidden, intermediate]},
 * {@code W2 [1, intermediate, hidden]}, {@code ln2g [hidden]}, then {@code bq, bk, bv, bo, ln1b [hidden]},
 * {@code b1 [intermediate]}, {@code b2, ln2b [hidden]}. Dense weights are {@code [1, in, out]} (kernel-1 conv1d
 * layout; {@code y = x W + b}). Weight decay and the weight updater apply to the "weight" parameters (layer-norm
 * gains included, as in the SameDiff block), the bias settings to the "bias" parameters.
 *
 * <p>Layer norm matches ND4J's {@code layer_norm} ({@code standardize}): {@code (x - mean) / (std + 1e-12)} with
 * the population standard deviation over the hidden channels.
 */
public class BertFusedTransformerBlock extends BaseLayer {
    private int hidden;
    private int heads;
    private int intermediate;
    private int seqLen;

    /** For JSON deserialisation; the NaN values mark "not set", so the network's global settings apply. */
    public BertFusedTransformerBlock() {
        this.biasInit = Double.NaN;
        this.gainInit = Double.NaN;
        this.gradientNormalizationThreshold = Double.NaN;
        this.regularization = new ArrayList<>();
        this.regularizationBias = new ArrayList<>();
    }

    /**
     * @throws IllegalArgumentException if a size is not positive or {@code hidden} is not a multiple of {@code heads}
     */
    public BertFusedTransformerBlock(int hidden, int heads, int intermediate, int seqLen) {
        this();
        if (hidden < 1 || heads < 1 || hidden % heads != 0 || intermediate < 1 || seqLen < 1) {
            throw new IllegalArgumentException("BertFusedTransformerBlock: need hidden (" + hidden + ") a positive multiple of"
                    + " heads (" + heads + "), intermediate (" + intermediate + ") and seqLen (" + seqLen + ") >= 1");
        }
        this.hidden = hidden;
        this.heads = heads;
        this.intermediate = intermediate;
        this.seqLen = seqLen;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        BertFusedBlockLayer layer = new BertFusedBlockLayer(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> table = initializer().init(conf, layerParamsView, initializeParams);
        layer.setParamTable(table);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return BertFusedBlockParamInitializer.INSTANCE;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(hidden + 1, seqLen);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long n = initializer().numParams(this);
        long perEx = (long) seqLen * (12L * hidden + 3L * intermediate) + (long) heads * seqLen * seqLen;
        return new LayerMemoryReport.Builder(layerName, BertFusedTransformerBlock.class, inputType,
                getOutputType(-1, inputType)).standardMemory(n, 2 * n)
                .workingMemory(0, perEx, 0, perEx).cacheMemory(0, 0).build();
    }

    public int getHidden() { return hidden; }
    public void setHidden(int v) { hidden = v; }
    public int getHeads() { return heads; }
    public void setHeads(int v) { heads = v; }
    public int getIntermediate() { return intermediate; }
    public void setIntermediate(int v) { intermediate = v; }
    public int getSeqLen() { return seqLen; }
    public void setSeqLen(int v) { seqLen = v; }

    @Override
    public boolean equals(Object o) {
        return o instanceof BertFusedTransformerBlock b && super.equals(o) && hidden == b.hidden && heads == b.heads
                && intermediate == b.intermediate && seqLen == b.seqLen;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * (31 * super.hashCode() + hidden) + heads) + intermediate) + seqLen;
    }
}
