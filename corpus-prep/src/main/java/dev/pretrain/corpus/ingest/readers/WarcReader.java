package dev.pretrain.corpus.ingest.readers;

import dev.pretrain.corpus.ingest.DropReason;
import dev.pretrain.corpus.ingest.Lookahead;
import dev.pretrain.corpus.ingest.RawText;
import dev.pretrain.corpus.ingest.SourceReader;
import dev.pretrain.corpus.ingest.extractors.HtmlMainText;
import dev.pretrain.corpus.ingest.extractors.PayloadCharset;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipException;
import org.jsoup.Jsoup;
import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.MessageBody;
import org.netpreserve.jwarc.ParsingException;
import org.netpreserve.jwarc.WarcConversion;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResource;
import org.netpreserve.jwarc.WarcResponse;
import org.netpreserve.jwarc.WarcTargetRecord;

/**
 * The documents of one web archive, read with jwarc (https://github.com/iipc/jwarc), which detects the container
 * itself: WARC 1.0/1.1 (ISO 28500), uncompressed or gzip-compressed per record, and ARC (whose {@code http://}
 * records jwarc presents as {@code response} records and whose {@code filedesc://} header as {@code warcinfo}); WET
 * files are WARC files of {@code conversion} records.
 *
 * <p>One document per record of these types (records of other types, {@code warcinfo}, {@code request},
 * {@code metadata}, {@code revisit}, {@code continuation}, carry no document and are not counted):
 * <ul>
 *   <li>{@code response} with an HTTP message: the HTTP payload, transfer (chunked) and content ({@code gzip},
 *       {@code deflate}) codings removed, typed by the HTTP {@code Content-Type} (or, if that is missing, by
 *       Common Crawl's {@code WARC-Identified-Payload-Type});</li>
 *   <li>{@code resource}: the record block, typed by the record's {@code Content-Type};</li>
 *   <li>{@code conversion} (WET): the record block, plain text.</li>
 * </ul>
 * HTML and XHTML payloads are decoded ({@link PayloadCharset}) and reduced to their main text
 * ({@link HtmlMainText}); {@code text/plain} payloads are decoded; anything else, and payloads in a content coding
 * other than gzip and deflate (brotli, ...), is dropped as {@link DropReason#NOT_TEXT}. A payload of more than {@code maxPayloadBytes} bytes is dropped as
 * {@link DropReason#OVERSIZED} (bounded memory: at most that many bytes are held), one that ends early (a record
 * shorter than its length, a content coding cut off) as {@link DropReason#TRUNCATED_RECORD}, and a {@code response}
 * whose HTTP header does not parse as {@link DropReason#BAD_RECORD}. The HTTP status is not looked at: error and
 * redirect pages go through the extractor and the quality filters like any other page.
 * Every document carries the record's {@code WARC-Record-ID}, {@code WARC-Target-URI} and {@code WARC-Date}
 * ({@link RawText#withMeta}).
 *
 * <p>A container that cannot be read on (a record header that does not parse, e.g. after a record whose
 * {@code Content-Length} is too short, or a gzip stream that ends early) ends the documents with an
 * {@link UncheckedIOException} from {@code hasNext()} naming the file and the record's byte offset; the documents
 * before it have been returned. Its cause is the {@link ParsingException} or the {@link EOFException}.
 */
public final class WarcReader extends Lookahead<RawText> implements SourceReader.RawTexts {
  private static final Set<String> HTML_TYPES = Set.of("text/html", "application/xhtml+xml");
  private static final String PLAIN_TEXT = "text/plain";

  private final org.netpreserve.jwarc.WarcReader warc;
  private final InputStream in;
  private final String file;
  private final int maxPayloadBytes;
  private boolean failed; // after a read failure nothing more is read
  private long records;

  /**
   * @param in              the archive's bytes (gzip per record is decompressed here; an already decompressed
   *                        stream works too); closed at the end, at a read error, or on {@link #close()}
   * @param file            the file's name, for messages
   * @param maxPayloadBytes payloads longer than this are dropped as oversized, {@code >= 1}
   * @throws UncheckedIOException naming the file if the stream is neither WARC nor ARC
   */
  public WarcReader(InputStream in, String file, int maxPayloadBytes) {
    if (maxPayloadBytes < 1) {
      throw new IllegalArgumentException("maxPayloadBytes must be >= 1, got " + maxPayloadBytes);
    }
    this.in = in;
    this.file = file;
    this.maxPayloadBytes = maxPayloadBytes;
    try {
      this.warc = new org.netpreserve.jwarc.WarcReader(in);
    } catch (IOException | IllegalArgumentException e) {
      closeQuietly(in);
      throw new UncheckedIOException(new IOException("not a WARC or ARC file: " + file + ": " + e.getMessage(), e));
    }
    warc.onWarning(w -> System.err.println("[warc] " + file + ": " + w));
  }

  /** Records read so far, of every type. */
  public long records() {
    return records;
  }

