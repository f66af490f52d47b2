package dev.pretrain.model.bert;

import java.util.Map;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gathers the final hidden states at masked_lm_positions and applies BERT's MLM transform
 * (dense + GELU + layer norm, {@code cls/predictions/transform} in Google BERT).
 *
 * <p>Input {@code [batch, hidden + 1 + maxPredictions, seqLen]} float32, the channel concatenation of the last
 * block's output (hidden states + the input_mask channel, ignored here) and {@code masked_lm_onehot
 * [batch, maxPredictions, seqLen]} (row p is the one-hot of masked_lm_positions[p]).
 * The gather is the batched matmul {@code x . onehot^T}.
 * Output {@code [batch, hidden, maxPredictions]} float32.
 */
public class BertMlmTransform extends SameDiffLayer {
    private int hidden;
    private int predictions;

    /** For JSON deserialisation. */
    public BertMlmTransform() {
    }

    public BertMlmTransform(int hidden, int predictions) {
        this.hidden = hidden;
        this.predictions = predictions;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable in, Map<String, SDVariable> p, SDVariable layerMask) {
        SDVariable x = in.get(SDIndex.all(), SDIndex.interval(0, hidden), SDIndex.all());
        SDVariable sel = in.get(SDIndex.all(), SDIndex.interval(hidden + 1, hidden + 1 + predictions), SDIndex.all());
        SDVariable gathered = sd.mmul(x, sel, false, true, false); // [b, h, P]
        SDVariable t = SdOps.gelu(sd, SdOps.dense(sd, gathered, p.get("W"), p.get("b")));
        return SdOps.layerNorm(sd, t, p.get("lng"), p.get("lnb"));
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("W", 1, hidden, hidden);
        params.addBiasParam("b", hidden);
        params.addWeightParam("lng", hidden);
        params.addBiasParam("lnb", hidden);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        SdOps.initByName(params);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(hidden, predictions);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    public int getHidden() { return hidden; }
    public void setHidden(int v) { hidden = v; }
    public int getPredictions() { return predictions; }
    public void setPredictions(int v) { predictions = v; }
}
