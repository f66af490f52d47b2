package dev.pretrain.model.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pretrain.model.bert.BertBatches;
import dev.pretrain.model.bert.BertConfig;
import dev.pretrain.model.bert.BertExample;
import dev.pretrain.model.bert.BertModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link HfBertExport}: safetensors layout, parameter names/shapes, and (when /usr/bin/python3 has torch) a plain
 * PyTorch BertForPreTraining forward pass over the exported folder (src/test/python/check_hf_export.py) matching
 * the DL4J graph's outputs.
 */
class HfBertExportTest {
    static final int VOCAB = 97, SEQ = 16, PRED = 4, BATCH = 3;
    static BertConfig cfg;
    static ComputationGraph net;
    static List<String> vocab;

    @BeforeAll
    static void build() {
        cfg = BertConfig.tiny(VOCAB).withSequence(SEQ, PRED);
        net = BertModel.build(cfg);
        // every parameter random (seeded), so that LN gains, biases and all transposes matter
        Random rnd = new Random(7);
        float[] p = new float[(int) net.numParams()];
        for (int i = 0; i < p.length; i++) p[i] = (float) (rnd.nextGaussian() * 0.3);
        net.setParams(Nd4j.create(p, new long[]{1, p.length}, DataType.FLOAT));
        vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        while (vocab.size() < VOCAB) vocab.add("w" + vocab.size());
    }

    /** Seeded examples of this test's sizes (see {@link #examples(int, int, int, int)}). */
    static List<BertExample> examples() {
        return examples(SEQ, PRED, VOCAB, BATCH);
    }

