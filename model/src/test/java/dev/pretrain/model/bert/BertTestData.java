package dev.pretrain.model.bert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-only generator of BERT pretraining examples from real text (the production generator lives in corpus-prep).
 * Words = lower-cased letter runs or single punctuation marks; vocab = [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, [MASK]=4,
 * then words by descending frequency. Sentences split on . ! ? ; instances follow Google's create_pretraining_data
 * (A = a run of sentences, B = actual next run or, with probability 0.5, a random one; 15% masking with 80/10/10).
 */
final class BertTestData {
    static final int PAD = 0, UNK = 1, CLS = 2, SEP = 3, MASK = 4;
    private static final Pattern WORD = Pattern.compile("[a-z]+|[.,!?;:'\"()-]");

    final Map<String, Integer> vocab = new HashMap<>();
    final List<int[]> sentences = new ArrayList<>();
    int cls = CLS, sep = SEP, maskId = MASK, firstRegular = 5;

    /**
     * Sentences of the first {@code maxDocs} reviews of the IMDB unsup TSV, tokenized with a minimal uncased WordPiece
     * (whitespace + punctuation split, greedy longest-match-first with "##" continuations) over the given BERT vocab.
     */
    static BertTestData loadWordPiece(Path vocabFile, Path imdbTsvGz, int maxDocs) throws IOException {
        BertTestData d = new BertTestData();
        List<String> lines = Files.readAllLines(vocabFile, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) d.vocab.put(lines.get(i), i);
        d.cls = d.vocab.get("[CLS]");
        d.sep = d.vocab.get("[SEP]");
        d.maskId = d.vocab.get("[MASK]");
        d.firstRegular = d.maskId + 1;
        int unk = d.vocab.get("[UNK]");
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                new java.util.zip.GZIPInputStream(Files.newInputStream(imdbTsvGz)), StandardCharsets.UTF_8))) {
            r.readLine();
            String line;
            int docs = 0;
            while ((line = r.readLine()) != null && docs++ < maxDocs) {
                String text = line.substring(line.lastIndexOf('\t') + 1).replace("<br />", " ").toLowerCase(Locale.ROOT);
                for (String sent : text.split("(?<=[.!?])\\s+")) {
                    List<Integer> ids = new ArrayList<>();
                    Matcher m = BASIC.matcher(sent);
                    while (m.find()) wordPiece(m.group(), d.vocab, unk, ids);
                    if (ids.size() >= 3) d.sentences.add(ids.stream().mapToInt(Integer::intValue).toArray());
                }
            }
        }
        return d;
    }

    private static final Pattern BASIC = Pattern.compile("[\\p{L}\\p{N}]+|[^\\s\\p{L}\\p{N}]");

    private static void wordPiece(String word, Map<String, Integer> vocab, int unk, List<Integer> out) {
        if (word.length() > 100) { out.add(unk); return; }
        List<Integer> pieces = new ArrayList<>();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            Integer id = null;
            while (start < end) {
                String sub = (start > 0 ? "##" : "") + word.substring(start, end);
                id = vocab.get(sub);
                if (id != null) break;
                end--;
            }
            if (id == null) { out.add(unk); return; }
            pieces.add(id);
            start = end;
        }
        out.addAll(pieces);
    }

    static Path shared() {
        return Path.of(System.getProperty("shared.dir", "../shared"));
    }

    /** Reads up to maxChars of a text file and builds a vocab of at most vocabSize entries. */
    static BertTestData load(Path file, int maxChars, int vocabSize) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.length() > maxChars) text = text.substring(0, maxChars);
        List<List<String>> sents = new ArrayList<>();
        for (String s : text.toLowerCase(Locale.ROOT).split("(?<=[.!?])\\s+|\\r?\\n\\s*\\r?\\n")) {
            List<String> words = new ArrayList<>();
            Matcher m = WORD.matcher(s);
            while (m.find()) words.add(m.group());
            if (words.size() >= 3) sents.add(words);
        }
        Map<String, Integer> counts = new HashMap<>();
        for (List<String> s : sents) for (String w : s) counts.merge(w, 1, Integer::sum);
        List<Map.Entry<String, Integer>> byFreq = new ArrayList<>(counts.entrySet());
        byFreq.sort((a, b) -> b.getValue() - a.getValue() != 0 ? b.getValue() - a.getValue() : a.getKey().compareTo(b.getKey()));
        BertTestData d = new BertTestData();
        for (String sp : new String[]{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) d.vocab.put(sp, d.vocab.size());
        for (Map.Entry<String, Integer> e : byFreq) {
            if (d.vocab.size() >= vocabSize) break;
            d.vocab.put(e.getKey(), d.vocab.size());
        }
        for (List<String> s : sents) d.sentences.add(s.stream().mapToInt(w -> d.vocab.getOrDefault(w, UNK)).toArray());
        return d;
    }

    int vocabSize() {
        return vocab.size();
    }

    /** Builds n examples (seeded), sentences taken in order starting at the given sentence index. */
    List<BertExample> examples(int n, int firstSentence, BertConfig cfg, long seed) {
        Random rnd = new Random(seed);
        int t = cfg.getMaxPositionEmbeddings();
        int p = cfg.getMaxPredictionsPerSeq();
        int maxTokens = t - 3;
        List<BertExample> out = new ArrayList<>();
        int s = firstSentence;
        while (out.size() < n) {
            if (s >= sentences.size() - 2) s = 0;
            int targetA = 1 + rnd.nextInt(Math.max(1, maxTokens / 2));
            List<Integer> a = new ArrayList<>();
            while (a.size() < targetA && s < sentences.size() - 1) for (int w : sentences.get(s++)) a.add(w);
            List<Integer> b = new ArrayList<>();
            int label;
            if (rnd.nextBoolean()) {
                label = 1;
                int r = rnd.nextInt(sentences.size());
                while (b.size() < maxTokens - Math.min(a.size(), maxTokens / 2) && r < sentences.size()) for (int w : sentences.get(r++)) b.add(w);
            } else {
                label = 0;
                int r = s;
                while (b.size() < maxTokens - Math.min(a.size(), maxTokens / 2) && r < sentences.size()) for (int w : sentences.get(r++)) b.add(w);
            }
            while (a.size() + b.size() > maxTokens) {   // truncate the longer one (from the end, as Google truncates randomly front/back)
                if (a.size() > b.size()) a.remove(a.size() - 1); else b.remove(b.size() - 1);
            }
            if (a.isEmpty() || b.isEmpty()) continue;
            int[] ids = new int[t], mask = new int[t], seg = new int[t];
            int k = 0;
            ids[k++] = cls;
            for (int w : a) ids[k++] = w;
            ids[k++] = sep;
            int bStart = k;
            for (int w : b) ids[k++] = w;
            ids[k++] = sep;
            for (int j = 0; j < k; j++) {
                mask[j] = 1;
                seg[j] = j >= bStart ? 1 : 0;
            }
            List<Integer> cand = new ArrayList<>();
            for (int j = 0; j < k; j++) if (ids[j] != cls && ids[j] != sep) cand.add(j);
            Collections.shuffle(cand, rnd);
            int numPred = Math.min(p, Math.max(1, Math.round(k * 0.15f)));
            List<Integer> chosen = new ArrayList<>(cand.subList(0, Math.min(numPred, cand.size())));
            Collections.sort(chosen);
            int[] pos = new int[p], mids = new int[p];
            float[] wts = new float[p];
            for (int q = 0; q < chosen.size(); q++) {
                int j = chosen.get(q);
                pos[q] = j;
                mids[q] = ids[j];
                wts[q] = 1f;
                double r = rnd.nextDouble();
                if (r < 0.8) ids[j] = maskId;
                else if (r < 0.9) ids[j] = firstRegular + rnd.nextInt(vocab.size() - firstRegular);
            }
            out.add(new BertExample(ids, mask, seg, pos, mids, wts, label));
        }
        return out;
    }

    static String describe(BertExample e) {
        return Arrays.toString(e.inputIds());
    }

    /**
     * Four fixed 16-token examples over ids 5..54 (segment B from position 8, masked positions 1..4 with labels
     * 6..9, next_sentence_label alternating 0/1): a tiny deterministic batch for save/load and resume checks.
     */
    static List<BertExample> fourSyntheticExamples() {
        List<BertExample> ex = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int[] ids = new int[16], mask = new int[16], seg = new int[16];
            for (int j = 0; j < 16; j++) {
                ids[j] = 5 + (i * 7 + j * 3) % 50;
                mask[j] = 1;
                seg[j] = j >= 8 ? 1 : 0;
            }
            ex.add(new BertExample(ids, mask, seg, new int[] {1, 2, 3, 4}, new int[] {6, 7, 8, 9},
                    new float[] {1, 1, 1, 1}, i % 2));
        }
        return ex;
    }
}
