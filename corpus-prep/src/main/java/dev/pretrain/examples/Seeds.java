package dev.pretrain.examples;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Stable per-document seeds, so random choices depend only on (run seed, document, repetition). */
public final class Seeds {
  private Seeds() {
  }

  /**
   * A 64-bit seed for {@link java.util.SplittableRandom}: the first 8 bytes (big-endian) of SHA-256 over
   * {@code seed} (8 bytes big-endian), {@code dupe} (4 bytes big-endian) and the UTF-8 bytes of
   * {@code docId}. Identical on every JVM, platform and Spark partitioning.
   */
  public static long of(long seed, String docId, int dupe) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
    md.update(ByteBuffer.allocate(12).putLong(seed).putInt(dupe).array());
    md.update(docId.getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(md.digest()).getLong();
  }
}
