package dev.pretrain.corpus.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

class TextFilesTest {
  @Test
  void xzFilesAreDecompressed() throws IOException {
    String text = "erste Zeile\nzweite Zeile – ü\n";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (XZOutputStream xz = new XZOutputStream(bytes, new LZMA2Options())) {
      xz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = TextFiles.reader(new ByteArrayInputStream(bytes.toByteArray()), "a.txt.xz")) {
      TextFiles.lines(r).forEachRemaining(lines::add);
    }
    assertEquals(List.of("erste Zeile", "zweite Zeile – ü"), lines);
    assertThrows(IOException.class, () -> TextFiles.reader(new ByteArrayInputStream(text.getBytes()), "b.xz"),
        "not xz");
  }
}
