package dev.pretrain.model.bert;

import java.util.Map;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adds learned position embeddings to the (token + segment) embedding sum and applies the embedding layer norm.
 * Input and output {@code [batch, hidden, seqLen]} float32. Params: {@code pos [1, hidden, seqLen]},
 * {@code lng, lnb [hidden]}.
 */
public class BertEmbeddingNorm extends SameDiffLayer {
    private int hidden;
    private int seqLen;

    /** For JSON deserialisation. */
    public BertEmbeddingNorm() {
    }

    public BertEmbeddingNorm(int hidden, int seqLen) {
        this.hidden = hidden;
        this.seqLen = seqLen;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        return SdOps.layerNorm(sd, input.add(p.get("pos")), p.get("lng"), p.get("lnb"));
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam("pos", 1, hidden, seqLen);
        params.addWeightParam("lng", hidden);
        params.addBiasParam("lnb", hidden);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        SdOps.initByName(params);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(hidden, seqLen);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    public int getHidden() { return hidden; }
    public void setHidden(int hidden) { this.hidden = hidden; }
    public int getSeqLen() { return seqLen; }
    public void setSeqLen(int seqLen) { this.seqLen = seqLen; }
}
