package dev.pretrain.corpus.ingest;

import java.io.Serializable;

/**
 * One raw document as read from a file by {@link SourceReader}, before cleaning: either its text, or the
 * reason it was already rejected while reading ({@link DropReason#OVERSIZED}, {@link DropReason#BAD_RECORD},
 * {@link DropReason#NOT_TEXT}, {@link DropReason#TRUNCATED_RECORD}), in which case {@code text} is null.
 *
 * @param text     the raw text, or null if dropped
 * @param readDrop why it was dropped while reading, or null if it has text
 * @param recordId where the document is inside its file, null if the format has no such name: the WARC-Record-ID
 *                 of a web archive record, the member name of a tar archive, the id column of a dataset
 * @param url      the page's URL (WARC-Target-URI, ARC URL, a dataset's URL column), or null
 * @param date     the capture date as ISO-8601 UTC ({@code 2017-03-06T04:02:06Z}, WARC-Date / ARC date), or null
 */
public record RawText(String text, DropReason readDrop, String recordId, String url, String date)
    implements Serializable {
  public RawText {
    if ((text == null) == (readDrop == null)) {
      throw new IllegalArgumentException("exactly one of text and readDrop must be non-null");
    }
  }

  /** Without metadata. */
  public RawText(String text, DropReason readDrop) {
    this(text, readDrop, null, null, null);
  }

  public static RawText of(String text) {
    return new RawText(text, null);
  }

  public static RawText dropped(DropReason reason) {
    return new RawText(null, reason);
  }

  /** The same text or drop with this metadata (each argument may be null). */
  public RawText withMeta(String recordId, String url, String date) {
    return new RawText(text, readDrop, recordId, url, date);
  }
}
