package dev.pretrain.corpus.ingest.filters;

import dev.pretrain.corpus.ingest.SentenceSegmenter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The C4 cleaning rules of Raffel et al. 2020, "Exploring the Limits of Transfer Learning with a Unified
 * Text-to-Text Transformer" (section 2.2), with the semantics of datatrove's {@code C4QualityFilter} (itself after
 * TensorFlow Datasets' {@code c4_utils}). Each {@code '\n'}-separated line is stripped and then, in order:
 * <ol>
 *   <li>removed if a white-space separated word is longer than {@code maxWordLength} code points (1000);</li>
 *   <li>Wikipedia citation marks {@code [12]}, {@code []}, {@code [edit]}, {@code [citation needed]} are deleted
 *       ({@code removeCitations});</li>
 *   <li>removed if it does not end in terminal punctuation ({@code . ? ! " '}) or ends in {@code "..."}
 *       ({@code filterNoTerminalPunct});</li>
 *   <li>removed if it has fewer than {@code minWordsPerLine} white-space separated words (3);</li>
 *   <li>the DOCUMENT is dropped ({@code c4_lorem_ipsum}) if the line holds "lorem ipsum" (any case);</li>
 *   <li>removed if it holds "javascript" (any case);</li>
 *   <li>the DOCUMENT is dropped ({@code c4_curly_bracket}) if the line holds {@code '{'};</li>
 *   <li>removed if it holds one of the policy phrases "terms of use", "privacy policy", "cookie policy", "uses
 *       cookies", "use of cookies", "use cookies" (any case).</li>
 * </ol>
 * The sentences of the kept lines ({@link SentenceSegmenter}, ICU4J, where the reference uses NLTK's punkt) are
 * counted; fewer than {@code minSentences} (5) drops the document as {@code c4_too_few_sentences}. Kept, the text is
 * its kept lines joined by {@code '\n'} when {@code removeLines} (C4's line-removal mode), or unchanged otherwise
 * (document-level mode: only the three document rules apply, the line rules only decide which lines count toward
 * the sentence minimum). A limit of 0 switches its rule off.
 *
 * <p>In line-removal mode a kept verdict also counts the non-blank lines each line rule removed
 * ({@link FilterVerdict#linesRemoved()}, keys {@link #LINE_RULES}, only rules that removed a line): a line is counted
 * once, under the first rule that removed it. Blank lines, which the join drops too, are not counted; document-level
 * mode and dropped documents count none. Immutable, serializable, thread-safe (the segmenter
 * passed to {@link #apply} is not).
 */
public record C4QualityFilter(boolean removeLines, boolean removeCitations, boolean filterNoTerminalPunct,
                              int minSentences, int minWordsPerLine, int maxWordLength, boolean filterLoremIpsum,
                              boolean filterJavascript, boolean filterCurlyBracket, boolean filterPolicy)
    implements Serializable {
  public static final C4QualityFilter DEFAULT = new C4QualityFilter(true, true, true, 5, 3, 1000, true, true, true,
      true);

  /** The report keys of the line rules, in the order they are checked. */
  public static final List<String> LINE_RULES = List.of("c4_line_long_word", "c4_line_no_terminal_punct",
      "c4_line_too_few_words", "c4_line_javascript", "c4_line_policy");

  private static final Pattern CITATION = Pattern.compile("\\[\\d*]|\\[edit]|\\[citation needed]");
  private static final List<String> POLICY = List.of("terms of use", "privacy policy", "cookie policy",
      "uses cookies", "use of cookies", "use cookies");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  public C4QualityFilter {
    if (minSentences < 0 || minWordsPerLine < 0 || maxWordLength < 0) {
      throw new IllegalArgumentException("c4 limits must be >= 0");
    }
  }

  /**
   * {@link #DEFAULT} with overrides: {@code remove_lines, remove_citations, filter_no_terminal_punct, min_sentences,
   * min_words_per_line, max_word_length, filter_lorem_ipsum, filter_javascript, filter_curly_bracket,
   * filter_policy}.
   *
   * @throws IllegalArgumentException on an unknown key or a bad value
   */
  public static C4QualityFilter withParams(Map<String, String> params) {
    FilterParams p = new FilterParams("c4", params);
    C4QualityFilter d = DEFAULT;
    C4QualityFilter f = new C4QualityFilter(p.getBoolean("remove_lines", d.removeLines),
        p.getBoolean("remove_citations", d.removeCitations),
        p.getBoolean("filter_no_terminal_punct", d.filterNoTerminalPunct),
        p.getInt("min_sentences", d.minSentences), p.getInt("min_words_per_line", d.minWordsPerLine),
        p.getInt("max_word_length", d.maxWordLength), p.getBoolean("filter_lorem_ipsum", d.filterLoremIpsum),
        p.getBoolean("filter_javascript", d.filterJavascript),
        p.getBoolean("filter_curly_bracket", d.filterCurlyBracket), p.getBoolean("filter_policy", d.filterPolicy));
    p.checkAllUsed();
    return f;
  }

  /**
   * @param text      clean text, lines separated by {@code '\n'}
   * @param segmenter counts the sentences of the kept lines
   * @return the kept lines (or {@code text} itself in document-level mode) with the lines removed per line rule, or
   *     the document rule that fired
   */
  public FilterVerdict apply(String text, SentenceSegmenter segmenter) {
    int sentences = 0;
    List<String> kept = new ArrayList<>();
    int[] removed = new int[LINE_RULES.size()]; // indexed like LINE_RULES
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      int count = line.isEmpty() ? 0 : 1; // blank lines are not counted
      String[] words = line.isEmpty() ? new String[0] : WHITESPACE.split(line);
      if (maxWordLength > 0 && tooLongWord(words)) {
        removed[0] += count;
        continue;
      }
      if (removeCitations) {
        line = CITATION.matcher(line).replaceAll("");
      }
      if (filterNoTerminalPunct && (!endsWithTerminal(line) || line.endsWith("..."))) {
        removed[1] += count;
        continue;
      }
      if (words.length < minWordsPerLine) {
        removed[2] += count;
        continue;
      }
      String lower = line.toLowerCase(Locale.ROOT);
      if (filterLoremIpsum && lower.contains("lorem ipsum")) {
        return FilterVerdict.drop("c4_lorem_ipsum");
      }
      if (filterJavascript && lower.contains("javascript")) {
        removed[3] += count;
        continue;
      }
      if (filterCurlyBracket && line.indexOf('{') >= 0) {
        return FilterVerdict.drop("c4_curly_bracket");
      }
      if (filterPolicy && POLICY.stream().anyMatch(lower::contains)) {
        removed[4] += count;
        continue;
      }
      if (minSentences > 0) {
        sentences += segmenter.split(line).size();
      }
      kept.add(line);
    }
    if (sentences < minSentences) {
      return FilterVerdict.drop("c4_too_few_sentences");
    }
    if (!removeLines) {
      return FilterVerdict.keep(text);
    }
    Map<String, Integer> lines = new java.util.LinkedHashMap<>();
    for (int i = 0; i < removed.length; i++) {
      if (removed[i] > 0) {
        lines.put(LINE_RULES.get(i), removed[i]);
      }
    }
    return FilterVerdict.keep(String.join("\n", kept).strip(), lines);
  }

  private boolean tooLongWord(String[] words) {
    for (String w : words) {
      if (Words.length(w) > maxWordLength) {
        return true;
      }
    }
    return false;
  }

  private static boolean endsWithTerminal(String line) {
    if (line.isEmpty()) {
      return false;
    }
    char c = line.charAt(line.length() - 1);
    return c == '.' || c == '?' || c == '!' || c == '"' || c == '\'';
  }
}
