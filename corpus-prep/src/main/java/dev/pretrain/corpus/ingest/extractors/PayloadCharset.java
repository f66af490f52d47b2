package dev.pretrain.corpus.ingest.extractors;

import com.ibm.icu.text.CharsetDetector;
import com.ibm.icu.text.CharsetMatch;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The character encoding of a web payload, in the order of the WHATWG HTML standard's encoding sniffing algorithm
 * (https://html.spec.whatwg.org/multipage/parsing.html#determining-the-character-encoding), reduced to:
 * <ol>
 *   <li>a byte-order mark (UTF-8, UTF-16LE, UTF-16BE);</li>
 *   <li>the {@code charset} parameter of the HTTP (or record) {@code Content-Type}, if Java knows it;</li>
 *   <li>HTML only: a {@code <meta charset=...>} or {@code <meta http-equiv=Content-Type content="...; charset=...">}
 *       among the first 1024 bytes (the standard's prescan window);</li>
 *   <li>detection from the bytes with ICU4J's {@link CharsetDetector} (statistical, after Mozilla's universal
 *       charset detector), taken when its confidence is at least {@link #MIN_DETECTION_CONFIDENCE};</li>
 *   <li>UTF-8.</li>
 * </ol>
 * As the WHATWG Encoding standard's label table says, {@code iso-8859-1} and {@code us-ascii} labels mean
 * windows-1252 (a superset that browsers use for them).
 */
public final class PayloadCharset {
  /** ICU4J confidence (0-100) below which the detection is ignored and UTF-8 assumed. */
  public static final int MIN_DETECTION_CONFIDENCE = 50;
  private static final int PRESCAN_BYTES = 1024;
  private static final Pattern META_CHARSET = Pattern.compile(
      "<meta\\b[^>]*?charset\\s*=\\s*[\"']?\\s*([A-Za-z0-9._:\\-]+)", Pattern.CASE_INSENSITIVE);

  private PayloadCharset() {
  }

  /**
   * @param bytes    the payload (decoded from any content or transfer coding)
   * @param declared the {@code charset} parameter of the payload's {@code Content-Type}, or null
   * @param html     whether the payload is HTML (then {@code <meta>} declarations count)
   * @return the charset to decode {@code bytes} with; never null
   */
  public static Charset of(byte[] bytes, String declared, boolean html) {
    Charset bom = bom(bytes);
    if (bom != null) {
      return bom;
    }
    Charset c = lookup(declared);
    if (c != null) {
      return c;
    }
    if (html) {
      String head = new String(bytes, 0, Math.min(bytes.length, PRESCAN_BYTES), StandardCharsets.ISO_8859_1);
      Matcher m = META_CHARSET.matcher(head);
      if (m.find()) {
        c = lookup(m.group(1));
        if (c != null) {
          return c;
        }
      }
    }
    if (bytes.length > 0) {
      CharsetMatch match = new CharsetDetector().setText(bytes).detect();
      if (match != null && match.getConfidence() >= MIN_DETECTION_CONFIDENCE) {
        c = lookup(match.getName());
        if (c != null) {
          return c;
        }
      }
    }
    return StandardCharsets.UTF_8;
  }

  /** The charset of a byte-order mark at the start of {@code b}, or null. */
  static Charset bom(byte[] b) {
    if (b.length >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF) {
      return StandardCharsets.UTF_8;
    }
    if (b.length >= 2 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xFE) {
      return StandardCharsets.UTF_16LE;
    }
    if (b.length >= 2 && (b[0] & 0xFF) == 0xFE && (b[1] & 0xFF) == 0xFF) {
      return StandardCharsets.UTF_16BE;
    }
    return null;
  }

  /** A charset label as Java's charset, null if unknown; latin-1 and ASCII labels give windows-1252. */
  static Charset lookup(String label) {
    if (label == null || label.isBlank()) {
      return null;
    }
    String l = label.trim().toLowerCase(Locale.ROOT);
    if (l.equals("iso-8859-1") || l.equals("latin1") || l.equals("iso8859-1") || l.equals("us-ascii")
        || l.equals("ascii") || l.equals("iso_8859-1")) {
      l = "windows-1252";
    }
    try {
      return Charset.isSupported(l) ? Charset.forName(l) : null;
    } catch (IllegalCharsetNameException e) {
      return null;
    }
  }
}
