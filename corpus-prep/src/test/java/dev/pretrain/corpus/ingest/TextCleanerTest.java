package dev.pretrain.corpus.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.text.Normalizer;
import org.junit.jupiter.api.Test;

class TextCleanerTest {
  private final TextCleaner html = new TextCleaner(true, false);
  private final TextCleaner plain = new TextCleaner(false, false);

  @Test
  void htmlBreaksBecomeParagraphsAndEntitiesAreDecoded() {
    assertEquals("Great film.\nThe end &amp; more <3 a < b.",
        html.clean("Great film.<br /><br />The end &amp;amp; more <3 a < b."));
    // as in browsers, '<' directly followed by a letter opens a tag (here an unterminated one, "b.")
    assertEquals("a", html.clean("a<b."));
    assertEquals("one\ntwo\nthree", html.clean("<p>one</p><p>two<br>three</p>"));
    assertEquals("bold and italic", html.clean("<b>bold</b> and <i>italic</i>"));
    assertEquals("a b", html.clean("a\nb")); // a newline inside HTML text is just a space
    assertEquals("Tom & Jerry’s", html.clean("Tom &amp; Jerry&rsquo;s"));
  }

  @Test
  void realImdbReviewLosesItsMarkup() {
    String raw = "I rented I AM CURIOUS-YELLOW from my video store.<br /><br />The plot is centered around "
        + "a young Swedish drama student named Lena.";
    String clean = html.clean(raw);
    assertEquals("I rented I AM CURIOUS-YELLOW from my video store.\nThe plot is centered around a young "
        + "Swedish drama student named Lena.", clean);
  }

  @Test
  void plainModeKeepsAngleBrackets() {
    assertEquals("x <br /> y", plain.clean("x <br /> y"));
  }

  @Test
  void controlAndFormatCharactersAreDropped() {
    // NUL, BEL, BOM, zero-width space/joiner (Cf), soft hyphen (Cf), U+FFFD, DEL
    assertEquals("abcdefgh", plain.clean("a\u0000b\u0007c\uFEFFd\u200Be\u00ADf\uFFFDg\u007Fh"));
    // tab, NBSP and other spaces become one space; CRLF, CR, U+2028 become paragraph breaks
    assertEquals("a b c\nd\ne\nf", plain.clean("  a\t\u00A0 b\u2003c \r\n\r\nd\re\u2028 f  "));
    assertEquals("", plain.clean(" \u0000\t\n \uFEFF"));
    assertEquals("", plain.clean(null));
  }

  @Test
  void unicodeIsNfc() {
    String decomposed = "Cafe\u0301 na\u0131\u0308ve Ame\u0301lie";
    String clean = plain.clean(decomposed);
    assertEquals(Normalizer.normalize(decomposed, Normalizer.Form.NFC), clean);
    assertEquals("Café", clean.substring(0, 4));
    assertEquals(4, "Café".length());
  }

  @Test
  void wikitextDetokenization() {
    TextCleaner wiki = new TextCleaner(false, true);
    assertEquals("a guest-starring role in 1,000 and 3.5 m", wiki.clean(" a guest @-@ starring role in 1 @,@ 000 and 3 @.@ 5 m "));
    assertEquals("a guest @-@ starring", plain.clean("a guest @-@ starring"));
  }
}
