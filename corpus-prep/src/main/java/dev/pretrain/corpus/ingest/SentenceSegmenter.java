package dev.pretrain.corpus.ingest;

import com.ibm.icu.text.BreakIterator;
import com.ibm.icu.util.ULocale;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits clean text into sentences with the ICU4J sentence {@link BreakIterator} (UAX #29 rules) of a
 * locale. Unless the language tag already names an {@code ss} keyword, ICU's standard abbreviation
 * suppressions are switched on ({@code @ss=standard}, so {@code "Mr. Smith"} is not split after
 * {@code "Mr."}).
 *
 * <p>{@code '\n'} (a paragraph break from {@link TextCleaner}) is always a sentence boundary.
 * Sentences are trimmed; empty ones are dropped.
 *
 * <p>The ICU iterator is created lazily and is {@code transient}: an instance is serializable (for
 * Spark closures) but NOT thread-safe; use one per thread/task.
 */
public final class SentenceSegmenter implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String languageTag;
  private transient BreakIterator iterator;

  /**
   * @param languageTag BCP 47 tag such as {@code "en"} or {@code "en-US"}
   * @throws IllegalArgumentException if the tag is empty or ill-formed
   */
  public SentenceSegmenter(String languageTag) {
    Objects.requireNonNull(languageTag, "languageTag");
    if (languageTag.isBlank()) {
      throw new IllegalArgumentException("empty language tag");
    }
    try {
      new java.util.Locale.Builder().setLanguageTag(languageTag);
    } catch (java.util.IllformedLocaleException e) {
      throw new IllegalArgumentException("ill-formed BCP 47 language tag '" + languageTag + "'", e);
    }
    this.languageTag = languageTag;
  }

  public String languageTag() {
    return languageTag;
  }

  private BreakIterator iterator() {
    if (iterator == null) {
      ULocale locale = ULocale.forLanguageTag(languageTag);
      if (locale.getKeywordValue("ss") == null) {
        locale = locale.setKeywordValue("ss", "standard");
      }
      iterator = BreakIterator.getSentenceInstance(locale);
    }
    return iterator;
  }

  /**
   * @param cleanText text from {@link TextCleaner#clean(String)} (any text works); null gives an empty list
   * @return sentences in order, trimmed, non-empty
   */
  public List<String> split(String cleanText) {
    List<String> out = new ArrayList<>();
    if (cleanText == null || cleanText.isEmpty()) {
      return out;
    }
    BreakIterator it = iterator();
    int from = 0;
    while (from <= cleanText.length()) {
      int nl = cleanText.indexOf('\n', from);
      int to = nl < 0 ? cleanText.length() : nl;
      if (to > from) {
        splitParagraph(cleanText.substring(from, to), it, out);
      }
      if (nl < 0) {
        break;
      }
      from = nl + 1;
    }
    return out;
  }

  private static void splitParagraph(String para, BreakIterator it, List<String> out) {
    if (para.isBlank()) {
      return;
    }
    it.setText(para);
    int start = it.first();
    for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
      String s = para.substring(start, end).strip();
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
  }
}
