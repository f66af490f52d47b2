package dev.pretrain.corpus.ingest.extractors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadCharsetTest {
  static final Charset CP1252 = Charset.forName("windows-1252");

  @Test
  void bomThenHeaderThenMetaThenDetectionThenUtf8() {
    byte[] bomUtf8 = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a'};
    assertEquals(StandardCharsets.UTF_8, PayloadCharset.of(bomUtf8, "iso-8859-2", true), "a BOM wins");
    assertEquals(StandardCharsets.UTF_16LE, PayloadCharset.of(new byte[] {(byte) 0xFF, (byte) 0xFE}, null, false));
    byte[] meta = "<html><head><meta charset=\"ISO-8859-2\"></head>".getBytes(StandardCharsets.US_ASCII);
    assertEquals(Charset.forName("KOI8-R"), PayloadCharset.of(meta, "koi8-r", true), "the header wins over <meta>");
    assertEquals(Charset.forName("ISO-8859-2"), PayloadCharset.of(meta, null, true));
    byte[] httpEquiv = "<meta http-equiv=Content-Type content='text/html; charset=Shift_JIS'>"
        .getBytes(StandardCharsets.US_ASCII);
    assertEquals(Charset.forName("Shift_JIS"), PayloadCharset.of(httpEquiv, "no-such-charset", true));
    assertEquals(CP1252, PayloadCharset.of(meta, "ISO-8859-1", true), "latin-1 labels mean windows-1252");
  }

  @Test
  void detectsLatinTextWithoutDeclaration() {
    String french = "Le c\u0153ur de la ville \u00e9tait tr\u00e8s anim\u00e9 : les caf\u00e9s, les th\u00e9\u00e2tres"
        + " et les march\u00e9s accueillaient des foules enthousiastes. \u00c0 c\u00f4t\u00e9 de l'\u00e9glise, "
        + "un march\u00e9 fran\u00e7ais proposait des cr\u00eapes, des g\u00e2teaux et du caf\u00e9 tr\u00e8s "
        + "parfum\u00e9. Les enfants \u00e9taient ravis et les parents \u00e9galement.";
    byte[] bytes = french.getBytes(CP1252);
    Charset c = PayloadCharset.of(bytes, null, false);
    assertEquals(french, new String(bytes, c), "detected " + c);
    assertEquals(StandardCharsets.UTF_8, PayloadCharset.of(new byte[0], null, true));
  }
}
