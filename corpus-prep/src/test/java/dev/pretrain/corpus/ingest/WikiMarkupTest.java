package dev.pretrain.corpus.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WikiMarkupTest {
  @Test
  void documentedSubset() {
    String in = "{{Infobox person|name={{nowrap|A B}}|born=1900}}\n"
        + "'''Ada''' was an ''English'' [[mathematician]] and [[Writer|writer]].<ref>{{cite book|title=X}}</ref>"
        + " She worked on [[Charles Babbage|Babbage's]] engine.<ref name=\"a\"/><!-- hidden -->\n"
        + "[[File:Ada.jpg|thumb|A [[portrait]] of Ada]]\n"
        + "== Life ==\n"
        + "* First item with [http://example.org a link]\n"
        + "# Second item [http://example.org]\n"
        + "{| class=\"wikitable\"\n|-\n| cell || {{x}}\n|}\n"
        + "Ten&nbsp;years &ndash; later.__NOTOC__\n"
        + "== References ==\n"
        + "* A reference\n"
        + "[[Category:Mathematicians]]\n";
    assertEquals("Ada was an English mathematician and writer. She worked on Babbage's engine.\n"
        + "First item with a link\n"
        + "Second item\n"
        + "Ten\u00a0years \u2013 later.", WikiMarkup.toText(in));
  }

  @Test
  void nestingAndUnclosedSpans() {
    assertEquals("a  d", WikiMarkup.removeNested("a {{b {{c}} }} d", "{{", "}}"));
    assertEquals("a ", WikiMarkup.removeNested("a {{never closed", "{{", "}}"));
    assertEquals("x dogs y", WikiMarkup.links("x [[dog]]s y"));
    assertEquals("x  y", WikiMarkup.links("x [[Image:a.png|thumb|cap [[link]]]] y"));
    assertEquals("", WikiMarkup.toText("[[de:Ada Lovelace]]"));
  }
}
