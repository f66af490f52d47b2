package dev.pretrain.jobs.cli;

import java.util.concurrent.Callable;

import dev.pretrain.corpus.tokenize.WordPieceTrainer;
import dev.pretrain.jobs.stages.VocabStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "vocab", mixinStandardHelpOptions = true,
        description = {"Document shards (or --text files) -> WordPiece vocab.txt (+ word_counts/ Parquet).",
                "Word counts on Spark, then WordPiece training on the driver (--algorithm bpe: HuggingFace's trainer;",
                "likelihood: the original WordPiece criterion, largest unigram log-likelihood gain); or --vocab-file to use an",
                "existing vocabulary (e.g. bert-base-uncased)."})
final class VocabCommand implements Callable<Integer> {
    @Mixin SparkOptions spark;

    @Option(names = "--documents", description = "Document shards (output of ingest).")
    String documents;

    @Option(names = "--text", description = "Instead of --documents: UTF-8 text file(s), one text per line (split on '\\n' only).")
    String text;

    @Option(names = "--algorithm", defaultValue = "bpe",
            description = "bpe (HuggingFace's WordPiece trainer: most frequent pair), likelihood (Schuster & Nakajima 2012: "
                    + "pair whose merge most increases the corpus log-likelihood under a unigram model of the current symbols) "
                    + "or likelihood-ratio (HF course's max count(ab)/(count(a)count(b)); merges rare strings first, "
                    + "for comparison only) (default: ${DEFAULT-VALUE}).")
    String algorithm;

    @Option(names = "--output", required = true, description = "Output folder (vocab.txt, word_counts/).")
    String output;

    @Option(names = "--size", defaultValue = "30522", description = "Vocabulary size (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--min-frequency", defaultValue = "2", description = "Minimum count of a merge / word (default: ${DEFAULT-VALUE}).")
    long minFrequency;

    @Option(names = "--cased", description = "Keep case and accents (default: uncased, like bert-base-uncased).")
    boolean cased;

    @Option(names = "--num-unused", defaultValue = "0", description = "[unusedN] slots after the special tokens (default: ${DEFAULT-VALUE}).")
    int numUnused;

    @Option(names = "--vocab-file", description = "Use this vocab.txt instead of training one.")
    String vocabFile;

    @Override
    public Integer call() {
        if ((documents == null) == (text == null)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "vocab: give exactly one of --documents and --text");
        }
        WordPieceTrainer.Algorithm alg = WordPieceTrainer.Algorithm.parse(algorithm);
        return spark.run("vocab", s -> VocabStage.run(s, new VocabStage.Options(text != null ? text : documents,
                output, size, minFrequency, !cased, numUnused, vocabFile, alg, text != null)));
    }
}
