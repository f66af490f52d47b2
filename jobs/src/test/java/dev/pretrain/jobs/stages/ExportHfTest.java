package dev.pretrain.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pretrain.model.bert.BertConfig;
import dev.pretrain.model.bert.BertModel;
import dev.pretrain.model.bert.BertModelIO;
import dev.pretrain.model.export.HfBertExport;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The export stage's hf/ folder from a train-bert output folder (model.zip, config.json, vocab.txt). */
class ExportHfTest {
    @Test
    void trainBertFolderBecomesHfFolder(@TempDir Path tmp) throws Exception {
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        while (vocab.size() < 40) vocab.add("w" + vocab.size());
        BertConfig cfg = BertConfig.tiny(vocab.size()).withSequence(12, 3);
        ComputationGraph net = BertModel.build(cfg);
        Path bert = Files.createDirectories(tmp.resolve("bert"));
        try (OutputStream out = Files.newOutputStream(bert.resolve("model.zip"))) {
            BertModelIO.save(net, out);
        }
        Files.writeString(bert.resolve("config.json"), cfg.toJson());
        Files.write(bert.resolve("vocab.txt"), vocab);

        Path hf = tmp.resolve("export/hf");
        int n = ExportStage.exportHf(bert.toString(), hf.toString(), new Configuration());
        Map<String, HfBertExport.Tensor> expected = HfBertExport.stateDict(net, cfg);
        assertEquals(expected.size(), n);
        Map<String, HfBertExport.Tensor> written;
        try (InputStream in = Files.newInputStream(hf.resolve("model.safetensors"))) {
            written = HfBertExport.readSafetensors(in);
        }
        assertEquals(expected.keySet(), written.keySet());
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k).shape(), written.get(k).shape(), k);
            assertArrayEquals(expected.get(k).data(), written.get(k).data(), k);
        }
        JsonNode c = new ObjectMapper().readTree(hf.resolve("config.json").toFile());
        assertEquals(40, c.get("vocab_size").asInt());
        assertEquals(12, c.get("max_position_embeddings").asInt());
        // the dropout training applied (none), as train-bert's own config.json states it
        assertEquals(0.0, c.get("hidden_dropout_prob").asDouble());
        assertEquals(0.0, c.get("attention_probs_dropout_prob").asDouble());
        assertEquals(0.0, new ObjectMapper().readTree(bert.resolve("config.json").toFile()).get("hidden_dropout_prob")
                .asDouble());
        JsonNode t = new ObjectMapper().readTree(hf.resolve("tokenizer_config.json").toFile());
        assertTrue(t.get("do_lower_case").asBoolean(), "no upper-case token in the vocab");
        assertEquals(vocab, Files.readAllLines(hf.resolve("vocab.txt")));

        Files.write(bert.resolve("vocab.txt"), vocab.subList(0, 30));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExportStage.exportHf(bert.toString(), tmp.resolve("bad").toString(), new Configuration()));
        assertTrue(e.getMessage().contains("vocab_size"), e.getMessage());
    }
}
