package dev.pretrain.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.model.bert.BertConfig;
import dev.pretrain.model.bert.BertExample;
import dev.pretrain.model.bert.BertModel;
import dev.pretrain.model.bert.BertModelIO;
import dev.pretrain.model.export.HfBertExport;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-bert's model sizes and --bert-config files, and the HF export of a non-default size. */
class BertSizesTest {
    private static final BertExample SAMPLE = new BertExample(new int[16], new int[16], new int[16], new int[3],
            new int[3], new float[3], 0);

    private static BertStage.Options options(String model, String bertConfig) {
        return new BertStage.Options("ex", "vocab.txt", "out", model, null, 0, 0, 0, 0, 0, bertConfig);
    }

    @Test
    void namedSizesAndConfigFiles(@TempDir Path tmp) throws Exception {
        Configuration hconf = new Configuration();
        StageReport report = new StageReport("train-bert");
        BertConfig small = BertStage.config(options("small", null), 50, SAMPLE, hconf, report);
        assertEquals(List.of(4, 512, 8, 2048, 16, 3), List.of(small.getNumHiddenLayers(), small.getHiddenSize(),
                small.getNumAttentionHeads(), small.getIntermediateSize(), small.getMaxPositionEmbeddings(),
                small.getMaxPredictionsPerSeq()));
        assertEquals(128, BertStage.config(options(null, null), 50, SAMPLE, hconf, report).getHiddenSize());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> BertStage.config(options("xl", null), 50, SAMPLE, hconf, report));
        assertTrue(unknown.getMessage().contains("tiny, mini, small, medium, base, large"), unknown.getMessage());

        Path file = tmp.resolve("bert_config.json");
        Files.writeString(file, """
                {"attention_probs_dropout_prob": 0.1, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
                 "hidden_size": 256, "initializer_range": 0.02, "intermediate_size": 1024,
                 "max_position_embeddings": 16, "num_attention_heads": 4, "num_hidden_layers": 4,
                 "type_vocab_size": 2, "vocab_size": 50}""");
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        BertConfig fromFile;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            fromFile = BertStage.config(options(null, file.toString()), 50, SAMPLE, hconf, report);
        } finally {
            System.setErr(err);
        }
        assertEquals(BertConfig.preset("mini", 50).withSequence(16, 3), fromFile);
        assertEquals(0.0, fromFile.getHiddenDropoutProb());
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("hidden_dropout_prob 0.1 in " + file + " is not applied (no dropout yet)"), printed);
        assertEquals(2, ((List<?>) report.get("config_warnings")).size());

        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> BertStage.config(options("mini", file.toString()), 50, SAMPLE, hconf, report));
        assertTrue(both.getMessage().contains("not both"), both.getMessage());
        IllegalArgumentException vocab = assertThrows(IllegalArgumentException.class,
                () -> BertStage.config(options(null, file.toString()), 51, SAMPLE, hconf, report));
        assertTrue(vocab.getMessage().contains(file + ": vocab_size 50 differs from the 51 tokens of vocab.txt"),
                vocab.getMessage());
    }

    @Test
    void smallModelExportsHfConfigWithItsSizes(@TempDir Path tmp) throws Exception {
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        while (vocab.size() < 40) vocab.add("w" + vocab.size());
        BertConfig cfg = BertConfig.preset("small", vocab.size()).withSequence(12, 3);
        Path bert = Files.createDirectories(tmp.resolve("bert"));
        try (OutputStream out = Files.newOutputStream(bert.resolve("model.zip"))) {
            BertModelIO.save(BertModel.build(cfg), out);
        }
        Files.writeString(bert.resolve("config.json"), cfg.toJson());
        Files.write(bert.resolve("vocab.txt"), vocab);
        Path hf = tmp.resolve("hf");
        int tensors = ExportStage.exportHf(bert.toString(), hf.toString(), new Configuration());
        JsonNode c = new ObjectMapper().readTree(hf.resolve("config.json").toFile());
        assertEquals(4, c.get("num_hidden_layers").asInt());
        assertEquals(512, c.get("hidden_size").asInt());
        assertEquals(8, c.get("num_attention_heads").asInt());
        assertEquals(2048, c.get("intermediate_size").asInt());
        assertEquals(40, c.get("vocab_size").asInt());
        assertEquals(12, c.get("max_position_embeddings").asInt());
        Map<String, HfBertExport.Tensor> written;
        try (InputStream in = Files.newInputStream(hf.resolve("model.safetensors"))) {
            written = HfBertExport.readSafetensors(in);
        }
        assertEquals(tensors, written.size());
        assertArrayEquals(new long[] {2048, 512},
                written.get("bert.encoder.layer.3.intermediate.dense.weight").shape());
        assertFalse(written.containsKey("bert.encoder.layer.4.intermediate.dense.weight"));
    }
}
