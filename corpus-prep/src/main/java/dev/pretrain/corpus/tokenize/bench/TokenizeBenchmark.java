package dev.pretrain.corpus.tokenize.bench;

import dev.pretrain.corpus.tokenize.BertTokenizer;
import dev.pretrain.corpus.tokenize.IntBuffer;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.corpus.tokenize.WordPieceTokenizer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench tokenize}: single-thread encode throughput of {@link BertTokenizer} on one UTF-8 text file.
 *
 * <p>The file is read and decoded once (bad UTF-8 replaced by U+FFFD, as Node's {@code Buffer.toString('utf8')}
 * does) and split into lines exactly as the HF peer {@code hf_wordpiece.js encode} splits them (on {@code '\n'}
 * only, a final {@code '\n'} ends the last line; {@code '\r'} stays in the line). Each run encodes every line
 * into one reusable {@link IntBuffer} ({@code input_ids} without [CLS]/[SEP]) on the calling thread, then
 * formats the ids as text (space-separated decimal, one line per input line, into a reusable byte buffer), which
 * is what the peer's timed loop also does ({@code getIds()} + {@code join(' ')}). {@code --warmup} untimed runs
 * come first (JIT), then {@code --repeat} timed runs; the best run is reported.
 *
 * <p>Output: one {@code run} line per timed run and a final line
 * {@code RESULT java ... best_encode_MB/s=.. best_encode_tokens/s=.. best_MB/s=.. best_tokens/s=..}, where
 * MB = 10^6 input bytes, {@code encode} excludes the id-to-text formatting and the unprefixed figures include it
 * (the figure comparable with the peer's {@code best_MB/s}). With {@code --output O} the ids of the last run are
 * written to {@code O} (one line per input line, same format as the peer) after timing.
 *
 * <p>Usage: {@code TokenizeBenchmark --vocab V --input F [--output O] [--cased] [--max-chars 100]
 * [--warmup 2] [--repeat 5] [--algorithm greedy|linear]} (default: {@link
 * WordPieceTokenizer#DEFAULT_ALGORITHM}), or {@code --compare-algorithms} to time both WordPiece algorithms
 * interleaved in one JVM. Exit code 2 on bad arguments.
 */
public final class TokenizeBenchmark {
  private TokenizeBenchmark() {}

  /** Result of one benchmark: best wall seconds with and without id formatting, and the totals. */
  public record Result(long bytes, int lines, long tokens, double bestEncodeSeconds, double bestSeconds,
                       double cpuPerWall) {
    public double encodeMbPerSecond() {
      return bytes / 1e6 / bestEncodeSeconds;
    }

    public double mbPerSecond() {
      return bytes / 1e6 / bestSeconds;
    }
  }

  public static void main(String[] args) throws IOException {
    String vocab = null;
    String input = null;
    String output = null;
    boolean cased = false;
    int maxChars = WordPieceTokenizer.DEFAULT_MAX_INPUT_CHARS_PER_WORD;
    int warmup = 2;
    int repeat = 5;
    WordPieceTokenizer.Algorithm algorithm = WordPieceTokenizer.DEFAULT_ALGORITHM;
    boolean compare = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--vocab" -> vocab = value(args, ++i, a);
        case "--input" -> input = value(args, ++i, a);
        case "--output" -> output = value(args, ++i, a);
        case "--cased" -> cased = true;
        case "--max-chars" -> maxChars = Integer.parseInt(value(args, ++i, a));
        case "--warmup" -> warmup = Integer.parseInt(value(args, ++i, a));
        case "--repeat" -> repeat = Integer.parseInt(value(args, ++i, a));
        case "--algorithm" -> {
          try {
            algorithm = WordPieceTokenizer.Algorithm.valueOf(value(args, ++i, a).toUpperCase(Locale.ROOT));
          } catch (IllegalArgumentException e) {
            usage("--algorithm must be greedy or linear, got " + args[i]);
          }
        }
        case "--compare-algorithms" -> compare = true;
        default -> usage("unknown argument: " + a);
      }
    }
    if (vocab == null || input == null) usage("--vocab and --input are required");
    if (repeat < 1 || warmup < 0) usage("--repeat must be >= 1 and --warmup >= 0");
    Vocab v = Vocab.read(Path.of(vocab));
    byte[] raw = Files.readAllBytes(Path.of(input));
    List<String> lines = lines(new String(raw, StandardCharsets.UTF_8));
    if (compare) {
      compareAlgorithms(v, !cased, maxChars, lines, raw.length, warmup, repeat);
      return;
    }
    BertTokenizer tok = new BertTokenizer(v, !cased, !cased, maxChars, algorithm);
    System.out.printf(Locale.ROOT, "bench tokenize: file=%s bytes=%d lines=%d vocab=%s %s max_chars=%d algorithm=%s "
            + "threads=1 warmup=%d repeat=%d java=%s%n", input, raw.length, lines.size(), vocab,
        cased ? "cased" : "uncased", maxChars, algorithm.name().toLowerCase(Locale.ROOT), warmup, repeat, System.getProperty("java.version"));
    Result r = run(tok, lines, raw.length, warmup, repeat, output == null ? null : Path.of(output));
    System.out.printf(Locale.ROOT, "RESULT java algorithm=%s file=%s bytes=%d lines=%d tokens=%d threads=1 best_encode_s=%.3f "
            + "best_encode_MB/s=%.2f best_encode_tokens/s=%.0f best_s=%.3f best_MB/s=%.2f best_tokens/s=%.0f "
            + "cpu/wall=%.2f (encode = ids only; best_* include ids->text like the peer; exclude file read)%n",
        algorithm.name().toLowerCase(Locale.ROOT), Path.of(input).getFileName(), r.bytes(), r.lines(), r.tokens(), r.bestEncodeSeconds(), r.encodeMbPerSecond(),
        r.tokens() / r.bestEncodeSeconds(), r.bestSeconds(), r.mbPerSecond(), r.tokens() / r.bestSeconds(),
        r.cpuPerWall());
  }

  /**
   * Runs the benchmark on the calling thread.
   *
   * @param bytes the input size in bytes (for MB/s)
   * @param output where to write the ids of the last run, or null
   */
  public static Result run(BertTokenizer tok, List<String> lines, long bytes, int warmup, int repeat, Path output)
      throws IOException {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    IntBuffer ids = new IntBuffer(1 << 16);
    ByteSink text = new ByteSink(1 << 20);
    double bestEncode = Double.MAX_VALUE;
    double best = Double.MAX_VALUE;
    double cpuPerWall = 0;
    long tokens = 0;
    for (int r = 0; r < warmup + repeat; r++) {
      // encode only
      long t0 = System.nanoTime();
      long n = 0;
      for (String line : lines) {
        ids.clear();
        n += tok.encode(line, ids);
      }
      long t1 = System.nanoTime();
      // encode + ids -> text (as the peer's timed loop does)
      long c0 = mx.getCurrentThreadCpuTime();
      text.clear();
      for (String line : lines) {
        ids.clear();
        tok.encode(line, ids);
        text.appendIds(ids);
      }
      long t2 = System.nanoTime();
      long c1 = mx.getCurrentThreadCpuTime();
      tokens = n;
      if (r < warmup) continue;
      double se = (t1 - t0) / 1e9;
      double s = (t2 - t1) / 1e9;
      System.out.printf(Locale.ROOT, "run %d: encode_s=%.3f encode_MB/s=%.2f encode_tokens/s=%.0f | with ids->text: "
          + "s=%.3f MB/s=%.2f tokens/s=%.0f%n", r - warmup + 1, se, bytes / 1e6 / se, n / se, s, bytes / 1e6 / s, n / s);
      bestEncode = Math.min(bestEncode, se);
      if (s < best) {
        best = s;
        cpuPerWall = (c1 - c0) / 1e9 / s;
      }
    }
    if (output != null) {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(output), 1 << 16)) {
        out.write(text.data, 0, text.size);
      }
    }
    return new Result(bytes, lines.size(), tokens, bestEncode, best, cpuPerWall);
  }

  /**
   * {@code --compare-algorithms}: greedy and linear WordPiece in one JVM, interleaved (the order alternates from
   * round to round, so that load from other processes hits both alike); encode only. Prints the best MB/s of each,
   * the speed-up of linear over greedy from the best times and the median of the per-round speed-ups (the more
   * robust figure on a loaded machine), and whether all ids were identical (a running hash of every line's ids).
   */
  static void compareAlgorithms(Vocab vocab, boolean lower, int maxChars, List<String> lines, long bytes, int warmup,
      int repeat) {
    WordPieceTokenizer.Algorithm[] algs = WordPieceTokenizer.Algorithm.values();
    BertTokenizer[] toks = new BertTokenizer[algs.length];
    for (int k = 0; k < algs.length; k++) toks[k] = new BertTokenizer(vocab, lower, lower, maxChars, algs[k]);
    double[] best = new double[algs.length];
    java.util.Arrays.fill(best, Double.MAX_VALUE);
    long[] hash = new long[algs.length];
    double[] roundSec = new double[algs.length];
    List<Double> ratios = new ArrayList<>();
    long tokens = 0;
    IntBuffer ids = new IntBuffer(1 << 16);
    for (int r = 0; r < warmup + repeat; r++) {
      for (int j = 0; j < algs.length; j++) {
        int k = (r % 2 == 0) ? j : algs.length - 1 - j;
        long h = 0;
        long n = 0;
        long t0 = System.nanoTime();
        for (String line : lines) {
          ids.clear();
          n += toks[k].encode(line, ids);
          int[] a = ids.array();
          for (int i = 0, m = ids.size(); i < m; i++) h = h * 31 + a[i];
          h = h * 31 + 1;
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        hash[k] = h;
        tokens = n;
        roundSec[k] = sec;
        if (r >= warmup) {
          best[k] = Math.min(best[k], sec);
          System.out.printf(Locale.ROOT, "round %d %s: encode_s=%.3f MB/s=%.2f%n", r - warmup + 1,
              algs[k].name().toLowerCase(Locale.ROOT), sec, bytes / 1e6 / sec);
        }
      }
      if (r >= warmup) ratios.add(roundSec[0] / roundSec[1]);
    }
    java.util.Collections.sort(ratios);
    int m = ratios.size();
    double median = m % 2 == 1 ? ratios.get(m / 2) : (ratios.get(m / 2 - 1) + ratios.get(m / 2)) / 2;
    StringBuilder sb = new StringBuilder("RESULT compare-algorithms bytes=" + bytes + " tokens=" + tokens);
    for (int k = 0; k < algs.length; k++) {
      sb.append(String.format(Locale.ROOT, " %s_best_MB/s=%.2f %s_best_tokens/s=%.0f",
          algs[k].name().toLowerCase(Locale.ROOT), bytes / 1e6 / best[k], algs[k].name().toLowerCase(Locale.ROOT),
          tokens / best[k]));
    }
    boolean same = true;
    for (long h : hash) same &= h == hash[0];
    sb.append(String.format(Locale.ROOT, " linear_speedup_best=%.3f linear_speedup_median=%.3f", best[0] / best[1],
        median));
    sb.append(same ? " ids=identical" : " ids=DIFFERENT");
    System.out.println(sb);
  }

  /** Splits like the peer: drop one final {@code '\n'}, then split on every {@code '\n'} (empty lines kept). */
  public static List<String> lines(String text) {
    int end = text.endsWith("\n") ? text.length() - 1 : text.length();
    List<String> out = new ArrayList<>();
    int s = 0;
    for (int i = 0; i < end; i++) {
      if (text.charAt(i) == '\n') {
        out.add(text.substring(s, i));
        s = i + 1;
      }
    }
    out.add(text.substring(s, end));
    return out;
  }

  private static String value(String[] args, int i, String name) {
    if (i >= args.length) usage(name + " needs a value");
    return args[i];
  }

  private static void usage(String why) {
    System.err.println("bench tokenize: " + why);
    System.err.println("usage: TokenizeBenchmark --vocab V --input F [--output O] [--cased] [--max-chars 100] "
        + "[--warmup 2] [--repeat 5] [--algorithm greedy|linear | --compare-algorithms]");
    System.exit(2);
  }

  /** Growable byte buffer for "id id id\n" text. */
  static final class ByteSink {
    byte[] data;
    int size;

    ByteSink(int capacity) {
      data = new byte[capacity];
    }

    void clear() {
      size = 0;
    }

    void appendIds(IntBuffer ids) {
      int n = ids.size();
      if (size + 12L * n + 1 > data.length) {
        data = java.util.Arrays.copyOf(data, (int) Math.max(data.length * 2L, size + 12L * n + 1));
      }
      int[] a = ids.array();
      byte[] d = data;
      int p = size;
      for (int i = 0; i < n; i++) {
        if (i > 0) d[p++] = ' ';
        int v = a[i];
        if (v < 0) { // ids are never negative; kept for completeness
          d[p++] = '-';
          v = -v;
        }
        int start = p;
        do {
          d[p++] = (byte) ('0' + v % 10);
          v /= 10;
        } while (v != 0);
        for (int x = start, y = p - 1; x < y; x++, y--) {
          byte t = d[x];
          d[x] = d[y];
          d[y] = t;
        }
      }
      d[p++] = '\n';
      size = p;
    }
  }
}
