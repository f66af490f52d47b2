package dev.pretrain.corpus.ingest;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jsoup.parser.Parser;

/**
 * Article text out of MediaWiki markup: a documented subset of what MediaWiki renders, enough for
 * pretraining text (no template expansion). No maintained Java library fitted: Sweble (a full parser and
 * engine emulation, heavy), info.bliki (renders HTML, last release 2015) and org.wikiclean (regex based, last
 * release 2016) were considered.
 *
 * <p>Steps, in order:
 * <ol>
 *   <li>HTML comments {@code <!-- -->} removed; {@code <ref>...</ref>}, {@code <ref .../>} and the contents of
 *       {@code <math>}, {@code <gallery>}, {@code <timeline>}, {@code <syntaxhighlight>}, {@code <source>},
 *       {@code <score>}, {@code <imagemap>} removed.</li>
 *   <li>Templates {@code {{...}}}, nested to any depth, removed (infoboxes, citations, navboxes); an unclosed
 *       template runs to the end of the text.</li>
 *   <li>Tables {@code {| ... |}}, nested, removed.</li>
 *   <li>Links: {@code [[File:...]]}, {@code [[Image:...]]}, {@code [[Category:...]]}, {@code [[Media:...]]} and
 *       interlanguage links ({@code [[de:...]]}) removed, captions included; {@code [[target|text]]} becomes
 *       {@code text}, {@code [[target]]} becomes {@code target}; {@code [http://x text]} becomes {@code text},
 *       a bare {@code [http://x]} is removed.</li>
 *   <li>Remaining HTML tags dropped (their text kept); HTML entities ({@code &nbsp;}, {@code &ndash;}) decoded.</li>
 *   <li>Bold/italic runs of two or more apostrophes removed; behaviour switches ({@code __TOC__}) and
 *       horizontal rules removed.</li>
 *   <li>Lines: a heading ({@code == Title ==}) becomes a paragraph break (its text is dropped); the text stops at
 *       a "See also", "References", "Notes", "Further reading", "External links", "Bibliography" or "Sources"
 *       heading (lists of citations, not prose); list markers ({@code * # : ;}) are stripped and each item is a
 *       paragraph; stray table lines starting with {@code |} or {@code !} are dropped.</li>
 * </ol>
 * The result has one paragraph per line ({@code '\n'}). Thread-safe (stateless).
 */
public final class WikiMarkup {
  private static final Pattern COMMENT = Pattern.compile("(?s)<!--.*?(-->|$)");
  private static final Pattern SELF_CLOSING_REF = Pattern.compile("(?i)<ref\\b[^>]*/\\s*>");
  private static final Pattern DROPPED_ELEMENTS = Pattern.compile(
      "(?is)<(ref|math|gallery|timeline|syntaxhighlight|source|score|imagemap)\\b[^>]*>.*?(</\\1\\s*>|$)");
  private static final Pattern TAG = Pattern.compile("</?[a-zA-Z][a-zA-Z0-9]*\\b[^>]*>");
  private static final Pattern EXTERNAL_LINK = Pattern.compile("\\[(?:https?:|ftp:|//)[^\\s\\]]*(?:\\s+([^\\]]*))?\\]");
  private static final Pattern EMPHASIS = Pattern.compile("'{2,}");
  private static final Pattern SWITCH = Pattern.compile("__[A-Z]+__");
  private static final Pattern HEADING = Pattern.compile("^=+\\s*(.*?)\\s*=+\\s*$");
  private static final Pattern INTERLANGUAGE = Pattern.compile("^[a-z]{2,3}(-[a-z]+)?:");
  private static final Set<String> DROPPED_NAMESPACES = Set.of("file", "image", "category", "media");
  private static final Set<String> END_SECTIONS = Set.of("see also", "references", "notes", "further reading",
      "external links", "bibliography", "sources", "notes and references", "footnotes");

  private WikiMarkup() {
  }

  /** Plain text of one article's wiki markup; never null. */
  public static String toText(String markup) {
    if (markup == null || markup.isEmpty()) {
      return "";
    }
    String s = COMMENT.matcher(markup).replaceAll("");
    s = SELF_CLOSING_REF.matcher(s).replaceAll("");
    s = DROPPED_ELEMENTS.matcher(s).replaceAll("");
    s = removeNested(s, "{{", "}}");
    s = removeNested(s, "{|", "|}");
    s = links(s);
    s = EXTERNAL_LINK.matcher(s).replaceAll(m -> m.group(1) == null ? "" : java.util.regex.Matcher.quoteReplacement(
        m.group(1)));
    s = TAG.matcher(s).replaceAll("");
    s = Parser.unescapeEntities(s, false);
    s = EMPHASIS.matcher(s).replaceAll("");
    s = SWITCH.matcher(s).replaceAll("");
    return lines(s);
  }

  /** Removes every {@code open ... close} span, counting nesting; an unclosed span runs to the end. */
  static String removeNested(String s, String open, String close) {
    if (!s.contains(open)) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    int depth = 0;
    int i = 0;
    while (i < s.length()) {
      if (s.startsWith(open, i)) {
        depth++;
        i += open.length();
      } else if (depth > 0 && s.startsWith(close, i)) {
        depth--;
        i += close.length();
      } else {
        if (depth == 0) {
          out.append(s.charAt(i));
        }
        i++;
      }
    }
    return out.toString();
  }

  /** Resolves {@code [[...]]} links from the innermost outwards; drops file/category/interlanguage links. */
  static String links(String s) {
    if (!s.contains("[[")) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    java.util.ArrayDeque<Integer> starts = new java.util.ArrayDeque<>();
    int i = 0;
    while (i < s.length()) {
      if (s.startsWith("[[", i)) {
        starts.push(out.length());
        i += 2;
      } else if (s.startsWith("]]", i) && !starts.isEmpty()) {
        int start = starts.pop();
        String inner = out.substring(start);
        out.setLength(start);
        out.append(linkText(inner));
        i += 2;
      } else {
        out.append(s.charAt(i));
        i++;
      }
    }
    return out.toString();
  }

  private static String linkText(String inner) {
    int colon = inner.indexOf(':');
    if (colon > 0) {
      String ns = inner.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      if (DROPPED_NAMESPACES.contains(ns) || INTERLANGUAGE.matcher(inner).find() && inner.indexOf('|') < 0) {
        return "";
      }
    }
    int bar = inner.lastIndexOf('|');
    String text = bar >= 0 ? inner.substring(bar + 1) : inner;
    if (text.startsWith(":")) {
      text = text.substring(1);
    }
    return text;
  }

  private static String lines(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (String raw : s.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.equals("----") || line.startsWith("|") || line.startsWith("!")) {
        continue;
      }
      var h = HEADING.matcher(line);
      if (line.startsWith("=") && h.matches()) {
        if (END_SECTIONS.contains(h.group(1).toLowerCase(Locale.ROOT))) {
          break;
        }
        continue; // a heading is a paragraph break: every line is a paragraph already
      }
      int k = 0;
      while (k < line.length() && "*#:;".indexOf(line.charAt(k)) >= 0) {
        k++;
      }
      line = line.substring(k).strip();
      if (line.isEmpty()) {
        continue;
      }
      if (out.length() > 0) {
        out.append('\n');
      }
      out.append(line);
    }
    return out.toString();
  }
}
