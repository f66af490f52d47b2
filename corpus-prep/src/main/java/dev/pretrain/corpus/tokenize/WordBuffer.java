package dev.pretrain.corpus.tokenize;

import java.util.Arrays;

/**
 * Reusable output of {@link BasicTokenizer#split}: the normalized characters of all words back to back in
 * {@link #chars}, word {@code i} spanning {@code [start(i), end(i))}. Package-private; not thread-safe.
 */
final class WordBuffer {
  char[] chars = new char[256];
  int length;
  /** bounds[2i] = start, bounds[2i+1] = end of word i. */
  int[] bounds = new int[64];
  int count;
  private int wordStart = -1;

  void clear() {
    length = 0;
    count = 0;
    wordStart = -1;
  }

  int start(int i) {
    return bounds[2 * i];
  }

  int end(int i) {
    return bounds[2 * i + 1];
  }

  void ensureChars(int extra) {
    if (length + extra > chars.length) chars = Arrays.copyOf(chars, Math.max(chars.length * 2, length + extra));
  }

  /** Appends one char to the current word, opening a word if none is open (capacity must be ensured). */
  void append(char c) {
    if (wordStart < 0) wordStart = length;
    chars[length++] = c;
  }

  void appendCodePoint(int cp) {
    ensureChars(2);
    if (cp < Character.MIN_SUPPLEMENTARY_CODE_POINT) {
      append((char) cp);
    } else {
      append(Character.highSurrogate(cp));
      chars[length++] = Character.lowSurrogate(cp);
    }
  }

  /** Closes the open word, if any. */
  void endWord() {
    if (wordStart >= 0) {
      if (2 * count + 2 > bounds.length) bounds = Arrays.copyOf(bounds, bounds.length * 2);
      bounds[2 * count] = wordStart;
      bounds[2 * count + 1] = length;
      count++;
      wordStart = -1;
    }
  }

  /** Emits {@code cp} as a word of its own (closing any open word first). */
  void isolated(int cp) {
    endWord();
    appendCodePoint(cp);
    endWord();
  }

  /** @return true while a word is open (started and not yet closed by {@link #endWord}). */
  boolean hasOpenWord() {
    return wordStart >= 0;
  }

  /**
   * Streaming: forgets the closed words and moves the open word (if any) to the start of {@link #chars}; if the
   * open word is longer than {@code maxChars} UTF-16 units, only its first {@code maxChars} are kept (callers
   * pass a bound beyond which the word is known to become [UNK] anyway).
   */
  void keepOpenWord(int maxChars) {
    count = 0;
    if (wordStart < 0) {
      length = 0;
      return;
    }
    int len = Math.min(length - wordStart, maxChars);
    System.arraycopy(chars, wordStart, chars, 0, len);
    wordStart = 0;
    length = len;
  }

  String word(int i) {
    return new String(chars, start(i), end(i) - start(i));
  }
}
