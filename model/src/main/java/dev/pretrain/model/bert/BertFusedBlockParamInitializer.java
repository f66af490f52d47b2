package dev.pretrain.model.bert;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameter layout of {@link BertFusedTransformerBlock}: the names, shapes and flattened order of
 * {@link BertTransformerBlock}'s SameDiff parameters (weights {@code Wq, Wk, Wv, Wo, ln1g, W1, W2, ln2g}, then
 * biases {@code bq, bk, bv, bo, ln1b, b1, b2, ln2b}; each a 'c'-order view of the layer's flattened vector, as
 * SameDiff layers lay out their parameters), so a
 * parameter vector of one block type is a valid parameter vector of the other. Initialisation as
 * {@link SdOps#initByName}: layer-norm gains 1, biases 0, weights N(0, 0.02^2).
 */
public final class BertFusedBlockParamInitializer implements ParamInitializer {
    public static final BertFusedBlockParamInitializer INSTANCE = new BertFusedBlockParamInitializer();

    private static final List<String> WEIGHTS = List.of("Wq", "Wk", "Wv", "Wo", "ln1g", "W1", "W2", "ln2g");
    private static final List<String> BIASES = List.of("bq", "bk", "bv", "bo", "ln1b", "b1", "b2", "ln2b");
    private static final List<String> ALL;

    static {
        List<String> all = new ArrayList<>(WEIGHTS);
        all.addAll(BIASES);
        ALL = Collections.unmodifiableList(all);
    }

    private BertFusedBlockParamInitializer() {
    }

    /** Parameter shapes by name, in flattened order. */
    public static Map<String, long[]> shapes(BertFusedTransformerBlock b) {
        long h = b.getHidden();
        long i = b.getIntermediate();
        Map<String, long[]> m = new LinkedHashMap<>();
        for (String n : ALL) {
            long[] s = switch (n) {
                case "Wq", "Wk", "Wv", "Wo" -> new long[]{1, h, h};
                case "W1" -> new long[]{1, h, i};
                case "W2" -> new long[]{1, i, h};
                case "b1" -> new long[]{i};
                default -> new long[]{h};
            };
            m.put(n, s);
        }
        return m;
    }

    private static BertFusedTransformerBlock block(Layer l) {
        if (!(l instanceof BertFusedTransformerBlock b)) {
            throw new IllegalArgumentException("BertFusedBlockParamInitializer: not a BertFusedTransformerBlock: " + l);
        }
        return b;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        long n = 0;
        for (long[] s : shapes(block(layer)).values()) {
            long p = 1;
            for (long d : s) p *= d;
            n += p;
        }
        return n;
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return ALL;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return WEIGHTS;
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return BIASES;
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return WEIGHTS.contains(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return BIASES.contains(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Map<String, INDArray> out = split(block(conf.getLayer()), paramsView);
        conf.clearVariables();
        for (String k : out.keySet()) conf.addVariable(k);
        if (initializeParams) SdOps.initByName(out);
        return out;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return split(block(conf.getLayer()), gradientView);
    }

    private static Map<String, INDArray> split(BertFusedTransformerBlock b, INDArray flat) {
        Map<String, long[]> shapes = shapes(b);
        long total = 0;
        for (long[] s : shapes.values()) total += length(s);
        if (flat.length() != total) {
            throw new IllegalArgumentException("BertFusedBlockParamInitializer: expected " + total + " parameters, got "
                    + flat.length());
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        long off = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long len = length(e.getValue());
            INDArray v = flat.rank() == 2
                    ? flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(off, off + len))
                    : flat.get(NDArrayIndex.interval(off, off + len));
            out.put(e.getKey(), v.reshape('c', e.getValue()));
            off += len;
        }
        return out;
    }

    private static long length(long[] s) {
        long p = 1;
        for (long d : s) p *= d;
        return p;
    }
}
