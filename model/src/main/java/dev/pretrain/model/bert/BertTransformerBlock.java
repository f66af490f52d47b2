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
 * One post-LN Transformer encoder block (Vaswani et al. 2017; Google BERT {@code modeling.transformer_model}):
 * multi-head scaled dot-product self-attention with the input_mask as key mask (additive -10000 on padding keys),
 * output projection, residual, layer norm, GELU feed-forward (intermediate size), residual, layer norm.
 *
 * <p>Input and output {@code [batch, hidden + 1, seqLen]} float32: channels {@code [0, hidden)} are the hidden
 * states, channel {@code hidden} is the input_mask (1 = real token, 0 = padding), passed through unchanged so that
 * the next block sees it too. (A single-input SameDiffLayer is used because two-input SameDiffVertex backprop
 * corrupted memory in DL4J M2.1.)
 * Dense layers are kernel-1 conv1d with weights {@code [1, in, out]}.
 * Dropout is not applied inside the block (see {@link BertModel}).
 */
public class BertTransformerBlock extends SameDiffLayer {
    private int hidden;
    private int heads;
    private int intermediate;
    private int seqLen;

    /** For JSON deserialisation. */
    public BertTransformerBlock() {
    }

    public BertTransformerBlock(int hidden, int heads, int intermediate, int seqLen) {
        this.hidden = hidden;
        this.heads = heads;
        this.intermediate = intermediate;
        this.seqLen = seqLen;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable in, Map<String, SDVariable> p, SDVariable layerMask) {
        SDVariable x = in.get(SDIndex.all(), SDIndex.interval(0, hidden), SDIndex.all());
        SDVariable mask = in.get(SDIndex.all(), SDIndex.interval(hidden, hidden + 1), SDIndex.all()); // [b, 1, t]
        SDVariable q = SdOps.dense(sd, x, p.get("Wq"), p.get("bq"));
        SDVariable k = SdOps.dense(sd, x, p.get("Wk"), p.get("bk"));
        SDVariable v = SdOps.dense(sd, x, p.get("Wv"), p.get("bv"));
        // [b, 1, t]: 0 for real keys, -10000 for padding keys
        SDVariable keyBias = mask.sub(1.0).mul(10000.0);
        int d = hidden / heads;
        double scale = 1.0 / Math.sqrt(d);
        SDVariable[] ctx = new SDVariable[heads];
        for (int h = 0; h < heads; h++) {
            SDIndex ch = SDIndex.interval(h * d, (h + 1) * d);
            SDVariable qh = q.get(SDIndex.all(), ch, SDIndex.all());   // [b, d, t]
            SDVariable kh = k.get(SDIndex.all(), ch, SDIndex.all());
            SDVariable vh = v.get(SDIndex.all(), ch, SDIndex.all());
            SDVariable scores = sd.mmul(qh, kh, true, false, false).mul(scale).add(keyBias); // [b, tq, tk]
            SDVariable probs = sd.nn().softmax(scores, 2);
            ctx[h] = sd.mmul(vh, probs, false, true, false);                               // [b, d, tq]
        }
        SDVariable context = heads == 1 ? ctx[0] : sd.concat(1, ctx);
        SDVariable attn = SdOps.dense(sd, context, p.get("Wo"), p.get("bo"));
        SDVariable x1 = SdOps.layerNorm(sd, x.add(attn), p.get("ln1g"), p.get("ln1b"));
        SDVariable ff = SdOps.dense(sd, SdOps.gelu(sd, SdOps.dense(sd, x1, p.get("W1"), p.get("b1"))), p.get("W2"), p.get("b2"));
        SDVariable out = SdOps.layerNorm(sd, x1.add(ff), p.get("ln2g"), p.get("ln2b"));
        return sd.concat(1, out, mask);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        for (String n : new String[]{"q", "k", "v", "o"}) {
            params.addWeightParam("W" + n, 1, hidden, hidden);
            params.addBiasParam("b" + n, hidden);
        }
        params.addWeightParam("ln1g", hidden);
        params.addBiasParam("ln1b", hidden);
        params.addWeightParam("W1", 1, hidden, intermediate);
        params.addBiasParam("b1", intermediate);
        params.addWeightParam("W2", 1, intermediate, hidden);
        params.addBiasParam("b2", hidden);
        params.addWeightParam("ln2g", hidden);
        params.addBiasParam("ln2b", hidden);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        SdOps.initByName(params);
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

    public int getHidden() { return hidden; }
    public void setHidden(int v) { hidden = v; }
    public int getHeads() { return heads; }
    public void setHeads(int v) { heads = v; }
    public int getIntermediate() { return intermediate; }
    public void setIntermediate(int v) { intermediate = v; }
    public int getSeqLen() { return seqLen; }
    public void setSeqLen(int v) { seqLen = v; }
}
