package dev.pretrain.corpus.ingest.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pretrain.corpus.ingest.DropReason;
import dev.pretrain.corpus.ingest.RawText;
import dev.pretrain.corpus.ingest.SourceReader;
import dev.pretrain.corpus.ingest.SourceSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

class TarTextReaderTest {
  static byte[] tar(String... namesAndTexts) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (int i = 0; i < namesAndTexts.length; i += 2) {
        String name = namesAndTexts[i];
        TarArchiveEntry e = new TarArchiveEntry(name);
        if (name.endsWith("/")) {
          t.putArchiveEntry(e);
        } else {
          byte[] b = namesAndTexts[i + 1].getBytes(StandardCharsets.UTF_8);
          e.setSize(b.length);
          t.putArchiveEntry(e);
          t.write(b);
        }
        t.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  static List<RawText> read(byte[] tar, String regex, int max) {
    List<RawText> out = new ArrayList<>();
    try (TarTextReader r = new TarTextReader(new ByteArrayInputStream(tar), "t.tar", regex, max)) {
      r.forEachRemaining(out::add);
    }
    return out;
  }

  @Test
  void oneDocumentPerMatchingMemberInArchiveOrder() throws IOException {
    String longName = "deep/" + "x".repeat(120) + ".txt";
    byte[] t = tar("docs/", "", "docs/a.txt", "\uFEFFFirst file.\nSecond line.", "docs/b.md", "markdown",
        longName, "Long name.", "docs/c.txt", "y".repeat(11));
    List<RawText> docs = read(t, "\\.txt$", 30);
    assertEquals(3, docs.size());
    assertEquals("First file.\nSecond line.", docs.get(0).text(), "BOM dropped");
    assertEquals("docs/a.txt", docs.get(0).recordId());
    assertEquals(longName, docs.get(1).recordId(), "PAX long names");
    assertEquals("y".repeat(11), docs.get(2).text());
    List<RawText> capped = read(t, "c\\.txt$", 10);
    assertEquals(DropReason.OVERSIZED, capped.get(0).readDrop());
    assertEquals(4, read(t, null, 100).size(), "no regex: every regular file, not the directory");
  }

  @Test
  void aCutArchiveEndsWithANamedError() throws IOException {
    byte[] t = tar("a.txt", "a".repeat(3000), "b.txt", "b".repeat(3000));
    byte[] cut = Arrays.copyOf(t, 2000);
    List<RawText> docs = new ArrayList<>();
    try (TarTextReader r = new TarTextReader(new ByteArrayInputStream(cut), "cut.tar", null, 100_000)) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> r.forEachRemaining(docs::add));
      assertTrue(e.getMessage().contains("cut.tar"), e.getMessage());
    }
  }

  @Test
  void sourceReaderDispatchesTextTar() throws IOException {
    byte[] t = tar("a.txt", "Alpha.", "b.txt", "Beta.");
    List<String> texts = new ArrayList<>();
    try (SourceReader.RawTexts r = SourceReader.read(SourceSpec.textTar("t", "x", "b"),
        new ByteArrayInputStream(t), "t.tar", 100)) {
      r.forEachRemaining(d -> texts.add(d.text()));
    }
    assertEquals(List.of("Beta."), texts);
  }
}
