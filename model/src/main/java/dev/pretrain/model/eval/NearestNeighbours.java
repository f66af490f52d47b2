package dev.pretrain.model.eval;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;

/** Most similar words by cosine similarity (gensim {@code most_similar} for one positive word). */
public final class NearestNeighbours {
    private NearestNeighbours() {}

    /**
     * The {@code k} words with the highest cosine similarity to {@code word} (itself excluded), best first.
     * The word is looked up exactly, then case-insensitively (most frequent spelling).
     *
     * @return entries word to cosine similarity; empty if {@code k <= 0}
     * @throws IllegalArgumentException if the word is not in the vocabulary
     */
    public static List<Map.Entry<String, Double>> of(WordEmbeddings emb, String word, int k) {
        int q = emb.indexOf(word);
        if (q < 0) {
            Integer i = Vectors.lowerCaseIndex(emb, emb.size()).get(word.toLowerCase(Locale.ROOT));
            if (i == null) throw new IllegalArgumentException("word '" + word + "' is not in the vocabulary");
            q = i;
        }
        if (k <= 0) return List.of();
        int n = emb.size(), dim = emb.dim();
        float[] m = Vectors.unitRows(emb, n);
        PriorityQueue<double[]> heap = new PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
        int qo = q * dim;
        for (int r = 0; r < n; r++) {
            if (r == q) continue;
            double s = 0;
            int ro = r * dim;
            for (int d = 0; d < dim; d++) s += m[ro + d] * m[qo + d];
            if (heap.size() < k) heap.add(new double[] {s, r});
            else if (s > heap.peek()[0]) {
                heap.poll();
                heap.add(new double[] {s, r});
            }
        }
        List<Map.Entry<String, Double>> out = new ArrayList<>(heap.size());
        while (!heap.isEmpty()) {
            double[] e = heap.poll();
            out.add(new AbstractMap.SimpleImmutableEntry<>(emb.word((int) e[1]), e[0]));
        }
        java.util.Collections.reverse(out);
        return out;
    }
}
