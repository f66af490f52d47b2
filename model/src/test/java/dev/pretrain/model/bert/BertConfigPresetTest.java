package dev.pretrain.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Named sizes (Turc et al. 2019, Devlin et al. 2019), their parameter counts, and bert_config.json / HF config.json. */
class BertConfigPresetTest {
    private static void assertSize(BertConfig c, int layers, int hidden, int heads, int ffn) {
        assertEquals(layers, c.getNumHiddenLayers());
        assertEquals(hidden, c.getHiddenSize());
        assertEquals(heads, c.getNumAttentionHeads());
        assertEquals(ffn, c.getIntermediateSize());
    }

    @Test
    void presetsFollowTheTurcGridAndGoogleBaseLarge() {
        assertEquals(List.of("tiny", "mini", "small", "medium", "base", "large"), BertConfig.presetNames());
        assertSize(BertConfig.preset("tiny", 100), 2, 128, 2, 512);
        assertSize(BertConfig.preset("mini", 100), 4, 256, 4, 1024);
        assertSize(BertConfig.preset("small", 100), 4, 512, 8, 2048);
        assertSize(BertConfig.preset("medium", 100), 8, 512, 8, 2048);
        assertSize(BertConfig.preset("base", 100), 12, 768, 12, 3072);
        assertSize(BertConfig.preset("large", 100), 24, 1024, 16, 4096);
        assertEquals(BertConfig.preset("mini", 100), BertConfig.mini(100));
        assertEquals(100, BertConfig.preset("large", 100).getVocabSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BertConfig.preset("huge", 100));
        assertTrue(e.getMessage().contains("'huge'") && e.getMessage().contains("tiny, mini, small, medium, base, large"),
                e.getMessage());
    }

    @Test
    void baseParameterCountIsBertModelPlusPretrainingHeads() {
        BertConfig base = BertConfig.preset("base", 30522).withSequence(512, 76);
        long h = 768, v = 30522, t = 512, i = 3072;
        long embeddings = v * h + t * h + 2 * h + 2 * h;
        long layer = (4 * h * h + 4 * h) + (2 * h * i + i + h) + 4 * h;
        long pooler = h * h + h;
        long bertModel = embeddings + 12 * layer + pooler;
        // HF BertModel (bert-base-uncased, without the pre-training heads) has 109,482,240 parameters.
        assertEquals(109_482_240L, bertModel);
        // plus the MLM transform (dense + layer norm), the untied MLM decoder (weight + bias) and the NSP layer
        long heads = (h * h + 3 * h) + (h * v + v) + (2 * h + 2);
        assertEquals(bertModel + heads, base.parameterCount());
        assertEquals(133_547_324L, base.parameterCount());
    }

    static final String GOOGLE_BASE = """
            {
              "attention_probs_dropout_prob": 0.1,
              "hidden_act": "gelu",
              "hidden_dropout_prob": 0.1,
              "hidden_size": 512,
              "initializer_range": 0.02,
              "intermediate_size": 2048,
              "max_position_embeddings": 512,
              "num_attention_heads": 8,
              "num_hidden_layers": 4,
              "type_vocab_size": 2,
              "vocab_size": 60
            }""";

    @Test
    void googleConfigIsReadWithDropoutWarnedAndRecordedAsZero() {
        BertConfigFile.Result r = BertConfigFile.parse(GOOGLE_BASE, "gs://b/bert_config.json", 60, "v.txt", 16, 3);
        BertConfig c = r.config();
        assertSize(c, 4, 512, 8, 2048);
        assertEquals(60, c.getVocabSize());
        assertEquals(16, c.getMaxPositionEmbeddings());
        assertEquals(3, c.getMaxPredictionsPerSeq());
        assertEquals(0.0, c.getHiddenDropoutProb());
        assertEquals(0.0, c.getAttentionProbsDropoutProb());
        assertEquals(c, BertConfig.fromJson(c.toJson()));
        assertEquals(3, r.warnings().size(), r.warnings().toString());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("hidden_dropout_prob 0.1 in gs://b/bert_config.json"
                + " is not applied (no dropout yet)")), r.warnings().toString());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("max_position_embeddings 512")), r.warnings().toString());
    }

    @Test
    void hfConfigIsReadAndVocabSizeMayComeFromTheVocab() {
        String hf = """
                {"architectures": ["BertForMaskedLM"], "model_type": "bert", "transformers_version": "4.40.0",
                 "hidden_size": 256, "num_hidden_layers": 4, "num_attention_heads": 4, "intermediate_size": 1024,
                 "hidden_act": "gelu", "layer_norm_eps": 1e-12, "position_embedding_type": "absolute",
                 "pad_token_id": 0, "use_cache": true, "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
                 "max_position_embeddings": 16, "type_vocab_size": 2}""";
        BertConfigFile.Result r = BertConfigFile.parse(hf, "config.json", 77, "v.txt", 16, 3);
        assertEquals(BertConfig.preset("mini", 77).withSequence(16, 3), r.config());
        assertEquals(List.of(), r.warnings());
    }

    @Test
    void unsupportedValuesAndMismatchesAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BertConfigFile.parse(GOOGLE_BASE, "cfg.json", 61, "vocab.txt", 16, 3));
        assertTrue(e.getMessage().contains("cfg.json: vocab_size 60 differs from the 61 tokens of vocab.txt"), e.getMessage());
        String[][] bad = {
                {"\"hidden_act\": \"gelu\"", "\"hidden_act\": \"relu\"", "hidden_act 'relu'"},
                {"\"type_vocab_size\": 2", "\"type_vocab_size\": 2, \"position_embedding_type\": \"relative_key\"",
                        "position_embedding_type \"relative_key\" is not supported"},
                {"\"type_vocab_size\": 2", "\"type_vocab_size\": 2, \"rotary_dim\": 64", "unknown key 'rotary_dim'"},
                {"\"initializer_range\": 0.02", "\"initializer_range\": 0.05", "initializer_range 0.05"},
                {"\"hidden_size\": 512,", "", "hidden_size is missing"},
                {"\"num_attention_heads\": 8", "\"num_attention_heads\": 7", "must be a positive multiple"},
                {"\"max_position_embeddings\": 512", "\"max_position_embeddings\": 8", "shorter than the examples'"},
        };
        for (String[] b : bad) {
            String json = GOOGLE_BASE.replace(b[0], b[1]);
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                    () -> BertConfigFile.parse(json, "cfg.json", 60, "vocab.txt", 16, 3), b[2]);
            assertTrue(x.getMessage().startsWith("cfg.json: ") && x.getMessage().contains(b[2]), x.getMessage());
        }
    }
}
