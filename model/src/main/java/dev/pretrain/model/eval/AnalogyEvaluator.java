package dev.pretrain.model.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Word-analogy accuracy ("a b c d": a is to b as c is to d) with 3CosAdd, as word2vec C's
 * {@code compute-accuracy} evaluates Google's {@code questions-words.txt}:
 * <ul>
 *   <li>only the {@code restrictVocab} most frequent words (the first indices) are used, both for looking up the
 *       question words and as candidate answers ({@code restrictVocab <= 0} means all words);</li>
 *   <li>matching is case-insensitive (the most frequent spelling wins);</li>
 *   <li>a question with any word outside that vocabulary is counted in {@code total} but not evaluated;</li>
 *   <li>vectors are unit-normalised; the prediction is the word maximising {@code cos(x, b - a + c)} over the
 *       vocabulary with a, b and c excluded (first index wins ties); it is correct if it equals d.</li>
 * </ul>
 * File format: section lines {@code ": name"}, then questions of 4 whitespace-separated words; blank lines are
 * skipped. Semantic sections are those whose name does not start with {@code gram}.
 */
public final class AnalogyEvaluator {
    private static final int BLOCK = 64;

    private AnalogyEvaluator() {}

    /**
     * @throws IOException on a read error or a malformed line (reported with its line number)
     */
    public static AnalogyResult evaluate(WordEmbeddings emb, Reader questions, int restrictVocab) throws IOException {
        final int n = restrictVocab <= 0 ? emb.size() : Math.min(restrictVocab, emb.size());
        final int dim = emb.dim();
        Map<String, Integer> lower = Vectors.lowerCaseIndex(emb, n);

        List<String> sections = new ArrayList<>();
        List<int[]> totals = new ArrayList<>(); // per section {total}
        List<int[]> qs = new ArrayList<>();     // {a, b, c, d, section}
        BufferedReader br = questions instanceof BufferedReader b ? b : new BufferedReader(questions);
        String line;
        int lineNo = 0;
        long total = 0;
        while ((line = br.readLine()) != null) {
            lineNo++;
            String t = line.strip();
            if (t.isEmpty()) continue;
            if (t.startsWith(":")) {
                sections.add(t.substring(1).strip());
                totals.add(new int[1]);
                continue;
            }
            String[] p = t.split("\\s+");
            if (p.length != 4) {
                throw new IOException("analogy line " + lineNo + ": expected 4 words, got " + p.length + ": '" + t + "'");
            }
            if (sections.isEmpty()) {
                sections.add("");
                totals.add(new int[1]);
            }
            int sec = sections.size() - 1;
            totals.get(sec)[0]++;
            total++;
            int[] q = new int[5];
            boolean ok = true;
            for (int i = 0; i < 4 && ok; i++) {
                Integer idx = lower.get(p[i].toLowerCase(Locale.ROOT));
                if (idx == null) ok = false;
                else q[i] = idx;
            }
            if (ok) {
                q[4] = sec;
                qs.add(q);
            }
        }

        float[] m = Vectors.unitRows(emb, n);
        int nq = qs.size();
        boolean[] right = new boolean[nq];
        int blocks = (nq + BLOCK - 1) / BLOCK;
        IntStream.range(0, blocks).parallel().forEach(blk -> solveBlock(m, n, dim, qs, blk * BLOCK,
                Math.min(nq, (blk + 1) * BLOCK), right));

        long[] secCorrect = new long[sections.size()];
        long[] secEval = new long[sections.size()];
        for (int i = 0; i < nq; i++) {
            int sec = qs.get(i)[4];
            secEval[sec]++;
            if (right[i]) secCorrect[sec]++;
        }
        Map<String, double[]> per = new LinkedHashMap<>();
        long correct = 0, evaluated = 0, semC = 0, semE = 0, synC = 0, synE = 0;
        for (int s = 0; s < sections.size(); s++) {
            String name = sections.get(s);
            double[] prev = per.get(name);
            long c = secCorrect[s] + (prev == null ? 0 : (long) prev[0]);
            long e = secEval[s] + (prev == null ? 0 : (long) prev[1]);
            long tt = totals.get(s)[0] + (prev == null ? 0 : (long) prev[2]);
            per.put(name, new double[] {c, e, tt, e == 0 ? 0 : (double) c / e});
            correct += secCorrect[s];
            evaluated += secEval[s];
            if (name.startsWith("gram")) {
                synC += secCorrect[s];
                synE += secEval[s];
            } else {
                semC += secCorrect[s];
                semE += secEval[s];
            }
        }
        return new AnalogyResult(correct, evaluated, total, ratio(correct, evaluated), ratio(semC, semE),
                ratio(synC, synE), per);
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    /** Blocked search: scores of all candidate rows against up to 64 queries at once (vectorisable inner loop). */
    private static void solveBlock(float[] m, int n, int dim, List<int[]> qs, int from, int to, boolean[] right) {
        final int bsz = to - from;
        float[] qt = new float[dim * BLOCK]; // transposed queries [dim][BLOCK]
        int[] ea = new int[BLOCK], eb = new int[BLOCK], ec = new int[BLOCK];
        for (int j = 0; j < bsz; j++) {
            int[] q = qs.get(from + j);
            ea[j] = q[0];
            eb[j] = q[1];
            ec[j] = q[2];
            for (int k = 0; k < dim; k++) {
                qt[k * BLOCK + j] = m[q[1] * dim + k] - m[q[0] * dim + k] + m[q[2] * dim + k];
            }
        }
        float[] best = new float[BLOCK];
        int[] arg = new int[BLOCK];
        java.util.Arrays.fill(best, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(arg, -1);
        float[] sc = new float[BLOCK];
        for (int r = 0; r < n; r++) {
            java.util.Arrays.fill(sc, 0f);
            int ro = r * dim;
            for (int k = 0; k < dim; k++) {
                float mv = m[ro + k];
                int qo = k * BLOCK;
                for (int j = 0; j < BLOCK; j++) sc[j] += mv * qt[qo + j];
            }
            for (int j = 0; j < bsz; j++) {
                if (sc[j] > best[j] && r != ea[j] && r != eb[j] && r != ec[j]) {
                    best[j] = sc[j];
                    arg[j] = r;
                }
            }
        }
        for (int j = 0; j < bsz; j++) right[from + j] = arg[j] == qs.get(from + j)[3];
    }
}
