package dev.pretrain.model.word2vec;

/**
 * Blockwise model-update filtering (BMUF, block momentum) of Chen &amp; Huo, "Scalable training of deep learning
 * machines by incremental block training with intra-block parallel optimization and blockwise model-update
 * filtering", ICASSP 2016: the driver-side state of synchronous model averaging. After block (round) {@code t}
 * the workers, which all started from {@link #start()} {@code = W_g(t-1)}, are averaged into {@code mean}, and
 * <pre>
 *   G(t)     = mean - W_g(t-1)                      (the block's averaged update)
 *   Delta(t) = eta * Delta(t-1) + zeta * G(t)        (filtered update, Delta(0) = 0)
 *   W(t)     = W(t-1) + Delta(t)                     (the model)
 *   W_g(t)   = W(t)                                  (classical block momentum, CBM)
 *   W_g(t)   = W(t) + eta * Delta(t)                 (Nesterov block momentum, NBM)
 * </pre>
 * The paper's setting is {@code eta = 1 - 1/k} for {@code k} workers and block learning rate {@code zeta = 1}:
 * in steady state the filter applies {@code zeta / (1 - eta) = k} times the averaged update, i.e. the sum of the
 * workers' updates (what one worker would make on all their data while the update is linear), but it spreads that
 * over rounds instead of applying {@code k * G(t)} at once. Why that matters for SGNS: a row that a worker drives
 * to a local fixed point within a round (frequent words) moves by {@code c * e} with {@code c} near 1 towards its
 * target at distance {@code e}; applying {@code k * G} gives the error recursion {@code e' = (1 - k c) e}, which
 * diverges once {@code k c > 2} (measured: stable at 2 workers, divergent at 4), while the heavy-ball recursion of
 * BMUF, {@code e'' = e' (1 + eta - c) - eta e}, is stable for all {@code c < 2 (1 + eta)}. With {@code k = 1},
 * {@code eta = 0}, {@code zeta = 1} it is plain training: {@code W(t) = mean}. {@link ParameterAveragedSgns} uses
 * {@code zeta = min(2, k)}, {@code eta = 1 - zeta / k}: the same gain with half the momentum's lag (measured better
 * for SGNS, see there).
 *
 * <p>The arrays are float32 {@code [vocabSize, dim]} row-major as in {@link SgnsWeights}; the state holds the model,
 * {@code Delta} and (Nesterov only) {@code W_g}: 2 or 3 copies of the weights. Not thread-safe; driver-only.
 */
public final class BlockMomentum {
    private final float eta;
    private final float zeta;
    private final boolean nesterov;
    private final SgnsWeights model;
    private final float[] delta0;
    private final float[] delta1;
    private SgnsWeights start;

    /**
     * @param init     initial weights, copied (not modified)
     * @param eta      block momentum in {@code [0, 1)}; the paper's choice is {@code 1 - 1/k}
     * @param zeta     block learning rate, &gt; 0 (the paper uses 1)
     * @param nesterov true for Nesterov block momentum (workers start from {@code W + eta * Delta})
     * @throws IllegalArgumentException on eta outside {@code [0, 1)} or zeta not &gt; 0
     */
    public BlockMomentum(SgnsWeights init, double eta, double zeta, boolean nesterov) {
        if (!(eta >= 0 && eta < 1)) throw new IllegalArgumentException("block momentum eta must be in [0, 1), got " + eta);
        if (!(zeta > 0) || Double.isInfinite(zeta)) throw new IllegalArgumentException("block learning rate zeta must be > 0, got " + zeta);
        this.eta = (float) eta;
        this.zeta = (float) zeta;
        this.nesterov = nesterov;
        this.model = init.copy();
        this.delta0 = new float[model.syn0().length];
        this.delta1 = new float[model.syn1neg().length];
        this.start = model;
    }

    /** The paper's momentum for {@code k} workers: {@code 1 - 1/k} (0 for k &lt;= 1). */
    public static double defaultMomentum(int workers) {
        return workers <= 1 ? 0 : 1.0 - 1.0 / workers;
    }

    /** The weights the workers of the next round start from ({@code W_g}); live, do not modify. */
    public SgnsWeights start() { return start; }

    /** The model {@code W(t)}: the result of training; live, do not modify. */
    public SgnsWeights model() { return model; }

    /**
     * Applies one round: {@code mean} is the (words-weighted) average of the workers' weights, all trained from
     * {@link #start()}. {@code mean}'s arrays may be overwritten (they become the next start under Nesterov).
     *
     * @return the next {@link #start()}
     * @throws IllegalArgumentException if the shape differs
     */
    public SgnsWeights update(SgnsWeights mean) {
        if (mean.vocabSize() != model.vocabSize() || mean.dim() != model.dim()) {
            throw new IllegalArgumentException("mean shape [" + mean.vocabSize() + ", " + mean.dim()
                    + "] != model shape [" + model.vocabSize() + ", " + model.dim() + "]");
        }
        step(model.syn0(), start.syn0(), mean.syn0(), delta0);
        step(model.syn1neg(), start.syn1neg(), mean.syn1neg(), delta1);
        start = nesterov ? mean : model;
        return start;
    }

    /** {@code Delta = eta Delta + zeta (mean - w_g)}, {@code w += Delta}; then {@code mean := w + eta Delta}. */
    private void step(float[] w, float[] wg, float[] mean, float[] delta) {
        final float e = eta, z = zeta;
        if (e == 0f && z == 1f) { // plain training (one worker): W(t) = mean exactly, no rounding of w + (mean - w)
            for (int i = 0; i < w.length; i++) {
                delta[i] = mean[i] - wg[i];
                w[i] = mean[i];
            }
            return;
        }
        for (int i = 0; i < w.length; i++) {
            float d = e * delta[i] + z * (mean[i] - wg[i]);
            delta[i] = d;
            float x = w[i] + d;
            w[i] = x;
            mean[i] = x + e * d;
        }
    }
}
