package dev.pretrain.model.bert;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * BERT architecture hyper-parameters. JSON form uses the key names of Google BERT's {@code bert_config.json}
 * ({@code vocab_size}, {@code hidden_size}, {@code num_hidden_layers}, {@code num_attention_heads},
 * {@code intermediate_size}, {@code max_position_embeddings}, {@code type_vocab_size}, {@code hidden_dropout_prob},
 * {@code attention_probs_dropout_prob}) plus {@code max_predictions_per_seq} (a {@code run_pretraining.py} flag)
 * and {@code seed}. Unknown keys (e.g. {@code hidden_act}, {@code initializer_range}) are ignored on read.
 *
 * <p>The dropout keys state the dropout {@link BertModel} really applies, which is none: both default to 0.0 and
 * {@link #validate()} refuses any other value (a config may not promise regularisation that training does not do).
 * Google's and HuggingFace's files say 0.1: {@link BertConfigFile} (train-bert {@code --bert-config}) reads them,
 * warns that the dropout is not applied and records 0.0. Exports
 * ({@code config.json}, HuggingFace {@code config.json}) copy these fields.
 *
 * <p>{@code maxPositionEmbeddings} is also the fixed sequence length (max_seq_length) of every batch:
 * position embeddings are a learned {@code [hidden, maxPositionEmbeddings]} table added in full.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class BertConfig implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @JsonProperty("vocab_size") private int vocabSize;
    @JsonProperty("hidden_size") private int hiddenSize = 128;
    @JsonProperty("num_hidden_layers") private int numHiddenLayers = 2;
    @JsonProperty("num_attention_heads") private int numAttentionHeads = 2;
    @JsonProperty("intermediate_size") private int intermediateSize = 512;
    @JsonProperty("max_position_embeddings") private int maxPositionEmbeddings = 128;
    @JsonProperty("type_vocab_size") private int typeVocabSize = 2;
    @JsonProperty("hidden_dropout_prob") private double hiddenDropoutProb = 0.0;
    @JsonProperty("attention_probs_dropout_prob") private double attentionProbsDropoutProb = 0.0;
    @JsonProperty("max_predictions_per_seq") private int maxPredictionsPerSeq = 20;
    @JsonProperty("seed") private long seed = 12345L;
    /**
     * Encoder block implementation (not a Google BERT key): true (default) = {@link BertFusedTransformerBlock}
     * (hand-written forward/backward; same function, parameter names, shapes and order; about 4x faster per step
     * than the SameDiff block on one core, see docs/BENCHMARKS.md "bert-vs-torch"), false = the SameDiff
     * {@link BertTransformerBlock}.
     */
    @JsonProperty("fused_blocks") private boolean fusedBlocks = true;
    /**
     * MLM decoder implementation (not a Google BERT key): true (default) = {@link BertMlmOutputLayer} (one-pass fused
     * softmax cross-entropy; same parameters, labels, mask and score), false = DL4J's {@code RnnOutputLayer} with
     * {@code LossSparseMCXENT}.
     */
    @JsonProperty("fused_mlm_output") private boolean fusedMlmOutput = true;

    /** Creates a config with BERT-tiny defaults and vocab size 0 (set it before use). */
    public BertConfig() {
    }

    /**
     * The named sizes, {@code {layers L, hidden H, heads A, feed-forward I}}: Turc et al. 2019 ("Well-Read Students
     * Learn Better", the 24 small BERTs released with Google's BERT code) for tiny, mini, small and medium, with
     * A = H/64 and I = 4H; Devlin et al. 2019 BERT-base (L12 H768 A12 I3072) and BERT-large (L24 H1024 A16 I4096).
     */
    private static final Map<String, int[]> PRESETS = presets();

    private static Map<String, int[]> presets() {
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("tiny", new int[] {2, 128, 2, 512});
        m.put("mini", new int[] {4, 256, 4, 1024});
        m.put("small", new int[] {4, 512, 8, 2048});
        m.put("medium", new int[] {8, 512, 8, 2048});
        m.put("base", new int[] {12, 768, 12, 3072});
        m.put("large", new int[] {24, 1024, 16, 4096});
        return Collections.unmodifiableMap(m);
    }

    /** The names {@link #preset} accepts, smallest first: tiny, mini, small, medium, base, large. */
    public static List<String> presetNames() {
        return List.copyOf(PRESETS.keySet());
    }

    /**
     * A named size (see {@link #presetNames()}) for this vocabulary, with sequence length 128, 20 predictions per
     * sequence, no dropout and the other defaults.
     *
     * @throws IllegalArgumentException naming the accepted names if {@code name} is not one of them, or if
     *                                  {@code vocabSize} is invalid
     */
    public static BertConfig preset(String name, int vocabSize) {
        int[] p = PRESETS.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown BERT model size '" + name + "': expected one of "
                    + String.join(", ", PRESETS.keySet()));
        }
        BertConfig c = new BertConfig();
        c.vocabSize = vocabSize;
        c.numHiddenLayers = p[0];
        c.hiddenSize = p[1];
        c.numAttentionHeads = p[2];
        c.intermediateSize = p[3];
        return c.validate();
    }

    /** BERT-tiny (Turc et al. 2019): L=2, H=128, A=2, FFN 512, seq 128, 20 predictions; {@code preset("tiny", v)}. */
    public static BertConfig tiny(int vocabSize) {
        return preset("tiny", vocabSize);
    }

    /** BERT-mini (Turc et al. 2019): L=4, H=256, A=4, FFN 1024, seq 128, 20 predictions; {@code preset("mini", v)}. */
    public static BertConfig mini(int vocabSize) {
        return preset("mini", vocabSize);
    }

    /** Copy of this config with another sequence length and prediction count (for small tests). */
    public BertConfig withSequence(int maxSeqLength, int maxPredictions) {
        BertConfig c = fromJson(toJson());
        c.maxPositionEmbeddings = maxSeqLength;
        c.maxPredictionsPerSeq = maxPredictions;
        c.validate();
        return c;
    }

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the first bad field (a dropout probability other than 0.0 included:
     *                                  the model applies no dropout)
     */
    public BertConfig validate() {
        if (vocabSize < 5) throw new IllegalArgumentException("BertConfig: vocab_size must be >= 5, got " + vocabSize);
        if (hiddenSize < 1 || numAttentionHeads < 1 || hiddenSize % numAttentionHeads != 0)
            throw new IllegalArgumentException("BertConfig: hidden_size (" + hiddenSize
                    + ") must be a positive multiple of num_attention_heads (" + numAttentionHeads + ")");
        if (numHiddenLayers < 1) throw new IllegalArgumentException("BertConfig: num_hidden_layers must be >= 1");
        if (intermediateSize < 1) throw new IllegalArgumentException("BertConfig: intermediate_size must be >= 1");
        if (maxPositionEmbeddings < 3) throw new IllegalArgumentException("BertConfig: max_position_embeddings must be >= 3");
        if (typeVocabSize != 2) throw new IllegalArgumentException("BertConfig: type_vocab_size must be 2, got " + typeVocabSize);
        if (maxPredictionsPerSeq < 1 || maxPredictionsPerSeq > maxPositionEmbeddings)
            throw new IllegalArgumentException("BertConfig: max_predictions_per_seq must be in [1, max_position_embeddings]");
        if (hiddenDropoutProb < 0 || hiddenDropoutProb >= 1 || attentionProbsDropoutProb < 0 || attentionProbsDropoutProb >= 1)
            throw new IllegalArgumentException("BertConfig: dropout probabilities must be in [0, 1)");
        if (hiddenDropoutProb != 0 || attentionProbsDropoutProb != 0)
            throw new IllegalArgumentException("BertConfig: hidden_dropout_prob " + hiddenDropoutProb
                    + " and attention_probs_dropout_prob " + attentionProbsDropoutProb + " must be 0.0: BertModel applies"
                    + " no dropout, so any other value would misstate the training (config.json files written before"
                    + " this check said 0.1 wrongly; set both to 0.0)");
        return this;
    }

    /**
     * Number of float32 parameters of {@link BertModel#build(BertConfig)}'s graph for this config: embeddings
     * (token {@code V x H}, segment {@code 2 x H}, position {@code H x T}, layer norm {@code 2H}), per encoder layer
     * {@code 4H^2 + 4H} (attention) {@code + 2HI + I + H} (feed-forward) {@code + 4H} (two layer norms), the MLM
     * transform {@code H^2 + 3H}, the MLM decoder {@code HV + V}, the pooler {@code H^2 + H} and the NSP layer
     * {@code 2H + 2}. Used to bound what a checkpoint may hold.
     */
    public long parameterCount() {
        long h = hiddenSize, v = vocabSize, t = maxPositionEmbeddings, i = intermediateSize;
        long embeddings = v * h + (long) typeVocabSize * h + h * t + 2 * h;
        long layer = 4 * h * h + 4 * h + 2 * h * i + i + h + 4 * h;
        long heads = (h * h + 3 * h) + (h * v + v) + (h * h + h) + (2 * h + 2);
        return embeddings + numHiddenLayers * layer + heads;
    }

    /** JSON with BERT's config.json key names. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("BertConfig: cannot write JSON", e);
        }
    }

    /**
     * Parses {@link #toJson()} output or a Google {@code bert_config.json}.
     *
     * @throws IllegalArgumentException if the JSON is malformed or a value is invalid
     */
    public static BertConfig fromJson(String json) {
        try {
            return JSON.readValue(json, BertConfig.class).validate();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("BertConfig: malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    public int getVocabSize() { return vocabSize; }
    public void setVocabSize(int v) { vocabSize = v; }
    public int getHiddenSize() { return hiddenSize; }
    public void setHiddenSize(int v) { hiddenSize = v; }
    public int getNumHiddenLayers() { return numHiddenLayers; }
    public void setNumHiddenLayers(int v) { numHiddenLayers = v; }
    public int getNumAttentionHeads() { return numAttentionHeads; }
    public void setNumAttentionHeads(int v) { numAttentionHeads = v; }
    public int getIntermediateSize() { return intermediateSize; }
    public void setIntermediateSize(int v) { intermediateSize = v; }
    public int getMaxPositionEmbeddings() { return maxPositionEmbeddings; }
    public void setMaxPositionEmbeddings(int v) { maxPositionEmbeddings = v; }
    public int getTypeVocabSize() { return typeVocabSize; }
    public void setTypeVocabSize(int v) { typeVocabSize = v; }
    public double getHiddenDropoutProb() { return hiddenDropoutProb; }
    public void setHiddenDropoutProb(double v) { hiddenDropoutProb = v; }
    public double getAttentionProbsDropoutProb() { return attentionProbsDropoutProb; }
    public void setAttentionProbsDropoutProb(double v) { attentionProbsDropoutProb = v; }
    public int getMaxPredictionsPerSeq() { return maxPredictionsPerSeq; }
    public void setMaxPredictionsPerSeq(int v) { maxPredictionsPerSeq = v; }
    public long getSeed() { return seed; }
    public void setSeed(long v) { seed = v; }
    public boolean isFusedBlocks() { return fusedBlocks; }
    public void setFusedBlocks(boolean v) { fusedBlocks = v; }

    public boolean isFusedMlmOutput() { return fusedMlmOutput; }
    public void setFusedMlmOutput(boolean v) { fusedMlmOutput = v; }

    /** Copy of this config with the given MLM decoder implementation (see {@code fused_mlm_output}). */
    public BertConfig withFusedMlmOutput(boolean fused) {
        BertConfig c = fromJson(toJson());
        c.fusedMlmOutput = fused;
        return c;
    }

    /** Copy of this config with the given encoder block implementation (see {@code fused_blocks}). */
    public BertConfig withFusedBlocks(boolean fused) {
        BertConfig c = fromJson(toJson());
        c.fusedBlocks = fused;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BertConfig c && toJson().equals(c.toJson());
    }

    @Override
    public int hashCode() {
        return Objects.hash(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, maxPositionEmbeddings, seed);
    }

    @Override
    public String toString() {
        return "BertConfig" + toJson().replaceAll("\\s+", " ");
    }
}
