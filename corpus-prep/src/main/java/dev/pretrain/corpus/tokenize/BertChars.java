package dev.pretrain.corpus.tokenize;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UCharacterCategory;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.util.VersionInfo;

/**
 * Character classes of BERT's basic tokenization, following HF tokenizers {@code normalizers/bert.rs} and
 * {@code pre_tokenizers/bert.rs} (which port Google's {@code tokenization.py}). All methods take Unicode code
 * points. Non-ASCII classes come from a lazily built table over all code points (1.1 MB, built once per JVM
 * in well under a second). Package-private.
 */
final class BertChars {
  static final byte OTHER = 0;
  static final byte CONTROL = 1; // removed by clean_text
  static final byte SPACE = 2;   // word boundary
  static final byte PUNCT = 3;   // isolated token
  static final byte MN = 4;      // category Mn (dropped when stripping accents)
  static final byte CJK = 5;     // isolated ideograph

  /**
   * Unicode version of the category tables HF tokenizers uses for {@code is_other}, {@code is_punctuation} and
   * {@code is_mark_nonspacing} (Rust crate {@code unicode_categories}): code points assigned after it have no
   * category there, so HF never removes, isolates or strips them. Found by an exhaustive comparison with HF
   * tokenizers 0.23.2 over U+0001..U+2FFFF; unassigned code points (Cn) are likewise kept by HF, although the
   * comment in {@code bert.rs} says otherwise.
   */
  static final VersionInfo HF_CATEGORY_VERSION = VersionInfo.UNICODE_8_0;

  /** Classes of the 128 ASCII code points. */
  static final byte[] ASCII = new byte[128];

  static {
    for (int c = 0; c < 128; c++) {
      byte cls;
      if (c == '\t' || c == '\n' || c == '\r' || c == ' ') cls = SPACE;
      else if (c < 32 || c == 127) cls = CONTROL;
      else if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) cls = PUNCT;
      else cls = OTHER;
      ASCII[c] = cls;
    }
  }

  /** NFD of ICU4J (canonical decomposition, recursive, Hangul included). */
  static final Normalizer2 NFD = Normalizer2.getNFDInstance();

  private BertChars() {}

  private static final class Table {
    static final byte[] CLASS = build();

    private static byte[] build() {
      byte[] t = new byte[Character.MAX_CODE_POINT + 1];
      for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) t[cp] = compute(cp);
      return t;
    }
  }

  /** @return one of {@link #OTHER}, {@link #CONTROL}, {@link #SPACE}, {@link #PUNCT}, {@link #MN}, {@link #CJK} */
  static byte classOf(int cp) {
    return cp < 128 ? ASCII[cp] : Table.CLASS[cp];
  }

  private static byte compute(int cp) {
    if (cp < 128) return ASCII[cp];
    if (cp == 0xFFFD) return CONTROL;
    // Surrogate code points cannot reach HF (Rust strings are valid UTF-8; lone surrogates become U+FFFD).
    if (cp >= 0xD800 && cp <= 0xDFFF) return CONTROL;
    boolean known = UCharacter.getAge(cp).compareTo(HF_CATEGORY_VERSION) <= 0;
    int type = UCharacter.getType(cp);
    if (known && (type == UCharacterCategory.CONTROL || type == UCharacterCategory.FORMAT
        || type == UCharacterCategory.PRIVATE_USE)) {
      return CONTROL;
    }
    if (isWhitespace(cp)) return SPACE;
    if (isCjk(cp)) return CJK;
    if (!known) return OTHER;
    switch (cp) { // categories that changed after Unicode 8.0 (found by the exhaustive comparison)
      case 0x166D: // CANADIAN SYLLABICS CHI SIGN: Po in 8.0, So since 12.0
      case 0x111C9: // SHARADA SANDHI MARK: Po in 8.0, Mn since
        return PUNCT;
      case 0x1734: // HANUNOO SIGN PAMUDPOD: Mn in 8.0, Mc since
        return MN;
      case 0x1885: // MONGOLIAN LETTER ALI GALI BALUDA: Lo in 8.0, Mn since 9.0
      case 0x1886: // MONGOLIAN LETTER ALI GALI THREE BALUDA: Lo in 8.0, Mn since 9.0
      case 0xA9BD: // JAVANESE CONSONANT SIGN KERET: Mc in 8.0, Mn since
        return OTHER;
      default:
        break;
    }
    switch (type) {
      case UCharacterCategory.CONNECTOR_PUNCTUATION:
      case UCharacterCategory.DASH_PUNCTUATION:
      case UCharacterCategory.START_PUNCTUATION:
      case UCharacterCategory.END_PUNCTUATION:
      case UCharacterCategory.INITIAL_PUNCTUATION:
      case UCharacterCategory.FINAL_PUNCTUATION:
      case UCharacterCategory.OTHER_PUNCTUATION:
        return PUNCT;
      case UCharacterCategory.NON_SPACING_MARK:
        return MN;
      default:
        return OTHER;
    }
  }

  /**
   * Removed by clean_text: U+0000, U+FFFD and code points of category Cc, Cf, Co (as of
   * {@link #HF_CATEGORY_VERSION}), except {@code \t \n \r}. Google's {@code _is_control} removes every C*
   * category including unassigned (Cn) code points; HF keeps Cn.
   */
  static boolean isRemoved(int cp) {
    return classOf(cp) == CONTROL;
  }

  /**
   * Whitespace as HF defines it: {@code \t \n \r} plus Rust's {@code char::is_whitespace} (Unicode White_Space).
   * Compared with Google's ' ', \t, \n, \r + category Zs this adds U+2028, U+2029 (Zl/Zp; Python's
   * {@code str.split()} in Google's {@code whitespace_tokenize} splits on them too) and U+000B, U+000C, U+0085,
   * which are removed as controls before this test anyway.
   */
  static boolean isWhitespace(int cp) {
    if (cp < 128) return ASCII[cp] == SPACE || cp == 0x0B || cp == 0x0C;
    switch (cp) {
      case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
        return true;
      default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
  }

  /**
   * ASCII punctuation (33–47, 58–64, 91–96, 123–126) or Unicode category P* (Pc Pd Ps Pe Pi Pf Po) as of
   * {@link #HF_CATEGORY_VERSION}.
   */
  static boolean isPunctuation(int cp) {
    return classOf(cp) == PUNCT;
  }

  /**
   * CJK ideographs that get spaces around them. Ranges of HF {@code is_chinese_char}: 4E00–9FFF, 3400–4DBF,
   * 20000–2A6DF, 2A700–2B73F, 2B740–2B81F, 2B920–2CEAF, F900–FAFF, 2F800–2FA1F. Note: Google's
   * {@code _is_chinese_char} has 2B820–2CEAF instead of 2B920–2CEAF; we follow HF (our parity reference), so
   * U+2B820–U+2B91F (CJK Extension E) are treated as ordinary letters.
   */
  static boolean isCjk(int cp) {
    if (cp < 0x3400) return false;
    return (cp >= 0x4E00 && cp <= 0x9FFF)
        || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F)
        || (cp >= 0x2B740 && cp <= 0x2B81F)
        || (cp >= 0x2B920 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }

  /** Category Mn as of {@link #HF_CATEGORY_VERSION} (dropped after NFD when stripping accents). */
  static boolean isNonSpacingMark(int cp) {
    return cp >= 0x300 && classOf(cp) == MN;
  }

  /** Full lower case of one code point (ICU, current Unicode): the only multi-code-point case is U+0130. */
  static int toLowerCase(int cp) {
    return UCharacter.toLowerCase(cp);
  }
}
