package dev.pretrain.corpus.ingest.extractors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pretrain.corpus.ingest.extractors.HtmlMainText.Block;
import java.util.List;
import org.junit.jupiter.api.Test;

class HtmlMainTextTest {
  static Block block(int words, int linked) {
    return new Block("w ".repeat(words).trim(), words, linked);
  }

  static Block longBlock(int words, int linked) {
    return new Block("word ".repeat(words).trim() + ".".repeat(Math.max(0, 100 - 5 * words)), words, linked);
  }

  @Test
  void decisionTreeOfKohlschuetterEtAl() {
    Block none = block(0, 0);
    // short block: link density above 1/3 is boilerplate whatever the neighbours
    assertFalse(HtmlMainText.isContent(none, block(6, 3), block(100, 0)));
    assertTrue(HtmlMainText.isContent(none, block(7, 2), block(100, 0)));
    // previous block not link-rich: more than 16 words, or a long next block, or a previous block of more than 4
    assertTrue(HtmlMainText.isContent(none, block(17, 0), none));
    assertFalse(HtmlMainText.isContent(none, block(16, 0), block(15, 0)));
    assertTrue(HtmlMainText.isContent(none, block(16, 0), block(16, 0)));
    assertTrue(HtmlMainText.isContent(block(5, 0), block(2, 0), none));
    assertFalse(HtmlMainText.isContent(block(4, 0), block(2, 0), none));
    // previous block link-rich (density > 0.555556): more than 40 words, or a next block of more than 17
    Block nav = block(10, 6);
    assertFalse(HtmlMainText.isContent(nav, block(40, 0), block(17, 0)));
    assertTrue(HtmlMainText.isContent(nav, block(41, 0), none));
    assertTrue(HtmlMainText.isContent(nav, block(10, 0), block(18, 0)));
    // long block (>= 100 chars): boilerplate only above 0.8
    assertTrue(HtmlMainText.isContent(none, longBlock(25, 15), none));
    assertFalse(HtmlMainText.isContent(none, longBlock(25, 21), none));
    // a long previous block is link-rich only above 0.8 too
    assertTrue(HtmlMainText.isContent(longBlock(25, 15), block(20, 0), none));
    assertFalse(HtmlMainText.isContent(longBlock(25, 21), block(20, 0), none));
  }

  @Test
  void blocksCountWordsAndLinkedWords() {
    List<Block> b = HtmlMainText.blocks(org.jsoup.Jsoup.parse(
        "<div>One <a href=x>two three</a> four.<p>Five, six!</p> -- </div>").body());
    assertEquals(List.of(new Block("One two three four.", 4, 2), new Block("Five, six!", 2, 0)), b);
  }

  @Test
  void dropsNavigationScriptsAndLinkListsKeepsArticle() {
    String para = "The quick brown fox jumps over the lazy dog while the farmer watches from the porch and "
        + "wonders about the weather.";
    String html = "<html><head><title>T</title><style>p{}</style></head><body>"
        + "<header><h1>Site name</h1></header>"
        + "<nav><ul><li><a href=/>Home</a></li><li><a href=/a>About</a></li></ul></nav>"
        + "<ul class=menu><li><a href=/x>Products</a></li><li><a href=/y>Contact us</a></li></ul>"
        + "<h1>Article title</h1><p>" + para + "</p><p>Second <b>paragraph</b> of the article, also long enough to "
        + "count as content for the classifier here.</p>"
        + "<script>var x = 'hidden script';</script>"
        + "<div><a href=/1>Share</a> <a href=/2>Tweet</a></div>"
        + "<footer>Copyright 2024 Example Inc. All rights reserved.</footer></body></html>";
    String text = HtmlMainText.extract(html);
    assertEquals("Article title\n" + para + "\nSecond paragraph of the article, also long enough to count as content"
        + " for the classifier here.", text);
  }

  @Test
  void emptyAndLinkOnlyPages() {
    assertEquals("", HtmlMainText.extract(""));
    assertEquals("", HtmlMainText.extract("<p><a href=a>only a link</a></p>"));
  }
}
