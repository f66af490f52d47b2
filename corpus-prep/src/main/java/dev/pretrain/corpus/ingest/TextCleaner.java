package dev.pretrain.corpus.ingest;

import com.ibm.icu.text.Normalizer2;
import java.io.Serializable;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * Turns raw document text into clean plain text: paragraphs separated by a single {@code '\n'}, each
 * trimmed and non-empty, words separated by single spaces.
 *
 * <p>Steps, in order:
 * <ol>
 *   <li>HTML (only when {@code html}): parsed with jsoup as a body fragment; entities are decoded,
 *       tags dropped, {@code <br>} and block elements ({@code <p>}, {@code <div>}, {@code <li>}, ...)
 *       become line breaks, newlines inside text nodes become spaces (HTML whitespace rules). Text
 *       without {@code '<'} and {@code '&'} skips the parser. As in browsers, {@code '<'} directly
 *       followed by a letter opens a tag ({@code "a<b"} loses {@code "<b"}); {@code "<3"} and
 *       {@code "a < b"} stay text.</li>
 *   <li>Unicode NFC (ICU4J {@link Normalizer2#getNFCInstance()}).</li>
 *   <li>Characters: {@code \r\n}, {@code \r}, U+0085, U+2028, U+2029 become {@code '\n'}; tab, VT, FF and
 *       every space separator (Zs, e.g. U+00A0) become a space; all other control/format/surrogate
 *       characters (Cc, Cf, Cs: NUL, BOM, zero-width joiners, soft hyphen, ...) are removed, as is
 *       U+FFFD (the replacement character carries no content; Google BERT's {@code _clean_text}
 *       removes it too). So {@code \t} survives only as a space, which keeps TSV output safe.</li>
 *   <li>Runs of spaces collapse to one; every line is trimmed; empty lines are dropped.</li>
 *   <li>WikiText (only when {@code wikitextDetokenize}): {@code " @-@ "} to {@code "-"},
 *       {@code " @,@ "} to {@code ","}, {@code " @.@ "} to {@code "."}.</li>
 * </ol>
 * Thread-safe and serializable.
 */
public final class TextCleaner implements Serializable {
  private static final long serialVersionUID = 1L;

  private final boolean html;
  private final boolean wikitextDetokenize;

  public TextCleaner(boolean html, boolean wikitextDetokenize) {
    this.html = html;
    this.wikitextDetokenize = wikitextDetokenize;
  }

  public boolean html() {
    return html;
  }

  public boolean wikitextDetokenize() {
    return wikitextDetokenize;
  }

  /**
   * Cleans one raw document.
   *
   * @param raw raw text, may be null (treated as empty)
   * @return clean text, possibly empty; never null
   */
  public String clean(String raw) {
    if (raw == null || raw.isEmpty()) {
      return "";
    }
    String text = raw;
    if (html) {
      text = raw.indexOf('<') >= 0 || raw.indexOf('&') >= 0 ? htmlToText(raw)
          : raw.replace('\n', ' ').replace('\r', ' '); // no markup: still HTML whitespace rules
    }
    Normalizer2 nfc = Normalizer2.getNFCInstance();
    if (!nfc.isNormalized(text)) {
      text = nfc.normalize(text);
    }
    text = normalizeCharsAndSpaces(text);
    if (wikitextDetokenize && text.indexOf('@') >= 0) {
      text = text.replace(" @-@ ", "-").replace(" @,@ ", ",").replace(" @.@ ", ".");
    }
    return text;
  }

  /** HTML fragment to text; {@code <br>} and block boundaries become {@code '\n'}. */
  static String htmlToText(String raw) {
    Element body = Jsoup.parseBodyFragment(raw).body();
    StringBuilder sb = new StringBuilder(raw.length());
    NodeTraversor.traverse(new NodeVisitor() {
      @Override
      public void head(Node node, int depth) {
        if (node instanceof TextNode t) {
          sb.append(t.getWholeText().replace('\n', ' ').replace('\r', ' '));
        } else if (node instanceof Element e && depth > 0) {
          if (e.normalName().equals("br") || e.isBlock()) {
            sb.append('\n');
          }
        }
      }

      @Override
      public void tail(Node node, int depth) {
        if (node instanceof Element e && depth > 0 && e.isBlock()) {
          sb.append('\n');
        }
      }
    }, body);
    return sb.toString();
  }

  private static boolean isNewline(int cp) {
    return cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
  }

  private static boolean isSpace(int cp) {
    return cp == ' ' || cp == '\t' || cp == 0x0B || cp == 0x0C || Character.getType(cp) == Character.SPACE_SEPARATOR;
  }

  private static boolean isDropped(int cp) {
    if (cp == 0xFFFD) {
      return true;
    }
    int type = Character.getType(cp);
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE;
  }

  /** Character filtering, space collapsing, line trimming, empty-line removal in one pass. */
  static String normalizeCharsAndSpaces(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean pendingSpace = false;
    boolean pendingNewline = false;
    int lineStart = 0; // index in out where the current line starts
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (isNewline(cp)) {
        pendingNewline = true;
        pendingSpace = false;
      } else if (isSpace(cp)) {
        pendingSpace = true;
      } else if (isDropped(cp)) {
        // removed without leaving a space
      } else {
        if (pendingNewline && out.length() > lineStart) {
          out.append('\n');
          lineStart = out.length();
        } else if (pendingSpace && out.length() > lineStart) {
          out.append(' ');
        }
        pendingNewline = false;
        pendingSpace = false;
        out.appendCodePoint(cp);
      }
    }
    return out.toString();
  }
}
