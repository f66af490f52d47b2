package dev.pretrain.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.pretrain.corpus.ingest.DocumentFormat;
import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.jobs.pipeline.PipelineConfig;

/** {@code --source} strings of the ingest command, every format. */
class IngestCommandTest {
    @Test
    void everyFormatParses() {
        SourceSpec csv = IngestCommand.parseSource("name=sst,uri=a.tsv,format=csv,field=sentence,delimiter=tab").toSpec();
        assertEquals(DocumentFormat.CSV, csv.format());
        assertEquals("sentence", csv.field());
        assertEquals('\t', csv.delimiter());
        SourceSpec json = IngestCommand.parseSource("name=j,uri=x/*.jsonl.gz,format=jsonl,field=/meta/text,html=true")
                .toSpec();
        assertEquals(DocumentFormat.JSONL, json.format());
        assertEquals("/meta/text", json.field());
        assertTrue(json.html());
        assertEquals(DocumentFormat.WIKI_XML,
                IngestCommand.parseSource("name=w,uri=w.xml.bz2,format=wikipedia_xml").toSpec().format());
        SourceSpec brown = IngestCommand.parseSource("name=b,uri=b.tar.gz,format=brown").toSpec();
        assertEquals(DocumentFormat.TAGGED_TAR, brown.format());
        assertTrue(brown.memberRegex().contains("c[a-r]"));
        SourceSpec tar = IngestCommand.parseSource("name=t,uri=t.tar,format=tagged_tar,members=^data/").toSpec();
        assertEquals("^data/", tar.memberRegex());
        assertEquals(DocumentFormat.FILE, IngestCommand.parseSource("name=f,uri=f,format=file").toSpec().format());
        IllegalArgumentException noField = assertThrows(IllegalArgumentException.class,
                () -> IngestCommand.parseSource("name=j,uri=x,format=jsonl").toSpec());
        assertTrue(noField.getMessage().contains("field"), noField.getMessage());
    }

