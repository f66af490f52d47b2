package dev.pretrain.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.pretrain.corpus.ingest.DocumentFormat;
import dev.pretrain.corpus.ingest.SourceSpec;

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
}