    /**
     * Seeded examples: [CLS] A [SEP] B [SEP] then padding (lengths seq, 11/16 seq, 7/16 seq, ...), up to {@code pred}
     * masked positions (the third example has 2 padding predictions); token ids in [5, vocab).
     */
    static List<BertExample> examples(int seq, int pred, int vocabSize, int batch) {
        Random rnd = new Random(11);
        List<BertExample> out = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            int real = i == 2 ? Math.min(2, pred) : pred;
            int len = i == 0 ? seq : Math.max(2 * real + 3, seq * (i % 2 == 1 ? 11 : 7) / 16);
            int[] ids = new int[seq], mask = new int[seq], seg = new int[seq];
            int sepA = 1 + len / 2;
            for (int j = 0; j < len; j++) {
                ids[j] = j == 0 ? 2 : (j == sepA || j == len - 1) ? 3 : 5 + rnd.nextInt(vocabSize - 5);
                mask[j] = 1;
                seg[j] = j > sepA ? 1 : 0;
            }
            int[] pos = new int[pred], mids = new int[pred];
            float[] w = new float[pred];
            for (int k = 0; k < real; k++) {
                pos[k] = 1 + k * 2;
                mids[k] = ids[pos[k]];
                ids[pos[k]] = 4;
                w[k] = 1f;
            }
            out.add(new BertExample(ids, mask, seg, pos, mids, w, i % 2));
        }
        return out;
    }

    @Test
    void stateDictHasHfNamesAndShapes() {
        Map<String, HfBertExport.Tensor> sd = HfBertExport.stateDict(net, cfg);
        int h = cfg.getHiddenSize();
        assertEquals(5 + 16 * cfg.getNumHiddenLayers() + 2 + 5 + 1 + 2, sd.size(), sd.keySet().toString());
        assertArrayEquals(new long[]{VOCAB, h}, sd.get("bert.embeddings.word_embeddings.weight").shape());
        assertArrayEquals(new long[]{SEQ, h}, sd.get("bert.embeddings.position_embeddings.weight").shape());
        assertArrayEquals(new long[]{2, h}, sd.get("bert.embeddings.token_type_embeddings.weight").shape());
        assertArrayEquals(new long[]{cfg.getIntermediateSize(), h},
                sd.get("bert.encoder.layer.1.intermediate.dense.weight").shape());
        assertArrayEquals(new long[]{h, cfg.getIntermediateSize()}, sd.get("bert.encoder.layer.1.output.dense.weight").shape());
        assertArrayEquals(new long[]{VOCAB, h}, sd.get("cls.predictions.decoder.weight").shape());
        assertArrayEquals(new long[]{VOCAB}, sd.get("cls.predictions.bias").shape());
        assertArrayEquals(new long[]{2, h}, sd.get("cls.seq_relationship.weight").shape());
        // PyTorch Linear weight [out, in]: element [o][i] is DL4J's W[0, i, o]
        INDArray wq = net.getLayer("layer_0").paramTable().get("Wq");
        float[] hfq = sd.get("bert.encoder.layer.0.attention.self.query.weight").data();
        assertEquals(wq.getFloat(0, 5, 9), hfq[9 * h + 5]);
        INDArray pos = net.getLayer("embeddings").paramTable().get("pos");     // [1, H, T]
        assertEquals(pos.getFloat(0, 7, 3), sd.get("bert.embeddings.position_embeddings.weight").data()[3 * h + 7]);
        INDArray dec = net.getLayer("mlm").paramTable().get("W");              // [H, V]
        assertEquals(dec.getFloat(4, 50), sd.get("cls.predictions.decoder.weight").data()[50 * h + 4]);
    }

    @Test
    void safetensorsHeaderAndRoundTrip() throws IOException {
        Map<String, HfBertExport.Tensor> sd = new LinkedHashMap<>();
        sd.put("b", new HfBertExport.Tensor(new long[]{2, 3}, new float[]{1, 2, 3, 4, 5, -6.5f}));
        sd.put("a", new HfBertExport.Tensor(new long[]{1}, new float[]{Float.MIN_VALUE}));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        HfBertExport.writeSafetensors(sd, bytes);
        byte[] raw = bytes.toByteArray();
        long n = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to 8 bytes");
        assertEquals(8 + n + 4 * 7, raw.length);
        JsonNode header = new ObjectMapper().readTree(new String(raw, 8, (int) n, StandardCharsets.UTF_8));
        assertEquals("pt", header.get("__metadata__").get("format").asText());
        assertEquals("[0,4]", header.get("a").get("data_offsets").toString(), "tensors in name order");
        assertEquals("[4,28]", header.get("b").get("data_offsets").toString());
        assertEquals("[2,3]", header.get("b").get("shape").toString());
        assertEquals("F32", header.get("b").get("dtype").asText());
        assertEquals(-6.5f, ByteBuffer.wrap(raw, (int) (8 + n + 24), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
        Map<String, HfBertExport.Tensor> back = HfBertExport.readSafetensors(new ByteArrayInputStream(raw));
        assertArrayEquals(sd.get("b").data(), back.get("b").data());
        assertArrayEquals(sd.get("b").shape(), back.get("b").shape());
        assertArrayEquals(sd.get("a").data(), back.get("a").data());
        assertThrows(IOException.class, () -> HfBertExport.readSafetensors(
                new ByteArrayInputStream(raw, 0, raw.length - 3)), "truncated data");
    }

    @Test
    void configJsonHasBertForPreTrainingKeys() throws IOException {
        JsonNode c = new ObjectMapper().readTree(HfBertExport.configJson(cfg, HfBertExport.padTokenId(vocab)));
        assertEquals("BertForPreTraining", c.get("architectures").get(0).asText());
        assertEquals("bert", c.get("model_type").asText());
        assertEquals(VOCAB, c.get("vocab_size").asInt());
        assertEquals(128, c.get("hidden_size").asInt());
        assertEquals(2, c.get("num_hidden_layers").asInt());
        assertEquals(2, c.get("num_attention_heads").asInt());
        assertEquals(512, c.get("intermediate_size").asInt());
        assertEquals(SEQ, c.get("max_position_embeddings").asInt());
        assertEquals("gelu_new", c.get("hidden_act").asText());
        assertEquals(0, c.get("pad_token_id").asInt());
        assertEquals(false, c.get("tie_word_embeddings").asBoolean());
        // the dropout training really applies (none), read from the model config, not BERT's customary 0.1
        assertEquals(0.0, c.get("hidden_dropout_prob").asDouble());
        assertEquals(0.0, c.get("attention_probs_dropout_prob").asDouble());
        assertEquals(cfg.getHiddenDropoutProb(), c.get("hidden_dropout_prob").asDouble());
        assertEquals(cfg.getAttentionProbsDropoutProb(), c.get("attention_probs_dropout_prob").asDouble());
        JsonNode own = new ObjectMapper().readTree(cfg.toJson());
        assertEquals(0.0, own.get("hidden_dropout_prob").asDouble());
        assertEquals(0.0, own.get("attention_probs_dropout_prob").asDouble());
        // a config promising dropout the model does not apply is refused
        for (String key : List.of("hidden_dropout_prob", "attention_probs_dropout_prob")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BertConfig.fromJson("{\"vocab_size\": 60, \"" + key + "\": 0.1}"));
            assertTrue(e.getMessage().contains(key) && e.getMessage().contains("no dropout"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> HfBertExport.padTokenId(List.of("[UNK]")));
        assertThrows(IllegalArgumentException.class, () -> HfBertExport.checkVocab(cfg, vocab.subList(0, 10)));
    }

    /**
     * ND4J's layer_norm (used by our blocks) normalises by the standard deviation with no epsilon added to the
     * variance: a row with variance 1e-6 still comes out with unit variance. This is why config.json's
     * layer_norm_eps is 1e-12 (a 1e-5 eps would give 0.30 instead of 1 here).
     */
    @Test
    void nd4jLayerNormHasNoVarianceEpsilon() {
        INDArray x = Nd4j.create(new float[]{1e-3f, -1e-3f, 1e-3f, -1e-3f}, new long[]{1, 4, 1}, DataType.FLOAT);
        org.nd4j.autodiff.samediff.SameDiff sd = org.nd4j.autodiff.samediff.SameDiff.create();
        var in = sd.constant("x", x);
        var g = sd.constant("g", Nd4j.ones(DataType.FLOAT, 4));
        var b = sd.constant("b", Nd4j.zeros(DataType.FLOAT, 4));
        INDArray y = sd.nn().layerNorm(in, g, b, true, 1).eval();
        assertEquals(1.0, y.getDouble(0, 0, 0), 1e-3);
        assertEquals(-1.0, y.getDouble(0, 1, 0), 1e-3);
    }

    /** Exports, writes inputs + DL4J outputs, and runs check_hf_export.py when python3 has torch. */
    @Test
    void pytorchForwardOnExportMatchesDl4j(@TempDir Path tmp) throws Exception {
        Path dir = Path.of(System.getProperty("hf.check.dir", tmp.toString()));
        HfBertExport.write(net, cfg, vocab, true, dir.resolve("hf"));
        assertTrue(Files.size(dir.resolve("hf/model.safetensors")) > 4L * net.numParams());
        writeCase(net, cfg, examples(), dir);

        String python = System.getProperty("hf.check.python", "/usr/bin/python3");
        String reason = torchMissing(python);
        if (reason != null) {
            // CI (.ci/run) installs python3-torch and sets PRETRAIN_REQUIRE_TORCH=1: there a missing torch is a
            // failure, not a silent skip of the export check
            assertFalse("1".equals(System.getenv("PRETRAIN_REQUIRE_TORCH")), "PRETRAIN_REQUIRE_TORCH=1 but " + reason);
            System.out.println("HF-EXPORT-CHECK skipped: " + reason);
            Assumptions.abort(reason);
        }
        Path script = Path.of("src/test/python/check_hf_export.py").toAbsolutePath();
        Process p = new ProcessBuilder(python, script.toString(), dir.toString(), "1e-4").redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        System.out.print(log);
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("HF-EXPORT-CHECK tensors=" + HfBertExport.stateDict(net, cfg).size()), log);
    }

    /**
     * Writes {@code dir/case.json} for check_hf_export.py: the examples' input_ids, segment_ids, input_mask,
     * masked_lm_positions (padding predictions gather position 0) and the DL4J graph's outputs on them:
     * sequence_output [b, T, H] (last encoder layer), mlm_log_probs [b, P, V], nsp_log_probs [b, 2].
     */
    static void writeCase(ComputationGraph net, BertConfig cfg, List<BertExample> ex, Path dir) throws IOException {
        MultiDataSet mds = BertBatches.toMultiDataSet(ex, cfg);
        INDArray[] out = net.output(false, mds.getFeatures());
        Map<String, INDArray> acts = net.feedForward(mds.getFeatures(), false);
        String last = "layer_" + (cfg.getNumHiddenLayers() - 1);
        INDArray seq = acts.get(last).get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, cfg.getHiddenSize()),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).permute(0, 2, 1).dup('c');        // [b, T, H]
        INDArray mlm = Transforms.log(out[0].permute(0, 2, 1).dup('c'), true);                 // [b, P, V]
        INDArray nsp = Transforms.log(out[1], true);                                           // [b, 2]
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("input_ids", ex.stream().map(BertExample::inputIds).toList());
        c.put("segment_ids", ex.stream().map(BertExample::segmentIds).toList());
        c.put("input_mask", ex.stream().map(BertExample::inputMask).toList());
        c.put("masked_lm_positions", ex.stream().map(e -> {
            int[] p = e.maskedLmPositions().clone();
            for (int k = 0; k < p.length; k++) if (e.maskedLmWeights()[k] <= 0) p[k] = 0;  // padding gathers [CLS]
            return p;
        }).toList());
        c.put("sequence_output", nested(seq));
        c.put("mlm_log_probs", nested(mlm));
        c.put("nsp_log_probs", nsp.toFloatMatrix());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("case.json"), new ObjectMapper().writeValueAsString(c));
    }

    private static float[][][] nested(INDArray a) {
        float[][][] r = new float[(int) a.size(0)][][];
        for (int i = 0; i < r.length; i++) r[i] = a.slice(i).toFloatMatrix();
        return r;
    }

    /** Null if {@code python -c "import torch, numpy"} works, else why not. */
    static String torchMissing(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch, numpy").redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return python + " -c 'import torch' timed out";
            }
            return p.exitValue() == 0 ? null : python + " cannot import torch/numpy: "
                    + out.substring(Math.max(0, out.length() - 200));
        } catch (IOException e) {
            return "cannot run " + python + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