  @Override
  protected RawText compute() {
    if (failed) {
      return null;
    }
    RawText t = advance();
    if (t == null) {
      close();
    }
    return t;
  }

  private RawText advance() {
    while (true) {
      Optional<WarcRecord> r;
      try {
        r = warc.next();
      } catch (IOException | RuntimeException e) { // jwarc: ParsingException, or e.g. a non-numeric Content-Length
        long offset = warc.position(); // where the record that failed starts
        failed = true;
        close();
        String what = e instanceof IOException && !(e instanceof ParsingException) ? "read error"
            : "malformed WARC/ARC record";
        throw new UncheckedIOException(new IOException(what + " in " + file + " at record " + (records + 1)
            + " (byte offset " + offset + " of the decompressed stream): " + e.getMessage(), e));
      }
      if (r.isEmpty()) {
        return null;
      }
      records++;
      WarcRecord rec = r.get();
      RawText t;
      if (rec instanceof WarcResponse resp) {
        t = response(resp);
      } else if (rec instanceof WarcResource res) {
        t = payload(res.body(), res.contentType());
      } else if (rec instanceof WarcConversion conv) {
        MediaType type = conv.contentType();
        t = payload(conv.body(), type.equals(MediaType.OCTET_STREAM) ? MediaType.PLAIN_TEXT : type);
      } else {
        continue;
      }
      WarcTargetRecord target = (WarcTargetRecord) rec;
      return t.withMeta(stripBrackets(rec.headers().first("WARC-Record-ID").orElse(null)),
          target.headers().first("WARC-Target-URI").map(WarcReader::stripBrackets).orElse(null),
          date(rec));
    }
  }

  private RawText response(WarcResponse resp) {
    if (!resp.contentType().base().equals(MediaType.HTTP)) {
      return RawText.dropped(DropReason.NOT_TEXT); // dns:, gemini:, ...
    }
    HttpResponse http;
    try {
      http = resp.http();
    } catch (EOFException e) {
      return RawText.dropped(DropReason.TRUNCATED_RECORD);
    } catch (IOException | RuntimeException e) {
      return RawText.dropped(DropReason.BAD_RECORD);
    }
    MediaType type = http.contentType();
    if (type.equals(MediaType.OCTET_STREAM) && http.headers().first("Content-Type").isEmpty()) {
      type = resp.identifiedPayloadType().orElse(type);
    }
    if (http.headers().all("Content-Encoding").stream().anyMatch(c -> c.trim().equalsIgnoreCase("br"))) {
      return RawText.dropped(DropReason.NOT_TEXT); // brotli needs org.brotli:dec, which is not on the classpath
    }
    MessageBody body;
    try {
      body = http.bodyDecoded();
    } catch (IOException e) { // an unsupported content coding
      return RawText.dropped(DropReason.NOT_TEXT);
    }
    return payload(body, type);
  }

  /** A payload of media type {@code type} as a document or a drop. */
  private RawText payload(MessageBody body, MediaType type) {
    String base = type.base().toString().toLowerCase(java.util.Locale.ROOT);
    boolean html = HTML_TYPES.contains(base);
    if (!html && !base.equals(PLAIN_TEXT)) {
      return RawText.dropped(DropReason.NOT_TEXT);
    }
    byte[] bytes;
    try (InputStream s = body.stream()) {
      bytes = s.readNBytes(maxPayloadBytes + 1);
    } catch (EOFException | ZipException e) {
      return RawText.dropped(DropReason.TRUNCATED_RECORD);
    } catch (IOException e) {
      String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (m.contains("unexpected end") || m.contains("eof") || m.contains("truncat") || m.contains("chunk")) {
        return RawText.dropped(DropReason.TRUNCATED_RECORD);
      }
      throw new UncheckedIOException(new IOException("read error in " + file + " at record " + records + ": "
          + e.getMessage(), e));
    }
    if (bytes.length > maxPayloadBytes) {
      return RawText.dropped(DropReason.OVERSIZED);
    }
    Charset cs = PayloadCharset.of(bytes, charset(type), html);
    String text = new String(bytes, cs);
    return RawText.of(html ? HtmlMainText.extract(Jsoup.parse(text)) : text);
  }

  /** The record's WARC-Date as ISO-8601 UTC, null if absent or unparsable. */
  private static String date(WarcRecord rec) {
    if (rec.headers().first("WARC-Date").isEmpty()) {
      return null;
    }
    try {
      return rec.date().toString();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The {@code charset} parameter of a media type (any case), or null. */
  private static String charset(MediaType type) {
    for (java.util.Map.Entry<String, String> e : type.parameters().entrySet()) {
      if (e.getKey().equalsIgnoreCase("charset")) {
        return e.getValue();
      }
    }
    return null;
  }

  private static String stripBrackets(String s) {
    if (s != null && s.length() >= 2 && s.startsWith("<") && s.endsWith(">")) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // best effort
    }
  }

  @Override
  public void close() {
    closeQuietly(warc);
    closeQuietly(in);
  }
}
