package dev.pretrain.corpus.ingest;

import java.io.Serializable;

/**
 * One raw document as read from a file by {@link SourceReader}, before cleaning: either its text, or the
 * reason it was already rejected while reading ({@link DropReason#OVERSIZED}, {@link DropReason#BAD_RECORD}),
 * in which case {@code text} is null.
 */
public record RawText(String text, DropReason readDrop) implements Serializable {
  public RawText {
    if ((text == null) == (readDrop == null)) {
      throw new IllegalArgumentException("exactly one of text and readDrop must be non-null");
    }
  }

  public static RawText of(String text) {
    return new RawText(text, null);
  }

  public static RawText dropped(DropReason reason) {
    return new RawText(null, reason);
  }
}
