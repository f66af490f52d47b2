package dev.pretrain.corpus.tokenize;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Developer tool (test scope): encodes INPUT line by line like {@code hf_wordpiece.js encode} (split on '\n',
 * a final '\n' ends the last line) and writes one line of space-separated ids per input line.
 * Usage: {@code EncodeFileMain VOCAB INPUT OUTPUT cased|uncased [repeat]}; prints MB/s of the best run.
 */
public final class EncodeFileMain {
  public static void main(String[] args) throws Exception {
    Vocab vocab = Vocab.read(Path.of(args[0]));
    boolean lower = args[3].equals("uncased");
    int repeat = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    BertTokenizer tok = new BertTokenizer(vocab, lower);
    String text = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8);
    long bytes = Files.size(Path.of(args[1]));
    if (text.endsWith("\n")) text = text.substring(0, text.length() - 1);
    String[] lines = text.split("\n", -1);
    IntBuffer buf = new IntBuffer(1 << 16);
    double best = Double.MAX_VALUE;
    long tokens = 0;
    for (int r = 0; r < repeat; r++) {
      long t0 = System.nanoTime();
      tokens = 0;
      for (String line : lines) {
        buf.clear();
        tokens += tok.encode(line, buf);
      }
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    System.out.printf("RESULT java file=%s bytes=%d lines=%d tokens=%d best_s=%.3f best_MB/s=%.2f%n",
        args[1], bytes, lines.length, tokens, best, bytes / 1e6 / best);
    try (BufferedWriter w = Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.UTF_8)) {
      StringBuilder sb = new StringBuilder();
      for (String line : lines) {
        buf.clear();
        tok.encode(line, buf);
        sb.setLength(0);
        for (int i = 0; i < buf.size(); i++) {
          if (i > 0) sb.append(' ');
          sb.append(buf.get(i));
        }
        w.write(sb.toString());
        w.write('\n');
      }
    }
  }
}
