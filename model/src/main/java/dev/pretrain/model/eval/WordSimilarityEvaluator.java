package dev.pretrain.model.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Word-pair similarity benchmark: Spearman's rho between cosine similarity and human scores, as gensim's
 * {@code KeyedVectors.evaluate_word_pairs} (case-insensitive, most frequent spelling wins, pairs with an
 * unknown word skipped, ties given average ranks as {@code scipy.stats.spearmanr}).
 *
 * <p>Accepted formats: WordSim-353 / SimLex-999 as vendored by gensim ({@code #} comment lines,
 * {@code word1<TAB>word2<TAB>score}) and MEN ({@code word1 word2 score} space-separated, optional header line).
 * A line whose third field is not a number is skipped only if it is the first non-comment line (a header).
 */
public final class WordSimilarityEvaluator {
    private WordSimilarityEvaluator() {}

    /** @throws IOException on a read error or a malformed line (reported with its line number) */
    public static SimilarityResult evaluate(WordEmbeddings emb, Reader pairs) throws IOException {
        Map<String, Integer> lower = Vectors.lowerCaseIndex(emb, emb.size());
        BufferedReader br = pairs instanceof BufferedReader b ? b : new BufferedReader(pairs);
        List<double[]> used = new ArrayList<>(); // {cosine, human}
        int total = 0;
        boolean firstData = true;
        String line;
        int lineNo = 0;
        while ((line = br.readLine()) != null) {
            lineNo++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            String[] p = t.indexOf('\t') >= 0 ? t.split("\t") : t.split("\\s+");
            if (p.length < 3) throw new IOException("similarity line " + lineNo + ": expected 'word1 word2 score', got '" + t + "'");
            double score;
            try {
                score = Double.parseDouble(p[2].strip());
            } catch (NumberFormatException e) {
                if (firstData) {
                    firstData = false;
                    continue; // header line such as "word1 word2 score"
                }
                throw new IOException("similarity line " + lineNo + ": score '" + p[2] + "' is not a number");
            }
            firstData = false;
            total++;
            Integer a = lower.get(p[0].strip().toLowerCase(Locale.ROOT));
            Integer b = lower.get(p[1].strip().toLowerCase(Locale.ROOT));
            if (a == null || b == null) continue;
            used.add(new double[] {Vectors.cosine(emb.vector(a), emb.vector(b)), score});
        }
        double[] x = new double[used.size()];
        double[] y = new double[used.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = used.get(i)[0];
            y[i] = used.get(i)[1];
        }
        return new SimilarityResult(spearman(x, y), x.length, total);
    }

    /** Spearman's rho: Pearson correlation of the average ranks. NaN if n &lt; 2 or a side is constant. */
    public static double spearman(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("lengths differ: " + x.length + " vs " + y.length);
        if (x.length < 2) return Double.NaN;
        return pearson(ranks(x), ranks(y));
    }

    /** 1-based ranks, tied values receiving the mean of their ranks. */
    static double[] ranks(double[] v) {
        int n = v.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && v[order[j + 1]] == v[order[i]]) j++;
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) r[order[k]] = avg;
            i = j + 1;
        }
        return r;
    }

    static double pearson(double[] x, double[] y) {
        int n = x.length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) return Double.NaN;
        return sxy / Math.sqrt(sxx * syy);
    }
}
