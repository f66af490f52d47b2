package dev.pretrain.corpus.ingest.extractors;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * The main text of an HTML page, without navigation and boilerplate, parsed with jsoup.
 *
 * <p>Steps:
 * <ol>
 *   <li>Elements that never hold main text are removed with their content: {@code script, style, noscript,
 *       template, nav, header, footer, aside, form, button, select, textarea, iframe, svg, canvas, object, embed}
 *       (trafilatura's and jusText's lists of tags to discard start from the same set). Only the {@code <body>}
 *       is read.</li>
 *   <li>The body is cut into <em>text blocks</em> at every block-level element boundary ({@code p, div, li, td,
 *       h1}..{@code h6, pre, blockquote, br, ...}); a block's words (white-space separated tokens holding a letter
 *       or digit) are counted, and its <em>link density</em> is the share of its words inside {@code <a>}.</li>
 *   <li>Each block is classified content or boilerplate by the decision tree on the number of words and link
 *       density of the block and of its neighbours (the previous and next block; before the first and after the
 *       last there is an empty block) from Kohlschütter, Fankhauser and Nejdl, "Boilerplate Detection using Shallow
 *       Text Features", WSDM 2010, section 4 (boilerpipe's {@code NumWordsRulesClassifier}), with one relaxation
 *       taken from trafilatura ({@code htmlprocessing.link_density_test}, which judges only short elements by their
 *       links, at a threshold of 0.8): a block of at least {@link #LONG_BLOCK_CHARS} characters counts as link-rich
 *       only above a link density of 0.8, both as the current and as the previous block (Wikipedia's first
 *       paragraphs link most of their nouns):
 *       <pre>
 * if linkDensity(cur) &gt; (chars(cur) &gt;= 100 ? 0.8 : 0.333333): boilerplate
 * else if linkDensity(prev) &lt;= (chars(prev) &gt;= 100 ? 0.8 : 0.555556):
 *   content = words(cur) &gt; 16 || words(next) &gt; 15 || words(prev) &gt; 4
 * else:
 *   content = words(cur) &gt; 40 || words(next) &gt; 17</pre></li>
 * </ol>
 * The content blocks are returned in page order, one per line (runs of white space inside a block collapse to one
 * space). The result may be empty (a page of links only).
 *
 * <p>Thread-safe (stateless).
 */
public final class HtmlMainText {
  /** Elements removed with everything inside them before the text blocks are cut. */
  public static final String REMOVED = "script, style, noscript, template, nav, header, footer, aside, form, button,"
      + " select, textarea, iframe, svg, canvas, object, embed";
  /** Blocks at least this long (characters) are judged link boilerplate only above a link density of 0.8. */
  public static final int LONG_BLOCK_CHARS = 100;
  private static final Set<String> BLOCK = Set.of("address", "article", "blockquote", "br", "caption", "center",
      "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4",
      "h5", "h6", "hgroup", "hr", "li", "main", "menu", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
      "tfoot", "th", "thead", "tr", "ul", "body");

  /** One text block: its text, word count and words inside links. */
  record Block(String text, int words, int linkedWords) {
    double linkDensity() {
      return words == 0 ? 0 : (double) linkedWords / words;
    }
  }

  private HtmlMainText() {
  }

  /** The main text of {@code html} (a whole page or a fragment); never null. */
  public static String extract(String html) {
    if (html == null || html.isEmpty()) {
      return "";
    }
    return extract(Jsoup.parse(html));
  }

  /** The main text of a parsed page; {@code page} is modified (boilerplate elements are removed). */
  public static String extract(Document page) {
    Element body = page.body();
    if (body == null) {
      return "";
    }
    body.select(REMOVED).remove();
    List<Block> blocks = blocks(body);
    StringBuilder out = new StringBuilder();
    Block empty = new Block("", 0, 0);
    for (int i = 0; i < blocks.size(); i++) {
      Block prev = i > 0 ? blocks.get(i - 1) : empty;
      Block next = i + 1 < blocks.size() ? blocks.get(i + 1) : empty;
      if (isContent(prev, blocks.get(i), next)) {
        if (out.length() > 0) {
          out.append('\n');
        }
        out.append(blocks.get(i).text());
      }
    }
    return out.toString();
  }

  /** The decision tree of Kohlschütter et al. (2010), relaxed for long blocks (see the class comment). */
  static boolean isContent(Block prev, Block cur, Block next) {
    if (cur.linkDensity() > (cur.text().length() >= LONG_BLOCK_CHARS ? 0.8 : 0.333333)) {
      return false;
    }
    if (prev.linkDensity() <= (prev.text().length() >= LONG_BLOCK_CHARS ? 0.8 : 0.555556)) {
      return cur.words() > 16 || next.words() > 15 || prev.words() > 4;
    }
    return cur.words() > 40 || next.words() > 17;
  }

  /** The non-empty text blocks of {@code root} in document order. */
  static List<Block> blocks(Element root) {
    List<Block> blocks = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    int[] counts = new int[2]; // words, linked words
    int[] linkDepth = new int[1];
    NodeTraversor.traverse(new NodeVisitor() {
      @Override
      public void head(Node node, int depth) {
        if (node instanceof TextNode t) {
          String s = t.getWholeText();
          if (!s.isBlank()) {
            if (text.length() > 0 && !Character.isWhitespace(text.charAt(text.length() - 1))
                && Character.isWhitespace(s.charAt(0))) {
              text.append(' ');
            }
            int w = words(s);
            counts[0] += w;
            if (linkDepth[0] > 0) {
              counts[1] += w;
            }
            text.append(s.strip().replaceAll("\\s+", " "));
            if (Character.isWhitespace(s.charAt(s.length() - 1))) {
              text.append(' ');
            }
          }
        } else if (node instanceof Element e) {
          if (e.normalName().equals("a")) {
            linkDepth[0]++;
          }
          if (BLOCK.contains(e.normalName())) {
            flush();
          }
        }
      }

      @Override
      public void tail(Node node, int depth) {
        if (node instanceof Element e) {
          if (e.normalName().equals("a")) {
            linkDepth[0]--;
          }
          if (BLOCK.contains(e.normalName())) {
            flush();
          }
        }
      }

      private void flush() {
        String s = text.toString().replace('\u00A0', ' ').strip();
        if (!s.isEmpty() && counts[0] > 0) {
          blocks.add(new Block(s, counts[0], counts[1]));
        }
        text.setLength(0);
        counts[0] = 0;
        counts[1] = 0;
      }
    }, root);
    return blocks;
  }

  /** White-space separated tokens holding at least one letter or digit. */
  static int words(String s) {
    int n = 0;
    boolean counted = false;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
        counted = false;
      } else {
        if (!counted && Character.isLetterOrDigit(cp)) {
          n++;
          counted = true;
        }
      }
    }
    return n;
  }
}
