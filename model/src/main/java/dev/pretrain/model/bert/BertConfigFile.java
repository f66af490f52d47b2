package dev.pretrain.model.bert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pretrain.model.export.HfBertExport;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an architecture from Google BERT's {@code bert_config.json} (Devlin et al. 2019, {@code modeling.py}'s
 * {@code BertConfig}) or a HuggingFace BERT {@code config.json} into a {@link BertConfig}.
 *
 * <p>Keys and how they are taken:
 * <ul>
 *   <li>{@code hidden_size}, {@code num_hidden_layers}, {@code num_attention_heads}, {@code intermediate_size}:
 *       required, used as they are.</li>
 *   <li>{@code vocab_size}: must equal the vocab file's size; absent, the vocab's size is used.</li>
 *   <li>{@code max_position_embeddings}: must be at least the examples' sequence length; the model's position
 *       table has that sequence length (see {@link BertConfig}), a warning says so when the file's value is
 *       larger.</li>
 *   <li>{@code hidden_dropout_prob}, {@code attention_probs_dropout_prob}: {@link BertModel} applies no dropout,
 *       so a value other than 0 gives a warning and the config records 0.0 (what training really does).</li>
 *   <li>{@code hidden_act}: {@code gelu} (Google's tanh form, which the model computes; in a HF file {@code gelu}
 *       is the erf form, which the tanh form approximates closely), {@code gelu_new} or {@code gelu_pytorch_tanh}
 *       (HF names of the tanh form).</li>
 *   <li>{@code type_vocab_size} 2, {@code initializer_range} 0.02, {@code layer_norm_eps}
 *       {@link HfBertExport#LAYER_NORM_EPS}, {@code position_embedding_type} absolute, {@code is_decoder} and
 *       {@code add_cross_attention} false, {@code chunk_size_feed_forward} 0: any other value is refused.</li>
 *   <li>HF metadata ({@code architectures}, {@code model_type}, {@code transformers_version}, {@code torch_dtype},
 *       token ids, ...) and Google's multilingual {@code pooler_*}/{@code directionality} keys are ignored, as are
 *       this project's own {@code config.json} keys ({@code max_predictions_per_seq}, {@code seed},
 *       {@code fused_*}), which keep their defaults (prediction count and sequence come from the examples).</li>
 *   <li>Any other key is refused: it might change the architecture.</li>
 * </ul>
 */
public final class BertConfigFile {
    /** A config read from a file, and the warnings (one line each) about what it states but is not applied. */
    public record Result(BertConfig config, List<String> warnings) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> IGNORED = Set.of("architectures", "model_type", "transformers_version",
            "torch_dtype", "pad_token_id", "bos_token_id", "eos_token_id", "gradient_checkpointing", "use_cache",
            "classifier_dropout", "tie_word_embeddings", "id2label", "label2id", "finetuning_task", "problem_type",
            "output_past", "directionality", "pooler_fc_size", "pooler_num_attention_heads", "pooler_num_fc_layers",
            "pooler_size_per_head", "pooler_type", "max_predictions_per_seq", "seed", "fused_blocks",
            "fused_mlm_output", "_name_or_path");
    private static final Set<String> GELU = Set.of("gelu", "gelu_new", "gelu_pytorch_tanh");

    private BertConfigFile() {}

