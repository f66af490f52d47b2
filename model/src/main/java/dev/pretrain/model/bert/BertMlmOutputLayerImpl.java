package dev.pretrain.model.bert;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The layer of {@link BertMlmOutputLayer}: softmax cross-entropy over the vocab with label indices and per-position
 * weights, scored and differentiated in one pass per row. With {@code n = batch * P} rows (row {@code e * P + p}):
 * {@code Z = X W} is one gemm into a reused {@code [n, vocab]} buffer; each row then gets the bias, its max, the
 * exp-sum, its loss {@code -log(clip(softmax_y, 1e-10, 1 - 1e-10)) * m} (as DL4J's {@code LossMCXENT}) and, in
 * place, the gradient {@code (softmax - onehot(y)) * m} (zero without exp work when {@code m = 0}), whose column sum is
 * the bias gradient; {@code dW = X^T G} and {@code dX = G W^T} are gemm calls. Score as DL4J's
 * {@code BaseOutputLayer}: {@code sum(loss) / batch + fullNetRegTerm} (minibatch mode); gradients are not divided by
 * the batch (the updater does that), as in DL4J.
 *
 * <p>{@link #backpropGradient} keeps the loss sum it computed, so the {@link #computeScore} that
 * {@code ComputationGraph} calls next for the same input, labels and mask needs no second pass. {@link #activate}
 * (softmax probabilities {@code [batch, vocab, P]}, times the label mask when one is set, as {@code RnnOutputLayer})
 * is only called for inference: DL4J's training forward pass skips output layers.
 *
 * <p>Working arrays are detached (outside workspaces), kept between calls and re-allocated when the row count or data
 * type changes. float32 rows use {@link BertMlmVectorKernels} when the Vector API module is present
 * ({@link BertFusedBlockLayer#VECTOR}); otherwise (and for float64) scalar loops in double. Not thread-safe.
 */
public class BertMlmOutputLayerImpl extends RnnOutputLayer {
    private static final double CLIP_EPS = 1e-10;
    private static final double LOG_LO = Math.log(CLIP_EPS);
    private static final double LOG_HI = Math.log1p(-CLIP_EPS);

    private transient long allocN = -1;
    private transient DataType allocType;
    private transient INDArray x, z, dx;
    private transient float[] rowF, dbF;
    private transient double[] rowD, dbD;
    /** The label mask as set ({@code [batch, P]}), not DL4J's reshaped column. */
    private transient INDArray rawMask;
    // loss sum of the last backpropGradient, for the next computeScore on the same input/labels/mask
    private transient double cachedLoss = Double.NaN;
    private transient INDArray cachedInput, cachedLabels, cachedMask;
    private transient long rowPasses;

    public BertMlmOutputLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public void setMaskArray(INDArray maskArray) {
        if (maskArray != null && maskArray.rank() != 2) {
            throw new IllegalArgumentException("BertMlmOutputLayer (layer " + layerId() + "): label mask must be [batch, P], got "
                    + Arrays.toString(maskArray.shape()));
        }
        rawMask = maskArray;
        super.setMaskArray(maskArray);
    }

    @Override
    public void clear() {
        super.clear();
        rawMask = null;
        dropCache();
    }

    private void dropCache() {
        cachedLoss = Double.NaN;
        cachedInput = null;
        cachedLabels = null;
        cachedMask = null;
    }

    // ---------------------------------------------------------------- API

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        int[] d = dims();
        int b = d[0], h = d[1], p = d[2], v = d[3];
        forwardLogits(b, h, p);
        double[][] m = rawMask == null ? null : rawMask.castTo(DataType.DOUBLE).toDoubleMatrix();
        rows(b, p, v, null, m, Mode.PROBS, null);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, z.dataType(), b, v, p);
        out.assign(z.reshape(b, p, v).permute(0, 2, 1));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        int[] d = dims();
        int b = d[0], h = d[1], p = d[2], v = d[3];
        int[][] y = labelIds(b, p, v);
        double[][] m = maskMatrix(b, p);
        forwardLogits(b, h, p);
        double loss = rows(b, p, v, y, m, Mode.GRAD, null);

        INDArray w = params.get(DefaultParamInitializer.WEIGHT_KEY);
        INDArray gw = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        Nd4j.gemm(x, z, gw, true, false, 1.0, 0.0);            // dW = X^T G
        Nd4j.gemm(z, w, dx, false, true, 1.0, 0.0);            // dX = G W^T
        Gradient grad = new DefaultGradient(gradientsFlattened);
        grad.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, gw);
        if (hasBias()) {
            INDArray gb = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
            INDArray col = z.dataType() == DataType.FLOAT ? Nd4j.createFromArray(dbF) : Nd4j.createFromArray(dbD);
            gb.assign(col.reshape(gb.shape()));
            grad.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, gb);
        }
        INDArray eps = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), b, h, p);
        eps.assign(dx.reshape(b, p, h).permute(0, 2, 1));

        cachedLoss = loss;
        cachedInput = input;
        cachedLabels = labels;
        cachedMask = rawMask;
        return new Pair<>(grad, eps);
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (input == null || labels == null) {
            throw new IllegalStateException("BertMlmOutputLayer (layer " + layerId() + "): score needs input and labels");
        }
        double loss;
        if (!Double.isNaN(cachedLoss) && cachedInput == input && cachedLabels == labels && cachedMask == rawMask) {
            loss = cachedLoss;
        } else {
            int[] d = dims();
            int b = d[0], p = d[2], v = d[3];
            int[][] y = labelIds(b, p, v);
            double[][] m = maskMatrix(b, p);
            forwardLogits(b, d[1], p);
            loss = rows(b, p, v, y, m, Mode.LOSS, null);
        }
        dropCache();
        double s = loss;
        if (conf().isMiniBatch()) s /= getInputMiniBatchSize();
        s += fullNetRegTerm;
        this.score = s;
        return s;
    }

    /** {@code [batch, 1]}: per example, the sum over its positions of weighted loss, plus {@code fullNetRegTerm}. */
    @Override
    public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr workspaceMgr) {
        if (input == null || labels == null) {
            throw new IllegalStateException("BertMlmOutputLayer (layer " + layerId() + "): score needs input and labels");
        }
        int[] d = dims();
        int b = d[0], p = d[2], v = d[3];
        int[][] y = labelIds(b, p, v);
        double[][] m = maskMatrix(b, p);
        forwardLogits(b, d[1], p);
        double[] perEx = new double[b];
        rows(b, p, v, y, m, Mode.LOSS, perEx);
        for (int e = 0; e < b; e++) perEx[e] += fullNetRegTerm;
        INDArray out = Nd4j.createFromArray(perEx).castTo(input.dataType()).reshape(b, 1);
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, out);
    }

    @Override
    public void computeGradientAndScore(LayerWorkspaceMgr workspaceMgr) {
        if (input == null || labels == null) return;
        this.gradient = backpropGradient(null, workspaceMgr).getFirst();
        this.score = computeScore(0.0, true, workspaceMgr);
    }

    /** Number of logits passes (gemm + row loop) run so far, for tests: one per training step. */
    long rowPasses() {
        return rowPasses;
    }

    // ---------------------------------------------------------------- core

    private enum Mode { LOSS, GRAD, PROBS }

    /** {batch, nIn, P, nOut}; checks the input shape. */
    private int[] dims() {
        org.deeplearning4j.nn.conf.layers.RnnOutputLayer c = layerConf();
        long h = c.getNIn();
        if (input.rank() != 3 || input.size(1) != h) {
            throw new IllegalArgumentException("BertMlmOutputLayer (layer " + layerId() + "): expected input [batch, " + h
                    + ", P], got " + Arrays.toString(input.shape()));
        }
        return new int[]{(int) input.size(0), (int) h, (int) input.size(2), (int) c.getNOut()};
    }

    private int[][] labelIds(int b, int p, int v) {
        if (labels.rank() != 3 || labels.size(0) != b || labels.size(1) != 1 || labels.size(2) != p) {
            throw new IllegalArgumentException("BertMlmOutputLayer (layer " + layerId() + "): expected labels [" + b + ", 1, "
                    + p + "] (class indices), got " + Arrays.toString(labels.shape()));
        }
        double[][] l = labels.reshape(b, p).castTo(DataType.DOUBLE).toDoubleMatrix();
        int[][] y = new int[b][p];
        for (int e = 0; e < b; e++) {
            for (int k = 0; k < p; k++) {
                y[e][k] = (int) l[e][k];
                if (y[e][k] != l[e][k] || y[e][k] < 0 || y[e][k] >= v) {
                    throw new IllegalArgumentException("BertMlmOutputLayer (layer " + layerId() + "): label " + l[e][k]
                            + " at [" + e + ", 0, " + k + "] is not a class index in [0, " + v + ")");
                }
            }
        }
        return y;
    }

    private double[][] maskMatrix(int b, int p) {
        if (rawMask == null) return null;
        if (rawMask.size(0) != b || rawMask.size(1) != p) {
            throw new IllegalArgumentException("BertMlmOutputLayer (layer " + layerId() + "): expected label mask [" + b + ", "
                    + p + "], got " + Arrays.toString(rawMask.shape()));
        }
        return rawMask.castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    /** x = input as [b * P, h] rows; z = x W (no bias). */
    private void forwardLogits(int b, int h, int p) {
        ensureBuffers((long) b * p, input.dataType());
        x.reshape(b, p, h).assign(input.permute(0, 2, 1));
        Nd4j.gemm(x, params.get(DefaultParamInitializer.WEIGHT_KEY), z, false, false, 1.0, 0.0);
    }

    /**
     * One pass over the rows of z (logits without bias). LOSS: returns sum(loss * m), z unchanged in meaning;
     * GRAD: also z := (softmax - onehot) * m and the column sums into dbF/dbD; PROBS: z := softmax (* m).
     * {@code perEx} (optional) receives the per-example weighted loss sums.
     */
    private double rows(int b, int p, int v, int[][] y, double[][] m, Mode mode, double[] perEx) {
        rowPasses++;
        boolean hasB = hasBias();
        INDArray bias = hasB ? params.get(DefaultParamInitializer.BIAS_KEY) : null;
        boolean f = z.dataType() == DataType.FLOAT;
        boolean vec = f && BertFusedBlockLayer.VECTOR;
        FloatBuffer zf = f ? z.data().asNioFloat() : null;
        DoubleBuffer zd = f ? null : z.data().asNioDouble();
        float[] bF = hasB && vec ? bias.toFloatVector() : null;
        double[] bD = hasB && !vec ? bias.toDoubleVector() : null;
        if (mode == Mode.GRAD) {
            if (f) Arrays.fill(dbF, 0f);
            else Arrays.fill(dbD, 0.0);
        }
        double total = 0;
        double[] ms = new double[2];
        for (int e = 0; e < b; e++) {
            for (int k = 0; k < p; k++) {
                int r = e * p + k;
                int off = r * v;
                double w = m == null ? 1.0 : m[e][k];
                if (w == 0.0 && mode != Mode.PROBS) {
                    if (mode == Mode.GRAD) {       // zero gradient row, no exp work
                        if (f) {
                            Arrays.fill(rowF, 0f);
                            zf.put(off, rowF, 0, v);
                        } else {
                            Arrays.fill(rowD, 0.0);
                            zd.put(off, rowD, 0, v);
                        }
                    }
                    continue;
                }
                int label = y == null ? -1 : y[e][k];
                double mx, sum, zy = 0;
                if (vec) {
                    zf.get(off, rowF, 0, v);
                    if (label >= 0) zy = hasB ? rowF[label] + bF[label] : rowF[label];
                    BertMlmVectorKernels.biasExp(rowF, bF, v, ms);
                    mx = ms[0];
                    sum = ms[1];
                } else {
                    if (f) {
                        zf.get(off, rowF, 0, v);
                        for (int j = 0; j < v; j++) rowD[j] = rowF[j];
                    } else {
                        zd.get(off, rowD, 0, v);
                    }
                    mx = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < v; j++) {
                        if (hasB) rowD[j] += bD[j];
                        mx = Math.max(mx, rowD[j]);
                    }
                    if (label >= 0) zy = rowD[label];
                    sum = 0;
                    for (int j = 0; j < v; j++) {
                        double ex = Math.exp(rowD[j] - mx);
                        rowD[j] = ex;
                        sum += ex;
                    }
                }
                if (label >= 0) {
                    double logp = zy - mx - Math.log(sum);
                    double l = -Math.min(Math.max(logp, LOG_LO), LOG_HI) * w;
                    total += l;
                    if (perEx != null) perEx[e] += l;
                }
                if (mode == Mode.LOSS) continue;
                double scale = w / sum;
                if (vec) {
                    BertMlmVectorKernels.scale(rowF, v, (float) scale, mode == Mode.GRAD ? dbF : null);
                    if (mode == Mode.GRAD) {
                        rowF[label] -= (float) w;
                        dbF[label] -= (float) w;
                    }
                    zf.put(off, rowF, 0, v);
                } else {
                    for (int j = 0; j < v; j++) rowD[j] *= scale;
                    if (mode == Mode.GRAD) {
                        rowD[label] -= w;
                        if (f) for (int j = 0; j < v; j++) dbF[j] += (float) rowD[j];
                        else for (int j = 0; j < v; j++) dbD[j] += rowD[j];
                    }
                    if (f) {
                        for (int j = 0; j < v; j++) rowF[j] = (float) rowD[j];
                        zf.put(off, rowF, 0, v);
                    } else {
                        zd.put(off, rowD, 0, v);
                    }
                }
            }
        }
        return total;
    }

    private void ensureBuffers(long n, DataType type) {
        if (n == allocN && type == allocType) return;
        org.deeplearning4j.nn.conf.layers.RnnOutputLayer c = layerConf();
        long h = c.getNIn();
        long v = c.getNOut();
        if (n * v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("BertMlmOutputLayer: batch x P x vocab too large: " + n + " x " + v);
        }
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("BertMlmOutputLayer: data type " + type + " not supported (FLOAT or DOUBLE)");
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            x = Nd4j.createUninitialized(type, n, h);
            z = Nd4j.createUninitialized(type, n, v);
            dx = Nd4j.createUninitialized(type, n, h);
        }
        rowF = new float[(int) v];
        rowD = new double[(int) v];
        dbF = new float[(int) v];
        dbD = new double[(int) v];
        allocN = n;
        allocType = type;
    }
}
