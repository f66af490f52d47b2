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
 * {@code Delta} (only when {@code eta != 0}: with {@code eta = 0}, the default at 2 workers, {@code Delta} is never
 * read again) and (Nesterov only) {@code W_g}: 1 to 3 copies of the weights. A round is applied either densely
 * ({@link #update(SgnsWeights)}) or sparsely: {@link #updateRows(RowBlock)} for each block of mean rows that changed,
 * then {@link #finishRound()}, which steps the remaining rows with {@code mean = W_g} ({@code G = 0}: only the
 * momentum moves them, nothing at all when {@code eta = 0}). Both run the same float operations per element, so the
 * sparse round gives bit for bit the dense round's weights. Not thread-safe; driver-only.
 */
public final class BlockMomentum {
    private final float eta;
    private final float zeta;
    private final boolean nesterov;
    private final SgnsWeights model;
    /** Delta per matrix; null when eta == 0. */
    private final float[] delta0;
    private final float[] delta1;
    private SgnsWeights start;
    /** Rows stepped in the open sparse round, per matrix; null when no sparse round is open. */
    private java.util.BitSet[] stepped;

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
        this.delta0 = this.eta == 0f ? null : new float[model.syn0().length];
        this.delta1 = this.eta == 0f ? null : new float[model.syn1neg().length];
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
     * @throws IllegalStateException    if a sparse round is open
     */
    public SgnsWeights update(SgnsWeights mean) {
        if (mean.vocabSize() != model.vocabSize() || mean.dim() != model.dim()) {
            throw new IllegalArgumentException("mean shape [" + mean.vocabSize() + ", " + mean.dim()
                    + "] != model shape [" + model.vocabSize() + ", " + model.dim() + "]");
        }
        if (stepped != null) throw new IllegalStateException("a sparse round is open: call finishRound() first");
        step(model.syn0(), start.syn0(), mean.syn0(), 0, delta0, mean.syn0(), 0, model.syn0().length);
        step(model.syn1neg(), start.syn1neg(), mean.syn1neg(), 0, delta1, mean.syn1neg(), 0, model.syn1neg().length);
        start = nesterov ? mean : model;
        return start;
    }

    /**
     * Applies the round to the rows of one merged block ({@link RowBlock#MERGED}: the words-weighted mean of the
     * workers' rows, all trained from {@link #start()}); opens a sparse round if none is open. Each row may be given
     * once per round.
     *
     * @throws IllegalArgumentException if the block's row length differs from the model's dim, or a row id is out
     *                                  of range
     * @throws IllegalStateException    if a row was already applied in this round
     */
    public void updateRows(RowBlock mean) {
        int dim = model.dim();
        int[] rows = mean.rows();
        if (mean.values().length != rows.length * dim) {
            throw new IllegalArgumentException(mean.values().length + " values for " + rows.length + " rows of dim " + dim);
        }
        if (stepped == null) {
            stepped = new java.util.BitSet[] {new java.util.BitSet(model.vocabSize()), new java.util.BitSet(model.vocabSize())};
            if (nesterov && eta != 0f && start == model) start = model.copy(); // W_g(0) = W(0), then its own arrays
        }
        boolean out = mean.matrix() == 1;
        float[] w = out ? model.syn1neg() : model.syn0();
        float[] wg = out ? start.syn1neg() : start.syn0();
        float[] delta = out ? delta1 : delta0;
        java.util.BitSet done = stepped[mean.matrix()];
        for (int i = 0; i < rows.length; i++) {
            int r = rows[i];
            if (r < 0 || r >= model.vocabSize()) {
                throw new IllegalArgumentException("row " + r + " outside [0, " + model.vocabSize() + ")");
            }
            if (done.get(r)) throw new IllegalStateException("row " + r + " of matrix " + mean.matrix() + " applied twice in a round");
            done.set(r);
            step(w, wg, mean.values(), i * dim, delta, nextStart(wg), r * dim, dim);
        }
    }

    /**
     * Closes the sparse round: the rows {@link #updateRows} did not receive have {@code mean = W_g} and are stepped
     * with {@code G = 0} (skipped when {@code eta = 0}: they do not move).
     *
     * @return the next {@link #start()}
     * @throws IllegalStateException if no sparse round is open
     */
    public SgnsWeights finishRound() {
        if (stepped == null) throw new IllegalStateException("no sparse round is open");
        if (eta != 0f) {
            int dim = model.dim();
            finishRows(model.syn0(), start.syn0(), delta0, stepped[0], dim);
            finishRows(model.syn1neg(), start.syn1neg(), delta1, stepped[1], dim);
        }
        stepped = null;
        return start;
    }

    private void finishRows(float[] w, float[] wg, float[] delta, java.util.BitSet done, int dim) {
        int v = model.vocabSize();
        for (int r = done.nextClearBit(0); r < v; r = done.nextClearBit(r + 1)) {
            step(w, wg, wg, r * dim, delta, nextStart(wg), r * dim, dim);
        }
    }

    /** Where the next start's rows go: W_g's own arrays under Nesterov, nowhere (W_g is W) otherwise. */
    private float[] nextStart(float[] wg) {
        return nesterov && start != model ? wg : null;
    }

    /**
     * Elements {@code [off, off + len)}: {@code Delta = eta Delta + zeta (mean - w_g)}, {@code w += Delta}; then
     * {@code next[off..] = w + eta Delta} when {@code next} is not null. {@code mean} is read at {@code meanOff}.
     * Reads of {@code wg} and {@code mean} precede the writes of each element, so they may alias {@code next}.
     */
    private void step(float[] w, float[] wg, float[] mean, int meanOff, float[] delta, float[] next, int off, int len) {
        final float e = eta, z = zeta;
        if (e == 0f && z == 1f) { // plain training (one worker): W(t) = mean exactly, no rounding of w + (mean - w)
            for (int i = 0; i < len; i++) {
                float m = mean[meanOff + i];
                w[off + i] = m;
                if (next != null) next[off + i] = m;
            }
            return;
        }
        for (int i = 0; i < len; i++) {
            int j = off + i;
            float d = (delta == null ? 0f : e * delta[j]) + z * (mean[meanOff + i] - wg[j]);
            if (delta != null) delta[j] = d;
            float x = w[j] + d;
            w[j] = x;
            if (next != null) next[j] = x + e * d;
        }
    }
}
