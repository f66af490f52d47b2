package dev.pretrain.model.eval;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class EvaluatorsTest {
    static Path shared() {
        return Path.of(System.getProperty("shared.dir", "../shared"));
    }

    /**
     * Hand-made 8-d embedding over orthonormal axes a, r, g0, g1, cap, ctry, p, q (e1..e8), all analogy words with
     * norm sqrt(2) so that normalisation keeps the arithmetic exact: man = a+g0, woman = a+g1, king = r+g0,
     * queen = r+g1 (= king - man + woman), Paris = p+cap, France = p+ctry, Berlin = q+cap, Germany = q+ctry
     * (= France - Paris + Berlin); apple = a; rare = queen + 0.1 q (close to queen, less frequent).
     */
    private static InMemoryWordEmbeddings toy() {
        List<String> w = List.of("man", "woman", "king", "queen", "Paris", "France", "Berlin", "Germany", "apple", "rare");
        float[] v = {
                1, 0, 1, 0, 0, 0, 0, 0,
                1, 0, 0, 1, 0, 0, 0, 0,
                0, 1, 1, 0, 0, 0, 0, 0,
                0, 1, 0, 1, 0, 0, 0, 0,
                0, 0, 0, 0, 1, 0, 1, 0,
                0, 0, 0, 0, 0, 1, 1, 0,
                0, 0, 0, 0, 1, 0, 0, 1,
                0, 0, 0, 0, 0, 1, 0, 1,
                1, 0, 0, 0, 0, 0, 0, 0,
                0, 1, 0, 1, 0, 0, 0, 0.1f};
        return new InMemoryWordEmbeddings(w, v, 8);
    }

    @Test
    void analogyOnHandMadeEmbedding() throws IOException {
        String q = ": family\nman woman king queen\nMAN WOMAN KING QUEEN\nman king woman apple\nman woman unknown queen\n"
                + ": gram-toy\nking queen man woman\n";
        AnalogyResult r = AnalogyEvaluator.evaluate(toy(), new StringReader(q), 0);
        assertEquals(5, r.total());
        assertEquals(4, r.evaluated()); // "unknown" is OOV
        // q1, q2 (case-insensitive): queen. q3: king - man + woman = queen, but expected apple -> wrong.
        // q4 (gram): queen - king + man = (1,1,0) = woman.
        assertEquals(3, r.correct());
        assertEquals(2.0 / 3, r.semanticAccuracy(), 1e-12);
        assertEquals(1.0, r.syntacticAccuracy(), 1e-12);
        assertEquals(0.75, r.accuracy(), 1e-12);
        assertArrayEquals(new double[] {2, 3, 4, 2.0 / 3}, r.perSection().get("family"), 1e-12);
        // Restricting to the 4 most frequent words drops questions mentioning Paris etc. and "rare" as candidate.
        AnalogyResult r4 = AnalogyEvaluator.evaluate(toy(), new StringReader(": s\nman woman king queen\nParis France Berlin Germany\n"), 4);
        assertEquals(1, r4.evaluated());
        assertEquals(1, r4.correct());
        AnalogyResult all = AnalogyEvaluator.evaluate(toy(), new StringReader(": s\nParis France Berlin Germany\n"), 0);
        assertEquals(1, all.correct());
    }

    @Test
    void analogyExcludesQuestionWordsAndRejectsBadLines() {
        IOException e = assertThrows(IOException.class,
                () -> AnalogyEvaluator.evaluate(toy(), new StringReader(": s\nman woman king\n"), 0));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void realQuestionsFileHasGoogleCounts() throws IOException {
        // A tiny embedding: nothing is evaluated, but every question and section is counted.
        AnalogyResult r = AnalogyEvaluator.evaluate(toy(),
                Files.newBufferedReader(shared().resolve("data/analogy/questions-words.txt")), 30000);
        assertEquals(19544, r.total());
        assertEquals(14, r.perSection().size());
        long semanticSections = r.perSection().keySet().stream().filter(s -> !s.startsWith("gram")).count();
        assertEquals(5, semanticSections);
        long semanticQuestions = r.perSection().entrySet().stream().filter(e -> !e.getKey().startsWith("gram"))
                .mapToLong(e -> (long) e.getValue()[2]).sum();
        assertEquals(8869, semanticQuestions);
        assertEquals("capital-common-countries", r.perSection().keySet().iterator().next());
        // "man woman king queen" style family questions are all in vocabulary of the toy: some are evaluated
        assertTrue(r.perSection().get("family")[1] >= 1);
    }

    @Test
    void spearmanWithTiesMatchesHandComputation() {
        // x = {1, 2, 2, 3}: ranks {1, 2.5, 2.5, 4}; y = {10, 30, 20, 40}: ranks {1, 3, 2, 4}
        // Pearson of ranks: mean 2.5 each; dx = {-1.5, 0, 0, 1.5}, dy = {-1.5, 0.5, -0.5, 1.5}
        // sxy = 2.25 + 0 + 0 + 2.25 = 4.5; sxx = 4.5; syy = 2.25+0.25+0.25+2.25 = 5 -> rho = 4.5/sqrt(22.5)
        double rho = WordSimilarityEvaluator.spearman(new double[] {1, 2, 2, 3}, new double[] {10, 30, 20, 40});
        assertEquals(4.5 / Math.sqrt(22.5), rho, 1e-12);
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, WordSimilarityEvaluator.ranks(new double[] {1, 2, 2, 3}));
        assertEquals(-1.0, WordSimilarityEvaluator.spearman(new double[] {1, 2, 3}, new double[] {9, 5, 1}), 1e-12);
        assertTrue(Double.isNaN(WordSimilarityEvaluator.spearman(new double[] {1}, new double[] {1})));
    }

    @Test
    void similarityFormats() throws IOException {
        // cos(man, apple) = 0.707 > cos(king, queen) = 0.5 > cos(king, woman) = 0: human scores in the same order
        String wordsim = "# comment\n# another\nking\tqueen\t5.0\nking\twoman\t1\nman\tapple\t9\nman\tzzz\t3\n";
        SimilarityResult r = WordSimilarityEvaluator.evaluate(toy(), new StringReader(wordsim));
        assertEquals(1.0, r.spearman(), 1e-12);
        assertEquals(3, r.pairsUsed());
        assertEquals(4, r.pairsTotal());
        String men = "word1 word2 score\nKING QUEEN 50.000000\nking woman 10.0\nman apple 20.0\n";
        SimilarityResult m = WordSimilarityEvaluator.evaluate(toy(), new StringReader(men));
        assertEquals(3, m.pairsTotal());
        assertEquals(0.5, m.spearman(), 1e-12); // ranks x {2,1,3} vs y {3,1,2}
        IOException e = assertThrows(IOException.class,
                () -> WordSimilarityEvaluator.evaluate(toy(), new StringReader("a b 1\nc d x\n")));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void realSimilarityFilesParse() throws IOException {
        Path d = shared().resolve("data/similarity");
        assertEquals(353, WordSimilarityEvaluator.evaluate(toy(), Files.newBufferedReader(d.resolve("wordsim353.tsv"))).pairsTotal());
        assertEquals(999, WordSimilarityEvaluator.evaluate(toy(), Files.newBufferedReader(d.resolve("simlex999.txt"))).pairsTotal());
        assertEquals(3000, WordSimilarityEvaluator.evaluate(toy(),
                Files.newBufferedReader(d.resolve("MEN_dataset_natural_form_full.txt"))).pairsTotal());
    }

    @Test
    void nearestNeighbours() {
        List<Map.Entry<String, Double>> nn = NearestNeighbours.of(toy(), "queen", 2);
        assertEquals(2, nn.size());
        assertEquals("rare", nn.get(0).getKey());
        assertEquals(2 / (Math.sqrt(2) * Math.sqrt(2.01)), nn.get(0).getValue(), 1e-6);
        assertTrue(nn.get(0).getValue() >= nn.get(1).getValue());
        assertEquals("queen", NearestNeighbours.of(toy(), "RARE", 1).get(0).getKey()); // case-insensitive fallback
        assertThrows(IllegalArgumentException.class, () -> NearestNeighbours.of(toy(), "nope", 3));
        assertEquals(9, NearestNeighbours.of(toy(), "man", 100).size());
    }
}
