package dev.pretrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.corpus.ingest.filters.C4QualityFilter;
import dev.pretrain.corpus.ingest.filters.WebFilters;
import dev.pretrain.jobs.pipeline.PipelineConfig;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.SparkSessions;
import dev.pretrain.jobs.stages.IngestStage;

/**
 * Ingest with every web filter on: real IMDB reviews (each with an e-mail address appended), German and French
 * documents (the UN's translations of the Universal Declaration of Human Rights, articles 1 to 3) and boilerplate
 * pages; the per-rule and per-language counts must account for every document.
 */
class IngestWebFiltersTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;

    static final List<String> GERMAN = List.of(
            "Alle Menschen sind frei und gleich an Würde und Rechten geboren. Sie sind mit Vernunft und Gewissen "
                    + "begabt und sollen einander im Geist der Brüderlichkeit begegnen.",
            "Jeder hat Anspruch auf alle in dieser Erklärung verkündeten Rechte und Freiheiten ohne irgendeinen "
                    + "Unterschied, etwa nach Rasse, Hautfarbe, Geschlecht, Sprache, Religion, politischer oder "
                    + "sonstiger Überzeugung, nationaler oder sozialer Herkunft, Vermögen, Geburt oder sonstigem Stand.",
            "Jeder hat das Recht auf Leben, Freiheit und Sicherheit der Person.");
    static final List<String> FRENCH = List.of(
            "Tous les êtres humains naissent libres et égaux en dignité et en droits. Ils sont doués de raison et "
                    + "de conscience et doivent agir les uns envers les autres dans un esprit de fraternité.",
            "Chacun peut se prévaloir de tous les droits et de toutes les libertés proclamés dans la présente "
                    + "Déclaration, sans distinction aucune, notamment de race, de couleur, de sexe, de langue, de "
                    + "religion, d'opinion politique ou de toute autre opinion, d'origine nationale ou sociale, de "
                    + "fortune, de naissance ou de toute autre situation.",
            "Tout individu a droit à la vie, à la liberté et à la sûreté de sa personne.");

    /** Drop keys of the checks that run before the web filters (so before language identification). */
    static final java.util.Set<String> PRE_WEB = java.util.Set.of("empty", "too_short", "too_long", "symbol_ratio",
            "repeated_lines", "invalid_utf8", "oversized", "bad_record");

    @SuppressWarnings("unchecked")
    static void assertAccounted(StageReport r) {
        long dropped = ((Map<String, Long>) r.get("dropped")).values().stream().mapToLong(Long::longValue).sum();
        assertEquals(IngestStageTest.num(r, "documents_in"), IngestStageTest.num(r, "documents_kept") + dropped
                + IngestStageTest.num(r, "duplicates_exact") + IngestStageTest.num(r, "duplicates_near"),
                "documents_in = kept + dropped (by rule) + duplicates");
        assertEquals(Boolean.TRUE, r.get("accounted"));
        assertEquals(IngestStageTest.num(r, "documents_kept"), spark.read().parquet((String) r.get("output")).count());
    }

    @BeforeAll
    static void start() {
        spark = SparkSessions.getOrCreate("ingest-web-filters-test", "local[2]");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** Passes every filter; C4 removes its last four lines, one per rule. */
    static final String LINE_RULE_DOC = String.join("<br />",
            "The morning train left the station a little after seven with every seat taken.",
            "A man near the window was reading a thick book about the history of bridges.",
            "Across the aisle two children were counting the cows they could see in the fields.",
            "The conductor walked slowly through the carriage and checked each ticket with care.",
            "Outside the rain had stopped and the hills were turning green in the pale light.",
            "When the train reached the coast most of the people stood up and took their bags.",
            "Please enable JavaScript to view the comments on this story.",
            "This site uses cookies to improve your visit to our pages.",
            "Share this story with your friends and family",
            "Thanks, all.");

    static Path input() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("in")).resolve("docs.jsonl");
        ObjectMapper json = new ObjectMapper();
        List<String> docs = new ArrayList<>();
        for (String review : IngestStageTest.imdbReviews(0, 150)) {
            docs.add(review + "<br /><br />Write to me at reviewer@example.net if you agree.");
        }
        docs.addAll(GERMAN);
        docs.addAll(FRENCH);
        String lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ";
        docs.add(("The page of the shop. " + lorem).repeat(12));
        docs.add("Home<br />About us<br />Contact<br />Log in<br />Cart<br />Search<br />Sitemap<br />"
                + "Terms of use<br />Privacy policy<br />Help<br />The shop and the cart that we have with you.");
        docs.add(LINE_RULE_DOC);
        try (Writer w = Files.newBufferedWriter(in)) {
            for (String d : docs) {
                w.write(json.writeValueAsString(Map.of("text", d)) + "\n");
            }
        }
        return in;
    }

    @Test
    @SuppressWarnings("unchecked")
    void perRuleAndPerLanguageCountsAccountForEveryDocument() throws IOException {
        Path in = input();
        List<SourceSpec> specs = List.of(SourceSpec.jsonLines("web", in.toString(), "text").withHtml(true));
        PipelineConfig c = PipelineConfig.parse("ingest: {filters: {gopher_quality: true, gopher_repetition: true, "
                + "c4: true, fineweb: true, pii: true}, languages: [en]}", "t.yaml");
        WebFilters web = c.ingest.webFilters();
        String out = tmp.resolve("on/documents").toString();
        StageReport r = IngestStage.run(spark, new IngestStage.Options(specs, out, "en", 20, 1, 1 << 20)
                .withWebFilters(web));
        assertAccounted(r);
        assertEquals(159L, IngestStageTest.num(r, "documents_in"));
        Map<String, Long> dropped = (Map<String, Long>) r.get("dropped");
        assertEquals(6L, dropped.get("language_not_kept"), "the German and French documents: " + dropped);
        assertTrue(dropped.keySet().stream().anyMatch(k -> k.startsWith("gopher_")), dropped.toString());
        assertTrue(dropped.keySet().stream().anyMatch(k -> k.startsWith("c4_")), "reviews of < 5 sentences: " + dropped);
        long beforeLanguage = 159;
        for (Map.Entry<String, Long> e : dropped.entrySet()) {
            String rule = e.getKey();
            boolean webRule = rule.startsWith("gopher_") || rule.startsWith("c4_") || rule.startsWith("fineweb_")
                    || rule.startsWith("language_");
            assertTrue(webRule || PRE_WEB.contains(rule) || rule.equals("too_few_sentences"), "a named rule: " + rule);
            if (PRE_WEB.contains(rule)) {
                beforeLanguage -= e.getValue();
            }
        }
        Map<String, Map<String, Object>> langs = (Map<String, Map<String, Object>>) r.get("languages");
        assertEquals(3L, ((Number) langs.get("de").get("documents")).longValue(), langs.toString());
        assertEquals(3L, ((Number) langs.get("fr").get("documents")).longValue(), langs.toString());
        assertEquals(0L, ((Number) langs.get("de").get("kept_before_dedup")).longValue());
        long englishKept = ((Number) langs.get("en").get("kept_before_dedup")).longValue();
        assertTrue(englishKept >= 75, "most real reviews pass: " + langs);
        long langDocs = langs.values().stream().mapToLong(m -> ((Number) m.get("documents")).longValue()).sum();
        assertEquals(beforeLanguage, langDocs, "every document that reached language identification is counted");

        // C4's removed lines, per line rule, beside the per-document drops: LINE_RULE_DOC's four at least
        Map<String, Long> lines = (Map<String, Long>) r.get("lines_removed");
        for (String rule : List.of("c4_line_no_terminal_punct", "c4_line_too_few_words", "c4_line_javascript",
                "c4_line_policy")) {
            assertTrue(lines.getOrDefault(rule, 0L) >= 1, rule + ": " + lines);
        }
        assertTrue(C4QualityFilter.LINE_RULES.containsAll(lines.keySet()), lines.toString());
        Map<String, Object> webCorpus = (Map<String, Object>) ((Map<String, Object>) r.get("by_corpus")).get("web");
        assertEquals(lines, webCorpus.get("lines_removed"), "one corpus: its counts are the totals");
        boolean lineDocKept = false;
        for (Row row : spark.read().parquet(out).collectAsList()) {
            String text = String.join(" ", row.<String>getList(row.fieldIndex("sentences")));
            lineDocKept |= text.contains("morning train");
            assertFalse(text.contains("JavaScript") || text.contains("Thanks, all."), text);
        }
        assertTrue(lineDocKept, "the line-rule document passes the filters");

        // PII: the appended address of every kept review is replaced; C4 removes no line of those sentences
        List<Row> rows = spark.read().parquet(out).collectAsList();
        boolean replaced = false;
        for (Row row : rows) {
            String text = String.join(" ", row.<String>getList(row.fieldIndex("sentences")));
            assertFalse(text.contains("reviewer@example.net"), text);
            replaced |= text.contains("email@example.com");
        }
        assertTrue(replaced);

        // the same input without web filters: same documents_in, no language section, more kept
        StageReport off = IngestStage.run(spark, new IngestStage.Options(specs, tmp.resolve("off/documents")
                .toString(), "en", 20, 1, 1 << 20));
        assertAccounted(off);
        assertEquals(159L, IngestStageTest.num(off, "documents_in"));
        assertNull(off.get("languages"));
        assertNull(off.get("lines_removed"), "no line filter, no line counts");
        assertTrue(IngestStageTest.num(off, "documents_kept") > IngestStageTest.num(r, "documents_kept"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void routeWritesOneFolderOfShardsPerLanguageKeepingEveryDocument() throws IOException {
        Path in = input();
        List<SourceSpec> specs = List.of(SourceSpec.jsonLines("web", in.toString(), "text").withHtml(true));
        PipelineConfig c = PipelineConfig.parse("ingest: {languages: [en], language_mode: route}", "t.yaml");
        WebFilters web = c.ingest.webFilters();
        assertTrue(web.language().route() && !web.language().keep());
        String out = tmp.resolve("route/documents").toString();
        StageReport r = IngestStage.run(spark, new IngestStage.Options(specs, out, "en", 20, 1, 1 << 20)
                .withWebFilters(web));
        assertAccounted(r); // also: Spark reads <output> as one table of documents_kept rows
        Map<String, Long> dropped = (Map<String, Long>) r.get("dropped");
        assertNull(dropped.get("language_not_kept"), "route keeps every language: " + dropped);
        Map<String, Map<String, Object>> folders = (Map<String, Map<String, Object>>) r.get("language_folders");
        assertTrue(folders.keySet().containsAll(List.of("en", "de", "fr")), folders.toString());
        long total = 0;
        for (Map.Entry<String, Map<String, Object>> e : folders.entrySet()) {
            Path folder = Path.of(out, "language=" + e.getKey());
            assertEquals("language=" + e.getKey(), e.getValue().get("folder"));
            List<Row> rows = spark.read().parquet(folder.toString()).collectAsList();
            long docs = ((Number) e.getValue().get("documents")).longValue();
            assertEquals(docs, rows.size(), e.getKey());
            for (Row row : rows) {
                assertEquals(e.getKey(), row.getString(row.fieldIndex("language")));
            }
            assertEquals(List.of("doc_id", "corpus", "source", "sentences", "record_id", "url", "date", "language",
                    "language_score"), List.of(spark.read().parquet(folder.toString()).schema()
                    .fieldNames()), "the same schema in every folder");
            total += docs;
        }
        assertEquals(3L, ((Number) folders.get("de").get("documents")).longValue());
        assertEquals(IngestStageTest.num(r, "documents_kept"), total);
        List<Map<String, Object>> shards = (List<Map<String, Object>>) r.get("shard_sizes");
        assertEquals(total, shards.stream().mapToLong(m -> ((Number) m.get("documents")).longValue()).sum());
        assertTrue(shards.stream().allMatch(m -> folders.containsKey(((String) m.get("folder")).substring(9))));
    }
}
