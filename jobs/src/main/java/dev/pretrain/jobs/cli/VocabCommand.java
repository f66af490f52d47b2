package dev.pretrain.jobs.cli;

import java.util.concurrent.Callable;

import dev.pretrain.jobs.stages.VocabStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "vocab", mixinStandardHelpOptions = true,
        description = {"Document shards -> WordPiece vocab.txt (+ word_counts/ Parquet).",
                "Word counts on Spark, then HuggingFace's WordPiece trainer algorithm; or --vocab-file to use an",
                "existing vocabulary (e.g. bert-base-uncased)."})
final class VocabCommand implements Callable<Integer> {
    @Mixin SparkOptions spark;

    @Option(names = "--documents", required = true, description = "Document shards (output of ingest).")
    String documents;

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
        return spark.run("vocab", s -> VocabStage.run(s,
                new VocabStage.Options(documents, output, size, minFrequency, !cased, numUnused, vocabFile)));
    }
}
