package dev.pretrain.corpus.tokenize.bench;

import dev.pretrain.corpus.tokenize.BertTokenizer;
import dev.pretrain.corpus.tokenize.StreamingEncoder;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.corpus.tokenize.WordPieceTokenizer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Encodes a UTF-8 text file into the {@code --ids-text} format on one thread, without Spark, streaming (bounded
 * memory for any line length; see {@link StreamingEncoder}): one line of space-separated ids per input line, no
 * [CLS]/[SEP]. Used by {@code bench/parity-vs-hf.sh}. Prints one {@code RESULT} line with the counts (lines,
 * words, tokens, [UNK], words over the length limit, malformed UTF-8 sequences replaced).
 *
 * <p>Usage: {@code EncodeFile --vocab V --input F --output O [--cased] [--max-chars 100]
 * [--algorithm linear|greedy]}; exit code 2 on bad arguments.
 */
public final class EncodeFile {
  private EncodeFile() {}

  public static void main(String[] args) throws IOException {
    String vocab = null;
    String input = null;
    String output = null;
    boolean cased = false;
    int maxChars = WordPieceTokenizer.DEFAULT_MAX_INPUT_CHARS_PER_WORD;
    WordPieceTokenizer.Algorithm algorithm = WordPieceTokenizer.DEFAULT_ALGORITHM;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length && !a.equals("--cased")) usage(a + " needs a value");
      switch (a) {
        case "--vocab" -> vocab = args[++i];
        case "--input" -> input = args[++i];
        case "--output" -> output = args[++i];
        case "--cased" -> cased = true;
        case "--max-chars" -> maxChars = Integer.parseInt(args[++i]);
        case "--algorithm" -> algorithm = WordPieceTokenizer.Algorithm.valueOf(args[++i].toUpperCase(Locale.ROOT));
        default -> usage("unknown argument: " + a);
      }
    }
    if (vocab == null || input == null || output == null) usage("--vocab, --input and --output are required");
    BertTokenizer tok = new BertTokenizer(Vocab.read(Path.of(vocab)), !cased, !cased, maxChars, algorithm);
    long t0 = System.nanoTime();
    StreamingEncoder.Stats st;
    try (InputStream in = Files.newInputStream(Path.of(input));
         OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(output)), 1 << 16)) {
      st = new StreamingEncoder(tok).encode(in, StreamingEncoder.IdSink.text(out));
    }
    double sec = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "RESULT encode-file input=%s lines=%d words=%d tokens=%d unk=%d overlong_words=%d "
            + "malformed_utf8=%d unk_rate=%.6f tokens_per_word=%.4f seconds=%.2f%n", input, st.lines(), st.words(),
        st.tokens(), st.unknown(), st.overlongWords(), st.malformed(), st.unkRate(), st.tokensPerWord(), sec);
  }

  private static void usage(String why) {
    System.err.println("EncodeFile: " + why);
    System.err.println("usage: EncodeFile --vocab V --input F --output O [--cased] [--max-chars 100] "
        + "[--algorithm linear|greedy]");
    System.exit(2);
  }
}