    @Test
    void singleLineCsvRecordsAndTheSplitSize() {
        SourceSpec csv = IngestCommand.parseSource("name=c,uri=a.csv,format=csv,field=text,single_line_records=true")
                .toSpec();
        assertTrue(csv.singleLineRecords() && csv.lineSplittable());
        assertFalse(IngestCommand.parseSource("name=c,uri=a.csv,format=csv,field=text").toSpec().lineSplittable());
        IllegalArgumentException notCsv = assertThrows(IllegalArgumentException.class,
                () -> IngestCommand.parseSource("name=l,uri=a.txt,format=line,single_line_records=true").toSpec());
        assertTrue(notCsv.getMessage().contains("CSV"), notCsv.getMessage());
        assertEquals(128L << 20, PipelineConfig.bytes("--split-bytes", "128m"));
        assertEquals(134217728L, PipelineConfig.bytes("--split-bytes", "134217728"));
        assertEquals(1L << 30, PipelineConfig.bytes("--split-bytes", "1G"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> PipelineConfig.bytes("--split-bytes", "lots"));
        assertTrue(bad.getMessage().contains("--split-bytes") && bad.getMessage().contains("lots"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PipelineConfig.bytes("--split-bytes", "0"));
        PipelineConfig c = PipelineConfig.parse("ingest: {split_bytes: 64m}", "test.yaml");
        assertEquals(64L << 20, PipelineConfig.bytes("split_bytes", c.ingest.splitBytes));
        assertEquals("128m", new PipelineConfig().ingest.splitBytes);
    }

    @Test
    void webArchiveTarAndDatasetFormatsParse() {
        for (String f : new String[] {"warc", "arc", "wet"}) {
            SourceSpec w = IngestCommand.parseSource("name=w,uri=x.warc.gz,format=" + f).toSpec();
            assertEquals(DocumentFormat.WARC, w.format());
            assertFalse(w.html(), "main text is extracted while reading");
        }
        SourceSpec t = IngestCommand.parseSource("name=t,uri=t.tar.xz,format=text_tar,members=\\.txt$").toSpec();
        assertEquals(DocumentFormat.TEXT_TAR, t.format());
        assertEquals("\\.txt$", t.memberRegex());
        SourceSpec p = IngestCommand.parseSource(
                "name=p,uri=d/,format=parquet,column=text,id_column=id,url_column=url").toSpec();
        assertEquals(DocumentFormat.PARQUET, p.format());
        assertEquals("text", p.field());
        assertEquals("id", p.idField());
        assertEquals("url", p.urlField());
        SourceSpec o = IngestCommand.parseSource("name=o,uri=d/,format=orc,field=content").toSpec();
        assertEquals(DocumentFormat.ORC, o.format());
        assertEquals("content", o.field());
        IllegalArgumentException noColumn = assertThrows(IllegalArgumentException.class,
                () -> IngestCommand.parseSource("name=p,uri=d,format=parquet").toSpec());
        assertTrue(noColumn.getMessage().contains("column"), noColumn.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> IngestCommand.parseSource("name=l,uri=d,format=line,id_column=id").toSpec());
    }

    @Test
    void webFiltersFromYamlAndTheCli() {
        assertFalse(new PipelineConfig().ingest.webFilters().any(), "off by default");
        PipelineConfig c = PipelineConfig.parse("ingest: {filters: {gopher_quality: true, c4: true, pii: true, "
                + "params: {gopher_quality: {min_doc_words: 30}, c4: {remove_lines: false}}}, languages: [en], "
                + "language_min_confidence: 0.7}", "test.yaml");
        dev.pretrain.corpus.ingest.filters.WebFilters w = c.ingest.webFilters();
        assertEquals(30, w.gopherQuality().minDocWords());
        assertEquals(100_000, w.gopherQuality().maxDocWords(), "not overridden: the paper's");
        assertFalse(w.c4().removeLines());
        assertTrue(w.pii() != null && w.gopherRepetition() == null && w.fineweb() == null && w.url() == null);
        assertEquals(java.util.List.of("en"), w.language().languages());
        assertEquals(0.7, w.language().minConfidence());
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class, () -> PipelineConfig.parse(
                "ingest: {filters: {fineweb: true, params: {fineweb: {line_punct: 0.1}}}}", "t.yaml").ingest.webFilters());
        assertTrue(typo.getMessage().contains("line_punct"), typo.getMessage());
        IllegalArgumentException off = assertThrows(IllegalArgumentException.class, () -> PipelineConfig.parse(
                "ingest: {filters: {params: {c4: {min_sentences: 3}}}}", "t.yaml").ingest.webFilters());
        assertTrue(off.getMessage().contains("not enabled"), off.getMessage());
        java.util.Map<String, java.util.Map<String, String>> p = IngestCommand.parseFilterParams(
                java.util.List.of("gopher_repetition.dup_line_frac=0.5", "c4.min_sentences=3"));
        assertEquals("0.5", p.get("gopher_repetition").get("dup_line_frac"));
        assertEquals("3", p.get("c4").get("min_sentences"));
        assertThrows(IllegalArgumentException.class, () -> IngestCommand.parseFilterParams(java.util.List.of("x=1")));
        assertTrue(PipelineConfig.languageFilter(java.util.List.of(), 0.5, "keep", null) == null);
        assertFalse(PipelineConfig.languageFilter(java.util.List.of(), 0.5, "tag", null).keep());
        assertFalse(PipelineConfig.languageFilter(java.util.List.of(), 0.5, "tag", null).route());
        var route = PipelineConfig.languageFilter(java.util.List.of("en"), 0.5, "route", null);
        assertTrue(route.route() && !route.keep(), "route: tag, and one folder per language");
        assertThrows(IllegalArgumentException.class,
                () -> PipelineConfig.languageFilter(java.util.List.of("en"), 0.5, "split", null));
    }
}
