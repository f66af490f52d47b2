package dev.pretrain.examples.mlm;

import dev.pretrain.corpus.ingest.DocumentProcessor;
import dev.pretrain.corpus.ingest.DocumentSplitter;
import dev.pretrain.corpus.ingest.IngestOutcome;
import dev.pretrain.corpus.ingest.SentenceSegmenter;
import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.corpus.ingest.TextFiles;
import dev.pretrain.corpus.tokenize.BertTokenizer;
import dev.pretrain.corpus.tokenize.Vocab;
import java.io.BufferedReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Throughput of MLM/NSP instance generation against WordPiece tokenization of the same text (issue 5:
 * generation must add no more than 50% to the cost of tokenizing). One thread, warm JIT, best of N.
 *
 * <p>Input: the first {@code docs} IMDB unsup reviews, cleaned and sentence-split outside the timing.
 * Timed: (a) {@code BertTokenizer.encode} of every sentence (bert-base-uncased); (b)
 * {@link PretrainingDataGenerator#generate} at dupe_factor 1, Google defaults, over shards of
 * {@code shardDocs} documents (as the Spark stage calls it, one shard per task).
 *
 * <p>Usage: {@code java -cp <test classpath> dev.pretrain.examples.mlm.MlmThroughputBenchmark SHARED_DATA_DIR [docs]
 * [shardDocs] [warmup] [repeat]}
 */
public final class MlmThroughputBenchmark {
  private MlmThroughputBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    int docs = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int shardDocs = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    int repeat = args.length > 4 ? Integer.parseInt(args[4]) : 5;

    Vocab vocab = Vocab.read(data.resolve("bert/bert-base-uncased-vocab.txt"));
    Path file = data.resolve("corpora/imdb-aclImdb-v1-unsup-50k.tsv.gz");
    SourceSpec spec = SourceSpec.imdb("imdb", file.toString());
    DocumentProcessor proc = new DocumentProcessor(spec.cleaner(), new SentenceSegmenter("en"), 1, 1);
    List<String> docIds = new ArrayList<>();
    List<List<String>> text = new ArrayList<>();
    long chars = 0;
    try (BufferedReader r = TextFiles.reader(file)) {
      Iterator<String> raw = new DocumentSplitter(spec).split(TextFiles.lines(r));
      while (docIds.size() < docs && raw.hasNext()) {
        IngestOutcome o = proc.process("imdb", raw.next());
        if (o.kept()) {
          docIds.add(o.document().docId());
          text.add(o.document().sentences());
          for (String s : o.document().sentences()) {
            chars += s.length();
          }
        }
      }
    }
    BertTokenizer tok = new BertTokenizer(vocab, true);
    MaskedLmConfig cfg = MaskedLmConfig.defaults();
    PretrainingDataGenerator gen = new PretrainingDataGenerator(cfg, SpecialIds.fromVocab(vocab.tokens()),
        PretrainingDataGenerator.continuationFlags(vocab.tokens()));

    double bestTok = Double.MAX_VALUE;
    double bestGen = Double.MAX_VALUE;
    long tokens = 0;
    long instances = 0;
    List<int[][]> encoded = null;
    for (int rep = 0; rep < warmup + repeat; rep++) {
      long t0 = System.nanoTime();
      List<int[][]> enc = new ArrayList<>(text.size());
      long n = 0;
      for (List<String> d : text) {
        int[][] s = new int[d.size()][];
        for (int i = 0; i < s.length; i++) {
          s[i] = tok.encode(d.get(i));
          n += s[i].length;
        }
        enc.add(s);
      }
      double tTok = (System.nanoTime() - t0) / 1e9;
      encoded = enc;
      tokens = n;

      t0 = System.nanoTime();
      long inst = 0;
      for (int from = 0; from < docIds.size(); from += shardDocs) {
        int to = Math.min(docIds.size(), from + shardDocs);
        inst += gen.generate(docIds.subList(from, to), encoded.subList(from, to)).size();
      }
      double tGen = (System.nanoTime() - t0) / 1e9;
      instances = inst;
      if (rep >= warmup) {
        bestTok = Math.min(bestTok, tTok);
        bestGen = Math.min(bestGen, tGen);
      }
      System.out.printf("rep %d: tokenize %.3f s, generate %.3f s%n", rep, tTok, tGen);
    }
    System.out.printf("documents %d, chars %d, WordPiece tokens %d, instances %d (dupe_factor 1)%n",
        docIds.size(), chars, tokens, instances);
    System.out.printf("tokenize: best %.3f s = %.2f M tokens/s; generate: best %.3f s = %.2f M tokens/s, %.0f instances/s%n",
        bestTok, tokens / bestTok / 1e6, bestGen, tokens / bestGen / 1e6, instances / bestGen);
    System.out.printf("generate / tokenize cost: %.2f%n", bestGen / bestTok);
  }
}
