package dev.pretrain.model.word2vec.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A whitespace-tokenised text corpus in the text8 convention read the way gensim's {@code LineSentence} reads it:
 * one sentence per line, tokens separated by spaces/tabs, lines longer than 10,000 tokens cut into 10,000-token
 * sentences. The vocabulary keeps words seen at least {@code minCount} times ({@code min_count}), sorted by count
 * descending, ties by first occurrence (gensim's order); out-of-vocabulary tokens are dropped from the sentences
 * before training (as word2vec C and gensim do).
 *
 * @param words       vocabulary in id order (most frequent first)
 * @param counts      corpus count of each word id, {@code long[words.size()]}
 * @param sentences   sentences as word ids (OOV removed; empty sentences dropped)
 * @param rawTokens   all tokens read, OOV included
 * @param inVocabWords sum of {@code counts} (= total length of {@code sentences}): the words/s numerator
 */
public record Text8Corpus(List<String> words, long[] counts, List<int[]> sentences, long rawTokens,
                          long inVocabWords) {
    /** gensim's {@code MAX_WORDS_IN_BATCH}: LineSentence splits longer lines. */
    public static final int MAX_SENTENCE = 10_000;

    /**
     * Reads {@code path} (UTF-8 or ASCII) in one pass.
     *
     * @throws IOException if the file cannot be read or contains no word reaching {@code minCount}
     * @throws IllegalArgumentException if {@code minCount < 1}
     */
    public static Text8Corpus read(Path path, int minCount) throws IOException {
        if (minCount < 1) throw new IllegalArgumentException("minCount must be >= 1, got " + minCount);
        Map<String, Integer> ids = new HashMap<>(1 << 20);
        List<String> firstSeen = new ArrayList<>();
        long[] cnt = new long[1 << 16];
        List<int[]> provisional = new ArrayList<>();
        int[] line = new int[1024];
        int n = 0;
        byte[] tok = new byte[256];
        int tl = 0;
        long raw = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 20)) {
            byte[] buf = new byte[1 << 20];
            int r;
            boolean eof = false;
            while (!eof) {
                r = in.read(buf);
                if (r < 0) {
                    eof = true;
                    r = 1;
                    buf[0] = '\n';
                }
                for (int i = 0; i < r; i++) {
                    byte b = buf[i];
                    if (b == ' ' || b == '\n' || b == '\t' || b == '\r') {
                        if (tl > 0) {
                            String w = new String(tok, 0, tl, StandardCharsets.UTF_8);
                            tl = 0;
                            Integer id = ids.get(w);
                            if (id == null) {
                                id = firstSeen.size();
                                ids.put(w, id);
                                firstSeen.add(w);
                                if (id >= cnt.length) cnt = Arrays.copyOf(cnt, cnt.length * 2);
                            }
                            cnt[id]++;
                            raw++;
                            if (n == line.length) line = Arrays.copyOf(line, n * 2);
                            line[n++] = id;
                            if (n == MAX_SENTENCE) {
                                provisional.add(Arrays.copyOf(line, n));
                                n = 0;
                            }
                        }
                        if (b == '\n' && n > 0) {
                            provisional.add(Arrays.copyOf(line, n));
                            n = 0;
                        }
                    } else {
                        if (tl == tok.length) tok = Arrays.copyOf(tok, tl * 2);
                        tok[tl++] = b;
                    }
                }
            }
        }
        int v0 = firstSeen.size();
        Integer[] order = new Integer[v0];
        for (int i = 0; i < v0; i++) order[i] = i;
        final long[] c = cnt;
        Arrays.sort(order, (a, b) -> c[b] != c[a] ? Long.compare(c[b], c[a]) : Integer.compare(a, b));
        int[] remap = new int[v0];
        Arrays.fill(remap, -1);
        List<String> words = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (int i = 0; i < v0; i++) {
            int p = order[i];
            if (c[p] < minCount) break;
            remap[p] = words.size();
            words.add(firstSeen.get(p));
            counts.add(c[p]);
        }
        if (words.isEmpty()) throw new IOException("no word reaches min_count " + minCount + " in " + path);
        long[] countArr = new long[words.size()];
        long inVocab = 0;
        for (int i = 0; i < countArr.length; i++) {
            countArr[i] = counts.get(i);
            inVocab += countArr[i];
        }
        List<int[]> sentences = new ArrayList<>(provisional.size());
        for (int[] s : provisional) {
            int k = 0;
            for (int t : s) {
                int m = remap[t];
                if (m >= 0) s[k++] = m;
            }
            if (k > 0) sentences.add(k == s.length ? s : Arrays.copyOf(s, k));
        }
        return new Text8Corpus(Collections.unmodifiableList(words), countArr, sentences, raw, inVocab);
    }
}
