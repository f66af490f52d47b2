package dev.pretrain.corpus.ingest.filters;

import com.ibm.icu.text.BreakIterator;
import com.ibm.icu.util.ULocale;
import java.util.ArrayList;
import java.util.List;

/**
 * Word tokens of a text for the web filters: the segments between ICU4J word boundaries (UAX #29,
 * {@link BreakIterator#getWordInstance(ULocale)}) that are not white space. Punctuation marks are tokens of their own
 * ({@code "Hello, world!"} gives {@code Hello , world !}), as with NLTK's {@code word_tokenize} that datatrove's
 * {@code split_into_words} uses for English; unlike NLTK, contractions stay whole ({@code "don't"} is one token).
 */
public final class Words {
  private static final BreakIterator PROTOTYPE = BreakIterator.getWordInstance(ULocale.ROOT);

  private Words() {}

  /** The tokens of {@code text} in order; empty for null or blank text. */
  public static List<String> of(String text) {
    List<String> out = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    BreakIterator it;
    synchronized (PROTOTYPE) {
      it = (BreakIterator) PROTOTYPE.clone();
    }
    it.setText(text);
    int start = it.first();
    for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
      String w = text.substring(start, end);
      if (!w.isBlank()) {
        out.add(w);
      }
    }
    return out;
  }

  /** Length in code points (Python's {@code len} of a str, which the reference thresholds assume). */
  public static int length(String s) {
    return s.codePointCount(0, s.length());
  }

  /** Whether every code point of {@code w} is punctuation (Unicode P*) or a symbol (S*). */
  public static boolean symbolOnly(String w) {
    return w.codePoints().allMatch(Words::punctuationOrSymbol);
  }

  /** Whether {@code w} holds at least one letter. */
  public static boolean hasLetter(String w) {
    return w.codePoints().anyMatch(Character::isLetter);
  }

  private static boolean punctuationOrSymbol(int cp) {
    switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
           Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
           Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
           Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL:
        return true;
      default:
        return false;
    }
  }

  /** Non-overlapping occurrences of {@code needle} in {@code text}, left to right (Python's {@code str.count}). */
  public static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
      n++;
    }
    return n;
  }
}
