package dev.pretrain.corpus.tokenize;

import java.util.ArrayList;
import java.util.List;

/**
 * BERT's basic (pre-WordPiece) tokenizer: text cleaning, CJK splitting, optional lower-casing and accent
 * stripping, whitespace and punctuation splitting. Semantics follow HF tokenizers' {@code BertNormalizer}
 * ({@code clean_text=true, handle_chinese_chars=true}) followed by {@code BertPreTokenizer}, i.e. what
 * {@code BertTokenizerFast} does, which in turn ports Google's {@code tokenization.py BasicTokenizer}:
 * <ol>
 *   <li>clean text: drop U+0000, U+FFFD and every category C* code point (Cc, Cf, Cn, Co, Cs) except
 *       {@code \t \n \r}; whitespace ({@code \t \n \r}, Unicode White_Space) separates words;</li>
 *   <li>CJK ideographs (HF's ranges, see {@link BertChars#isCjk}) become words of their own;</li>
 *   <li>if {@code stripAccents}: NFD, then drop category Mn;</li>
 *   <li>if {@code doLowerCase}: per-code-point Unicode lower case (full mapping, so U+0130 'İ' becomes
 *       "i" + U+0307; no context-sensitive final sigma, as in Rust's {@code char::to_lowercase});</li>
 *   <li>every punctuation character (ASCII 33–47, 58–64, 91–96, 123–126, or category P*) is its own word.</li>
 * </ol>
 * <b>Order:</b> HF strips accents <em>before</em> lower-casing; Google lower-cases first. The results differ
 * only for characters whose lower case introduces a combining mark, and with the strip-then-lowercase order
 * those marks are kept only when {@code doLowerCase && !stripAccents}. Punctuation is tested after
 * normalization (NFD can yield ASCII punctuation, e.g. U+1FEF becomes '`').
 * <p><b>Special tokens</b> in the text (e.g. "[MASK]") get no special treatment: like Google's basic tokenizer
 * they split into "[", "mask"/"MASK", "]". (HF's {@code BertTokenizerFast} would first extract registered special
 * tokens as added tokens.)
 * <p>Unicode data: HF classifies punctuation, Mn and controls with Unicode 8.0 tables (crate
 * {@code unicode_categories}) and keeps unassigned code points; we reproduce that with ICU4J's character ages
 * (see {@link BertChars#HF_CATEGORY_VERSION}), so code points assigned after Unicode 8.0 are plain letters here
 * too. Lower case and NFD use ICU4J (Unicode 15.1). NFD is applied per code point (no canonical reordering across
 * code points; it could only change the order of kept combining marks). Google's reference differs from HF in
 * removing unassigned (Cn) code points and in one CJK range (see {@link BertChars#isCjk}).
 * <p>Thread-safe and serializable (stateless apart from the two flags).
 */
public final class BasicTokenizer implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final boolean doLowerCase;
  private final boolean stripAccents;

  /** @param doLowerCase lower-case the text; accents are stripped iff this is true (HF: strip_accents=None). */
  public BasicTokenizer(boolean doLowerCase) {
    this(doLowerCase, doLowerCase);
  }

  public BasicTokenizer(boolean doLowerCase, boolean stripAccents) {
    this.doLowerCase = doLowerCase;
    this.stripAccents = stripAccents;
  }

  public boolean doLowerCase() {
    return doLowerCase;
  }

  public boolean stripAccents() {
    return stripAccents;
  }

  /**
   * @param text any text (null is rejected)
   * @return the words in order; never contains empty strings or whitespace
   */
  public List<String> tokenize(String text) {
    WordBuffer wb = new WordBuffer();
    split(text, wb);
    List<String> out = new ArrayList<>(wb.count);
    for (int i = 0; i < wb.count; i++) out.add(wb.word(i));
    return out;
  }

  /** Splits {@code text} into {@code wb} (cleared first). One pass over the code points. */
  void split(CharSequence text, WordBuffer wb) {
    if (text == null) throw new NullPointerException("text");
    wb.clear();
    splitChunk(text, 0, text.length(), wb);
    wb.endWord();
  }

  /**
   * Streaming form of {@link #split}: appends the words of {@code text[from, to)} to {@code wb} without clearing
   * it first and without closing the last word, so that a word may continue in the next chunk. A chunk must not
   * end between the two halves of a surrogate pair (a lone high surrogate at {@code to - 1} is treated as one
   * code point).
   */
  void splitChunk(CharSequence text, int from, int to, WordBuffer wb) {
    final int n = to;
    final byte[] ascii = BertChars.ASCII;
    final boolean lower = doLowerCase;
    wb.ensureChars(n - from + 16);
    int i = from;
    while (i < n) {
      char c = text.charAt(i);
      if (c < 128) {
        i++;
        switch (ascii[c]) {
          case BertChars.OTHER:
            if (lower && c >= 'A' && c <= 'Z') c = (char) (c + 32);
            wb.ensureChars(1);
            wb.append(c);
            break;
          case BertChars.SPACE:
            wb.endWord();
            break;
          case BertChars.PUNCT:
            wb.isolated(c);
            break;
          default: // CONTROL: dropped
            break;
        }
        continue;
      }
      int cp = c;
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
        cp = Character.toCodePoint(c, text.charAt(i + 1));
        i += 2;
      } else {
        i++;
      }
      slowPath(cp, wb);
    }
  }

  private void slowPath(int cp, WordBuffer wb) {
    byte cls = BertChars.classOf(cp);
    switch (cls) {
      case BertChars.CONTROL:
        return;
      case BertChars.SPACE:
        wb.endWord();
        return;
      case BertChars.CJK: {
        wb.endWord();
        // NFD maps CJK compatibility ideographs to unified ones; lower case does not change ideographs.
        String d = stripAccents ? BertChars.NFD.getDecomposition(cp) : null;
        if (d == null) {
          wb.appendCodePoint(cp);
        } else {
          for (int k = 0; k < d.length(); ) {
            int q = d.codePointAt(k);
            k += Character.charCount(q);
            wb.appendCodePoint(q);
          }
        }
        wb.endWord();
        return;
      }
      default:
        break;
    }
    if (stripAccents) {
      String d = BertChars.NFD.getDecomposition(cp);
      if (d != null) {
        for (int k = 0; k < d.length(); ) {
          int q = d.codePointAt(k);
          k += Character.charCount(q);
          if (!BertChars.isNonSpacingMark(q)) lowerAndEmit(q, wb);
        }
        return;
      }
      if (cls == BertChars.MN) return;
    }
    lowerAndEmit(cp, wb);
  }

  private void lowerAndEmit(int cp, WordBuffer wb) {
    if (doLowerCase) {
      if (cp == 0x130) { // the only unconditional multi-code-point lower case: İ -> i + combining dot above
        emit('i', wb);
        emit(0x307, wb);
        return;
      }
      cp = BertChars.toLowerCase(cp);
    }
    emit(cp, wb);
  }

  private static void emit(int cp, WordBuffer wb) {
    switch (BertChars.classOf(cp)) {
      case BertChars.SPACE:
        wb.endWord();
        break;
      case BertChars.PUNCT:
        wb.isolated(cp);
        break;
      default:
        wb.appendCodePoint(cp);
        break;
    }
  }
}
