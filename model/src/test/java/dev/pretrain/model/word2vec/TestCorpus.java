package dev.pretrain.model.word2vec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Test/experiment helper: a word-id corpus from the IMDB unsup reviews (review = everything after the 4th tab,
 * {@code <br />} replaced by a space, lower-cased, split on non-letters), vocabulary with a min count, ids sorted
 * by count descending (ties by word).
 */
final class TestCorpus {
    final List<String> words;
    final long[] counts;
    final List<int[]> sentences;
    final long totalWords;

    private TestCorpus(List<String> words, long[] counts, List<int[]> sentences, long totalWords) {
        this.words = words;
        this.counts = counts;
        this.sentences = sentences;
        this.totalWords = totalWords;
    }

    static Path sharedDir() {
        return Path.of(System.getProperty("shared.dir", "../shared"));
    }

    static Path imdbUnsup() {
        return sharedDir().resolve("data/corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz");
    }

    /** Reads reviews until about {@code maxWords} tokens (Long.MAX_VALUE for all). */
    static List<String[]> readImdb(Path gz, long maxWords) throws IOException {
        List<String[]> docs = new ArrayList<>();
        long n = 0;
        try (BufferedReader br = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(gz), 1 << 16), StandardCharsets.UTF_8), 1 << 16)) {
            String line = br.readLine(); // header
            if (line == null || !line.startsWith("split\t")) throw new IOException(gz + ": unexpected header " + line);
            while ((line = br.readLine()) != null && n < maxWords) {
                int tab = -1;
                for (int k = 0; k < 4; k++) {
                    tab = line.indexOf('\t', tab + 1);
                    if (tab < 0) throw new IOException(gz + ": line with fewer than 5 fields");
                }
                String review = line.substring(tab + 1).replace("<br />", " ").toLowerCase(Locale.ROOT);
                String[] toks = review.split("[^a-z]+");
                int start = toks.length > 0 && toks[0].isEmpty() ? 1 : 0;
                if (start == 1) toks = java.util.Arrays.copyOfRange(toks, 1, toks.length);
                docs.add(toks);
                n += toks.length;
            }
        }
        return docs;
    }

    static TestCorpus build(List<String[]> docs, int minCount) {
        Map<String, long[]> c = new HashMap<>();
        for (String[] d : docs) for (String w : d) c.computeIfAbsent(w, k -> new long[1])[0]++;
        List<Map.Entry<String, long[]>> es = new ArrayList<>();
        for (Map.Entry<String, long[]> e : c.entrySet()) if (e.getValue()[0] >= minCount) es.add(e);
        es.sort((a, b) -> a.getValue()[0] != b.getValue()[0] ? Long.compare(b.getValue()[0], a.getValue()[0])
                : a.getKey().compareTo(b.getKey()));
        List<String> words = new ArrayList<>(es.size());
        long[] counts = new long[es.size()];
        Map<String, Integer> id = new HashMap<>();
        for (int i = 0; i < es.size(); i++) {
            words.add(es.get(i).getKey());
            counts[i] = es.get(i).getValue()[0];
            id.put(es.get(i).getKey(), i);
        }
        List<int[]> sents = new ArrayList<>(docs.size());
        long total = 0;
        for (String[] d : docs) {
            int[] s = new int[d.length];
            int k = 0;
            for (String w : d) {
                Integer i = id.get(w);
                if (i != null) s[k++] = i;
            }
            if (k > 0) {
                sents.add(java.util.Arrays.copyOf(s, k));
                total += k;
            }
        }
        return new TestCorpus(words, counts, sents, total);
    }
}
