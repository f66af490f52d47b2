package dev.pretrain.corpus.tokenize;

import java.util.ArrayList;
import java.util.List;

/**
 * BERT's full tokenizer (Google {@code tokenization.py FullTokenizer}; HF {@code BertTokenizerFast} with
 * {@code add_special_tokens=False}): {@link BasicTokenizer} then {@link WordPieceTokenizer} on each word.
 * WordPiece matching is linear-time by default ({@link WordPieceTokenizer.Algorithm#LINEAR}). Adds no
 * {@code [CLS]}/{@code [SEP]}. Thread-safe (per-thread scratch buffers) and serializable (for Spark
 * closures/broadcasts).
 */
public final class BertTokenizer implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final BasicTokenizer basic;
  private final WordPieceTokenizer wordPiece;
  private transient ThreadLocal<WordBuffer> scratch;

  /**
   * @param vocab WordPiece vocabulary (must contain {@code [UNK]})
   * @param doLowerCase true for uncased vocabularies; accents are stripped iff true (HF default)
   */
  public BertTokenizer(Vocab vocab, boolean doLowerCase) {
    this(vocab, doLowerCase, doLowerCase, WordPieceTokenizer.DEFAULT_MAX_INPUT_CHARS_PER_WORD);
  }

  public BertTokenizer(Vocab vocab, boolean doLowerCase, boolean stripAccents, int maxInputCharsPerWord) {
    this(vocab, doLowerCase, stripAccents, maxInputCharsPerWord, WordPieceTokenizer.DEFAULT_ALGORITHM);
  }

  /** @param algorithm WordPiece matching algorithm (identical ids; see {@link WordPieceTokenizer.Algorithm}) */
  public BertTokenizer(Vocab vocab, boolean doLowerCase, boolean stripAccents, int maxInputCharsPerWord,
      WordPieceTokenizer.Algorithm algorithm) {
    this.basic = new BasicTokenizer(doLowerCase, stripAccents);
    this.wordPiece = new WordPieceTokenizer(vocab, maxInputCharsPerWord, algorithm);
  }

  private WordBuffer scratch() {
    ThreadLocal<WordBuffer> s = scratch;
    if (s == null) {
      synchronized (this) {
        if (scratch == null) scratch = ThreadLocal.withInitial(WordBuffer::new);
        s = scratch;
      }
    }
    return s.get();
  }

  /** @return the WordPiece tokens of {@code text}, e.g. "UNwant\u00e9d,running" (uncased) -&gt; un ##want ##ed , runn ##ing */
  public List<String> tokenize(String text) {
    IntBuffer ids = new IntBuffer(Math.max(16, text.length() / 3));
    encode(text, ids);
    Vocab v = wordPiece.vocab();
    List<String> out = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) out.add(v.token(ids.get(i)));
    return out;
  }

  /** @return the token ids ({@code input_ids} without [CLS]/[SEP]) of {@code text} */
  public int[] encode(String text) {
    IntBuffer ids = new IntBuffer(Math.max(16, text.length() / 3));
    encode(text, ids);
    return ids.toArray();
  }

  /**
   * Fast path: appends the ids of {@code text} to {@code out} (not cleared) without allocating per token.
   *
   * @return the number of ids appended
   */
  public int encode(String text, IntBuffer out) {
    WordBuffer wb = scratch();
    basic.split(text, wb);
    int before = out.size();
    char[] chars = wb.chars;
    for (int i = 0; i < wb.count; i++) wordPiece.encodeWord(chars, wb.start(i), wb.end(i), out);
    return out.size() - before;
  }

  /**
   * As {@link #encode(String, IntBuffer)}, and adds to {@code counts}: one text, its words, ids, [UNK] ids and
   * words over the length limit.
   *
   * @return the number of ids appended
   */
  public int encode(String text, IntBuffer out, TokenizeCounts counts) {
    WordBuffer wb = scratch();
    basic.split(text, wb);
    int before = out.size();
    char[] chars = wb.chars;
    int max = wordPiece.maxInputCharsPerWord();
    long overlong = 0;
    for (int i = 0; i < wb.count; i++) {
      int s = wb.start(i);
      int e = wb.end(i);
      if (e - s > max && Character.codePointCount(chars, s, e - s) > max) overlong++;
      wordPiece.encodeWord(chars, s, e, out);
    }
    int n = out.size() - before;
    int unk = wordPiece.unkId();
    int[] a = out.array();
    long unknown = 0;
    for (int k = before; k < before + n; k++) if (a[k] == unk) unknown++;
    counts.texts++;
    counts.words += wb.count;
    counts.tokens += n;
    counts.unknown += unknown;
    counts.overlongWords += overlong;
    return n;
  }

  public Vocab vocab() {
    return wordPiece.vocab();
  }

  public BasicTokenizer basicTokenizer() {
    return basic;
  }

  public WordPieceTokenizer wordPieceTokenizer() {
    return wordPiece;
  }
}
