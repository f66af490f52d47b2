package dev.pretrain.corpus.tokenize;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Developer tool (test scope): counts basic-tokenized (uncased) words of INPUT (one text per line) and trains a
 * WordPiece vocabulary. Usage: {@code TrainVocabMain INPUT OUT_VOCAB VOCAB_SIZE [bpe|likelihood|likelihood-ratio]}; prints timings.
 */
public final class TrainVocabMain {
  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    WordCounter wc = new WordCounter(true);
    try (BufferedReader r = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) wc.add(line);
    }
    Map<String, Long> counts = wc.toMap(1);
    long t1 = System.nanoTime();
    List<String> tokens = new WordPieceTrainer(Integer.parseInt(args[2]), 0, SpecialTokens.bertDefaults(), 0,
        WordPieceTrainer.Algorithm.parse(args.length > 3 ? args[3] : "bpe")).train(counts);
    long t2 = System.nanoTime();
    Vocab.of(tokens).write(Path.of(args[1]));
    System.out.printf("RESULT train distinct_words=%d vocab=%d count_s=%.2f train_s=%.2f%n",
        counts.size(), tokens.size(), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
  }
}
