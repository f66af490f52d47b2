package dev.pretrain.model.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pretrain.model.bert.BertConfig;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes a BERT graph built by {@link dev.pretrain.model.bert.BertModel} as a HuggingFace {@code transformers}
 * {@code BertForPreTraining} folder: {@code config.json}, {@code model.safetensors}, {@code vocab.txt} and
 * {@code tokenizer_config.json}, loadable with {@code BertForPreTraining.from_pretrained(dir)} and
 * {@code BertTokenizer.from_pretrained(dir)}.
 *
 * <p>Parameter mapping (ours, DL4J layout -> HF name, PyTorch layout; PyTorch {@code Linear.weight} is
 * {@code [out, in]}, so every dense weight is transposed):
 * <ul>
 *   <li>{@code token_embeddings.W [vocab, H]} -> {@code bert.embeddings.word_embeddings.weight [vocab, H]}</li>
 *   <li>{@code segment_embeddings.W [2, H]} -> {@code bert.embeddings.token_type_embeddings.weight [2, H]}</li>
 *   <li>{@code embeddings.pos [1, H, T]} -> {@code bert.embeddings.position_embeddings.weight [T, H]};
 *       {@code embeddings.lng/lnb [H]} -> {@code bert.embeddings.LayerNorm.weight/bias}</li>
 *   <li>{@code layer_i.Wq/Wk/Wv/Wo [1, H, H]} (kernel-1 conv1d, {@code [1, in, out]}) ->
 *       {@code bert.encoder.layer.i.attention.self.query/key/value.weight}, {@code attention.output.dense.weight}
 *       {@code [H, H]}; {@code bq/bk/bv/bo} -> the {@code .bias}; {@code ln1g/ln1b} ->
 *       {@code attention.output.LayerNorm}; {@code W1 [1, H, I]} -> {@code intermediate.dense.weight [I, H]};
 *       {@code W2 [1, I, H]} -> {@code output.dense.weight [H, I]}; {@code ln2g/ln2b} -> {@code output.LayerNorm}.
 *       Heads are contiguous channel blocks of {@code H / heads} in both.</li>
 *   <li>{@code pooler.W [H, H]}, {@code b [1, H]} -> {@code bert.pooler.dense} (tanh, [CLS] state)</li>
 *   <li>{@code mlm_transform.W [1, H, H]}, {@code b}, {@code lng/lnb} -> {@code cls.predictions.transform.dense},
 *       {@code cls.predictions.transform.LayerNorm}</li>
 *   <li>{@code mlm.W [H, vocab]} -> {@code cls.predictions.decoder.weight [vocab, H]} (NOT tied to the word
 *       embeddings: {@code tie_word_embeddings=false}); {@code mlm.b [1, vocab]} -> {@code cls.predictions.bias
 *       [vocab]} (HF ties {@code decoder.bias} to it)</li>
 *   <li>{@code nsp.W [H, 2]}, {@code b [1, 2]} -> {@code cls.seq_relationship.weight [2, H]}, {@code .bias [2]}
 *       (index 1 = "B is random", as in HF and Google BERT)</li>
 * </ul>
 * Activation: our GELU is the tanh approximation (Google BERT's {@code modeling.gelu}), HF's {@code "gelu_new"}.
 * Layer norm: ND4J's {@code layer_norm} divides by the standard deviation with no epsilon inside the square root;
 * {@link #LAYER_NORM_EPS} 1e-12 (Google BERT's value) is numerically the same for non-degenerate inputs.
 * Attention masks padding keys with an additive -10000 (HF uses the dtype minimum; both give zero weight).
 *
 * <p>{@code model.safetensors} follows the safetensors format (HuggingFace, github.com/huggingface/safetensors):
 * an 8-byte little-endian unsigned header length N, an N-byte UTF-8 JSON header (padded with spaces to a multiple
 * of 8) mapping each tensor name to {@code {"dtype":"F32","shape":[...],"data_offsets":[begin,end]}} (byte offsets
 * into the data section; tensors stored contiguously in name order) plus {@code "__metadata__":{"format":"pt"}},
 * then the raw row-major little-endian float32 data.
 */
public final class HfBertExport {
    /** HF {@code layer_norm_eps} written to config.json (see the class comment). */
    public static final double LAYER_NORM_EPS = 1e-12;
    /** HF {@code hidden_act} of our GELU (tanh approximation). */
    public static final String HIDDEN_ACT = "gelu_new";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfBertExport() {
    }

    /** A row-major float32 tensor. */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (long d : shape) n *= d;
            if (n != data.length) {
                throw new IllegalArgumentException("Tensor: shape " + Arrays.toString(shape) + " needs " + n
                        + " values, got " + data.length);
            }
        }
    }

    /**
     * The HF {@code BertForPreTraining} state dict of the graph, names in the order HF lists them.
     *
     * @throws IllegalArgumentException if the graph lacks a vertex or parameter of {@link dev.pretrain.model.bert.BertModel}'s layout
     *                                  or a shape disagrees with {@code config}
     */
    public static Map<String, Tensor> stateDict(ComputationGraph net, BertConfig config) {
        int h = config.getHiddenSize();
        int v = config.getVocabSize();
        int t = config.getMaxPositionEmbeddings();
        int inter = config.getIntermediateSize();
        Map<String, Tensor> m = new LinkedHashMap<>();
        String e = "bert.embeddings.";
        m.put(e + "word_embeddings.weight", plain(param(net, "token_embeddings", "W"), v, h));
        m.put(e + "position_embeddings.weight", transposed(param(net, "embeddings", "pos"), h, t));
        m.put(e + "token_type_embeddings.weight", plain(param(net, "segment_embeddings", "W"), config.getTypeVocabSize(), h));
        m.put(e + "LayerNorm.weight", plain(param(net, "embeddings", "lng"), h));
        m.put(e + "LayerNorm.bias", plain(param(net, "embeddings", "lnb"), h));
        for (int i = 0; i < config.getNumHiddenLayers(); i++) {
            String l = "layer_" + i;
            String p = "bert.encoder.layer." + i + ".";
            String[][] attn = {{"q", "attention.self.query."}, {"k", "attention.self.key."},
                    {"v", "attention.self.value."}, {"o", "attention.output.dense."}};
            for (String[] a : attn) {
                m.put(p + a[1] + "weight", transposed(param(net, l, "W" + a[0]), h, h));
                m.put(p + a[1] + "bias", plain(param(net, l, "b" + a[0]), h));
            }
            m.put(p + "attention.output.LayerNorm.weight", plain(param(net, l, "ln1g"), h));
            m.put(p + "attention.output.LayerNorm.bias", plain(param(net, l, "ln1b"), h));
            m.put(p + "intermediate.dense.weight", transposed(param(net, l, "W1"), h, inter));
            m.put(p + "intermediate.dense.bias", plain(param(net, l, "b1"), inter));
            m.put(p + "output.dense.weight", transposed(param(net, l, "W2"), inter, h));
            m.put(p + "output.dense.bias", plain(param(net, l, "b2"), h));
            m.put(p + "output.LayerNorm.weight", plain(param(net, l, "ln2g"), h));
            m.put(p + "output.LayerNorm.bias", plain(param(net, l, "ln2b"), h));
        }
        m.put("bert.pooler.dense.weight", transposed(param(net, "pooler", "W"), h, h));
        m.put("bert.pooler.dense.bias", plain(param(net, "pooler", "b"), h));
        m.put("cls.predictions.bias", plain(param(net, "mlm", "b"), v));
        m.put("cls.predictions.transform.dense.weight", transposed(param(net, "mlm_transform", "W"), h, h));
        m.put("cls.predictions.transform.dense.bias", plain(param(net, "mlm_transform", "b"), h));
        m.put("cls.predictions.transform.LayerNorm.weight", plain(param(net, "mlm_transform", "lng"), h));
        m.put("cls.predictions.transform.LayerNorm.bias", plain(param(net, "mlm_transform", "lnb"), h));
        m.put("cls.predictions.decoder.weight", transposed(param(net, "mlm", "W"), h, v));
        m.put("cls.seq_relationship.weight", transposed(param(net, "nsp", "W"), h, 2));
        m.put("cls.seq_relationship.bias", plain(param(net, "nsp", "b"), 2));
        return m;
    }

    private static INDArray param(ComputationGraph net, String layer, String key) {
        Layer l = net.getLayer(layer);
        if (l == null) throw new IllegalArgumentException("HfBertExport: the graph has no layer '" + layer + "'");
        INDArray p = l.paramTable().get(key);
        if (p == null) {
            throw new IllegalArgumentException("HfBertExport: layer '" + layer + "' has no parameter '" + key
                    + "' (has " + l.paramTable().keySet() + ")");
        }
        return p;
    }

    /** The parameter as is, checked to hold {@code prod(shape)} values, with the given shape. */
    private static Tensor plain(INDArray p, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        if (p.length() != n) {
            throw new IllegalArgumentException("HfBertExport: parameter of shape " + Arrays.toString(p.shape())
                    + " does not fit " + Arrays.toString(shape));
        }
        return new Tensor(shape, Nd4j.toFlattened('c', p.castTo(DataType.FLOAT)).toFloatVector());
    }

    /** A parameter holding an {@code [in, out]} matrix (any leading unit dims), as PyTorch's {@code [out, in]}. */
    private static Tensor transposed(INDArray p, long in, long out) {
        if (p.length() != in * out) {
            throw new IllegalArgumentException("HfBertExport: parameter of shape " + Arrays.toString(p.shape())
                    + " does not fit [" + in + ", " + out + "]");
        }
        INDArray m = Nd4j.toFlattened('c', p.castTo(DataType.FLOAT)).reshape(new long[]{in, out}).transpose();
        return new Tensor(new long[]{out, in}, Nd4j.toFlattened('c', m).toFloatVector());
    }

    /**
     * HF {@code config.json} of a {@code BertForPreTraining} with our architecture. {@code hidden_dropout_prob} and
     * {@code attention_probs_dropout_prob} are the model config's, i.e. the dropout training applied (0.0: none; see
     * {@link BertConfig}), so that fine-tuning with HF starts from what the weights were trained with.
     *
     * @param padTokenId id of {@code [PAD]} in the vocab (HF's {@code pad_token_id})
     */
    public static String configJson(BertConfig config, int padTokenId) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of("BertForPreTraining"));
        c.put("model_type", "bert");
        c.put("vocab_size", config.getVocabSize());
        c.put("hidden_size", config.getHiddenSize());
        c.put("num_hidden_layers", config.getNumHiddenLayers());
        c.put("num_attention_heads", config.getNumAttentionHeads());
        c.put("intermediate_size", config.getIntermediateSize());
        c.put("hidden_act", HIDDEN_ACT);
        c.put("hidden_dropout_prob", config.getHiddenDropoutProb());
        c.put("attention_probs_dropout_prob", config.getAttentionProbsDropoutProb());
        c.put("max_position_embeddings", config.getMaxPositionEmbeddings());
        c.put("type_vocab_size", config.getTypeVocabSize());
        c.put("initializer_range", 0.02);
        c.put("layer_norm_eps", LAYER_NORM_EPS);
        c.put("pad_token_id", padTokenId);
        c.put("position_embedding_type", "absolute");
        c.put("tie_word_embeddings", false);
        c.put("torch_dtype", "float32");
        return toJson(c);
    }

    /** HF {@code tokenizer_config.json} for {@code BertTokenizer} over the exported vocab.txt. */
    public static String tokenizerConfigJson(boolean lowercase, int maxLength) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("tokenizer_class", "BertTokenizer");
        c.put("do_lower_case", lowercase);
        c.put("model_max_length", maxLength);
        c.put("unk_token", "[UNK]");
        c.put("sep_token", "[SEP]");
        c.put("pad_token", "[PAD]");
        c.put("cls_token", "[CLS]");
        c.put("mask_token", "[MASK]");
        return toJson(c);
    }

    private static String toJson(Object o) {
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The index of {@code [PAD]} in vocab.txt lines.
     *
     * @throws IllegalArgumentException if the vocab has no {@code [PAD]} line
     */
    public static int padTokenId(List<String> vocabLines) {
        int i = vocabLines.indexOf("[PAD]");
        if (i < 0) throw new IllegalArgumentException("HfBertExport: vocab.txt has no [PAD] token");
        return i;
    }

    /**
     * Whether a WordPiece vocab is uncased (HF's {@code do_lower_case}): true when no token other than the
     * bracketed special tokens ({@code [CLS]}, {@code [unused0]}, ...) has an upper-case letter.
     */
    public static boolean isUncasedVocab(List<String> vocabLines) {
        for (String t : vocabLines) {
            if (t.startsWith("[") && t.endsWith("]")) continue;
            if (!t.equals(t.toLowerCase(java.util.Locale.ROOT))) return false;
        }
        return true;
    }

    /** Writes {@code tensors} in the safetensors format (see the class comment); flushes, does not close {@code out}. */
    public static void writeSafetensors(Map<String, Tensor> tensors, OutputStream out) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
            long bytes = 4L * e.getValue().data().length;
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("dtype", "F32");
            d.put("shape", e.getValue().shape());
            d.put("data_offsets", new long[]{offset, offset + bytes});
            header.put(e.getKey(), d);
            offset += bytes;
        }
        byte[] json = new ObjectMapper().writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = Arrays.copyOf(json, padded);
        Arrays.fill(head, json.length, padded, (byte) ' ');
        OutputStream o = new BufferedOutputStream(out, 1 << 16);
        o.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        o.write(head);
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : sorted.values()) {
            for (float f : t.data()) {
                if (!buf.hasRemaining()) {
                    o.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putFloat(f);
            }
        }
        o.write(buf.array(), 0, buf.position());
        o.flush();
    }

    /**
     * Reads a safetensors file of F32 tensors (as written by {@link #writeSafetensors}).
     *
     * @throws IOException if the stream is truncated, the header is malformed or a tensor is not F32
     */
    public static Map<String, Tensor> readSafetensors(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        byte[] len = new byte[8];
        d.readFully(len);
        long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n <= 0 || n > 100_000_000) throw new IOException("safetensors: bad header length " + n);
        byte[] head = new byte[(int) n];
        d.readFully(head);
        Map<?, ?> header = new ObjectMapper().readValue(new String(head, StandardCharsets.UTF_8).trim(), Map.class);
        List<Map.Entry<String, long[]>> order = new ArrayList<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) continue;
            Map<?, ?> info = (Map<?, ?>) e.getValue();
            if (!"F32".equals(info.get("dtype"))) throw new IOException("safetensors: tensor " + name + " is not F32");
            List<?> shape = (List<?>) info.get("shape");
            List<?> offs = (List<?>) info.get("data_offsets");
            shapes.put(name, shape.stream().mapToLong(x -> ((Number) x).longValue()).toArray());
            order.add(Map.entry(name, new long[]{((Number) offs.get(0)).longValue(), ((Number) offs.get(1)).longValue()}));
        }
        order.sort((a, b) -> Long.compare(a.getValue()[0], b.getValue()[0]));
        Map<String, Tensor> out = new LinkedHashMap<>();
        long pos = 0;
        for (Map.Entry<String, long[]> e : order) {
            long begin = e.getValue()[0], end = e.getValue()[1];
            if (begin != pos || end < begin || (end - begin) % 4 != 0) {
                throw new IOException("safetensors: tensor " + e.getKey() + " has bad data_offsets [" + begin + ", " + end + "]");
            }
            byte[] raw = new byte[(int) (end - begin)];
            d.readFully(raw);
            float[] f = new float[raw.length / 4];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            out.put(e.getKey(), new Tensor(shapes.get(e.getKey()), f));
            pos = end;
        }
        return out;
    }

    /**
     * Writes the HF folder ({@code config.json}, {@code model.safetensors}, {@code vocab.txt},
     * {@code tokenizer_config.json}) to a local directory, creating it.
     *
     * @param vocabLines the model's vocab.txt lines (line i = token id i)
     * @param lowercase  whether the WordPiece tokenizer lower-cases (HF's {@code do_lower_case})
     * @throws IllegalArgumentException if the vocab size differs from the config's or has no [PAD]
     */
    public static void write(ComputationGraph net, BertConfig config, List<String> vocabLines, boolean lowercase,
                             Path dir) throws IOException {
        checkVocab(config, vocabLines);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), configJson(config, padTokenId(vocabLines)));
        Files.writeString(dir.resolve("tokenizer_config.json"),
                tokenizerConfigJson(lowercase, config.getMaxPositionEmbeddings()));
        Files.write(dir.resolve("vocab.txt"), vocabLines, StandardCharsets.UTF_8);
        try (OutputStream o = Files.newOutputStream(dir.resolve("model.safetensors"))) {
            writeSafetensors(stateDict(net, config), o);
        }
    }

    /** @throws IllegalArgumentException if the vocab size differs from {@code config.vocab_size} */
    public static void checkVocab(BertConfig config, List<String> vocabLines) {
        if (vocabLines.size() != config.getVocabSize()) {
            throw new IllegalArgumentException("HfBertExport: vocab.txt has " + vocabLines.size()
                    + " tokens but the model's vocab_size is " + config.getVocabSize());
        }
    }
}