    /**
     * @param json      the file's text
     * @param file      its path, named in errors and warnings
     * @param vocabSize size of the vocab file the model is trained with
     * @param vocabFile that file's path, named in errors
     * @param seqLength the examples' sequence length (the model's position table size)
     * @param maxPredictions the examples' masked positions per sequence
     * @throws IllegalArgumentException naming {@code file} and the key when the JSON is malformed, a required key is
     *                                  missing, a value is unsupported or invalid, or the vocab sizes differ
     */
    public static Result parse(String json, String file, int vocabSize, String vocabFile, int seqLength,
                               int maxPredictions) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object (bert_config.json or HF config.json)");
        }
        List<String> warnings = new ArrayList<>();
        BertConfig c = new BertConfig();
        c.setHiddenSize(requiredInt(n, "hidden_size", file));
        c.setNumHiddenLayers(requiredInt(n, "num_hidden_layers", file));
        c.setNumAttentionHeads(requiredInt(n, "num_attention_heads", file));
        c.setIntermediateSize(requiredInt(n, "intermediate_size", file));
        if (n.has("vocab_size")) {
            int v = requiredInt(n, "vocab_size", file);
            if (v != vocabSize) {
                throw new IllegalArgumentException(file + ": vocab_size " + v + " differs from the " + vocabSize
                        + " tokens of " + vocabFile + " (give the vocab the config was made for, or remove vocab_size)");
            }
        }
        c.setVocabSize(vocabSize);
        if (n.has("max_position_embeddings")) {
            int t = requiredInt(n, "max_position_embeddings", file);
            if (t < seqLength) {
                throw new IllegalArgumentException(file + ": max_position_embeddings " + t
                        + " is shorter than the examples' sequence length " + seqLength);
            }
            if (t > seqLength) {
                warnings.add("warning: max_position_embeddings " + t + " in " + file + " is not used: the position"
                        + " table has the examples' sequence length " + seqLength);
            }
        }
        c.setMaxPositionEmbeddings(seqLength);
        c.setMaxPredictionsPerSeq(maxPredictions);
        for (String key : List.of("hidden_dropout_prob", "attention_probs_dropout_prob")) {
            if (n.has(key)) {
                double p = requiredNumber(n, key, file);
                if (p < 0 || p >= 1) {
                    throw new IllegalArgumentException(file + ": " + key + " " + p + " is not in [0, 1)");
                }
                if (p != 0) {
                    warnings.add("warning: " + key + " " + p + " in " + file
                            + " is not applied (no dropout yet); the model's config records 0.0");
                }
            }
        }
        if (n.has("hidden_act")) {
            String act = n.get("hidden_act").asText();
            if (!GELU.contains(act)) {
                throw new IllegalArgumentException(file + ": hidden_act '" + act + "' is not supported (the model"
                        + " uses GELU: gelu, gelu_new or gelu_pytorch_tanh)");
            }
        }
        expect(n, "type_vocab_size", 2.0, file);
        expect(n, "initializer_range", 0.02, file);
        expect(n, "layer_norm_eps", HfBertExport.LAYER_NORM_EPS, file);
        expect(n, "chunk_size_feed_forward", 0.0, file);
        for (Map.Entry<String, String> e : Map.of("position_embedding_type", "absolute", "is_decoder", "false",
                "add_cross_attention", "false").entrySet()) {
            if (n.has(e.getKey()) && !n.get(e.getKey()).asText().equals(e.getValue())) {
                throw new IllegalArgumentException(file + ": " + e.getKey() + " " + n.get(e.getKey())
                        + " is not supported (the model has " + e.getKey() + " " + e.getValue() + ")");
            }
        }
        Set<String> handled = Set.of("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                "vocab_size", "max_position_embeddings", "hidden_dropout_prob", "attention_probs_dropout_prob",
                "hidden_act", "type_vocab_size", "initializer_range", "layer_norm_eps", "chunk_size_feed_forward",
                "position_embedding_type", "is_decoder", "add_cross_attention");
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!handled.contains(key) && !IGNORED.contains(key)) {
                throw new IllegalArgumentException(file + ": unknown key '" + key + "' (it may change the"
                        + " architecture; this reader knows Google's bert_config.json and HF BertConfig keys)");
            }
        }
        try {
            c.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return new Result(c, List.copyOf(warnings));
    }

    private static int requiredInt(JsonNode n, String key, String file) {
        JsonNode v = n.get(key);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(file + ": " + key + (v == null ? " is missing" : " must be an integer, got " + v));
        }
        return v.intValue();
    }

    private static double requiredNumber(JsonNode n, String key, String file) {
        JsonNode v = n.get(key);
        if (!v.isNumber()) {
            throw new IllegalArgumentException(file + ": " + key + " must be a number, got " + v);
        }
        return v.doubleValue();
    }

    private static void expect(JsonNode n, String key, double supported, String file) {
        if (n.has(key) && requiredNumber(n, key, file) != supported) {
            throw new IllegalArgumentException(file + ": " + key + " " + n.get(key) + " is not supported (the model"
                    + " has " + key + " " + supported + ")");
        }
    }
}
