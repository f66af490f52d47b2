package dev.pretrain.corpus.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Stable, content-derived document ids. */
public final class DocIds {
  private DocIds() {
  }

  /**
   * The first 32 lowercase hex characters (128 bits) of SHA-256 over the UTF-8 bytes of the sentences
   * joined by {@code '\n'}. Identical text from two sources gets the same id (usable for de-duplication).
   */
  public static String contentHash(List<String> sentences) {
    MessageDigest md = sha256();
    for (int i = 0; i < sentences.size(); i++) {
      if (i > 0) {
        md.update((byte) '\n');
      }
      md.update(sentences.get(i).getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(md.digest()).substring(0, 32);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
