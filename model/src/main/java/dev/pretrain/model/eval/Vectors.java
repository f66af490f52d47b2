package dev.pretrain.model.eval;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Shared helpers of the evaluators. */
final class Vectors {
    private Vectors() {}

    /** Rows {@code [0, n)} of {@code emb}, each scaled to unit L2 norm (zero rows stay zero), row-major. */
    static float[] unitRows(WordEmbeddings emb, int n) {
        int dim = emb.dim();
        float[] out = new float[n * dim];
        float[] all = emb instanceof InMemoryWordEmbeddings m ? m.matrix() : null;
        for (int i = 0; i < n; i++) {
            int o = i * dim;
            if (all != null) System.arraycopy(all, o, out, o, dim);
            else System.arraycopy(emb.vector(i), 0, out, o, dim);
            double ss = 0;
            for (int k = 0; k < dim; k++) ss += (double) out[o + k] * out[o + k];
            if (ss > 0) {
                float inv = (float) (1.0 / Math.sqrt(ss));
                for (int k = 0; k < dim; k++) out[o + k] *= inv;
            }
        }
        return out;
    }

    /** Lower-cased (Locale.ROOT) word to its first index among the first {@code n} words. */
    static Map<String, Integer> lowerCaseIndex(WordEmbeddings emb, int n) {
        Map<String, Integer> m = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) m.putIfAbsent(emb.word(i).toLowerCase(Locale.ROOT), i);
        return m;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int k = 0; k < a.length; k++) {
            dot += (double) a[k] * b[k];
            na += (double) a[k] * a[k];
            nb += (double) b[k] * b[k];
        }
        if (na == 0 || nb == 0) return 0;
        return dot / Math.sqrt(na * nb);
    }
}
