package dev.pretrain.jobs.cli;

import java.util.concurrent.Callable;

import dev.pretrain.jobs.stages.TokenizeStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"BERT basic tokenizer + greedy longest-match-first WordPiece.",
                "Documents mode: Parquet shards -> Parquet (doc_id, sentences as arrays of int32 ids).",
                "--ids-text: a UTF-8 text file -> one line of space-separated ids per input line, in order",
                "(a folder of part files whose concatenation in name order is the output); no [CLS]/[SEP]."})
final class TokenizeCommand implements Callable<Integer> {
    @Mixin SparkOptions spark;

    @Option(names = "--vocab", required = true, description = "vocab.txt (BERT format).")
    String vocab;

    @Option(names = "--input", required = true, description = "Document shards, or a text file with --ids-text.")
    String input;

    @Option(names = "--output", required = true, description = "Output folder.")
    String output;

    @Option(names = "--ids-text", description = "Text in, ids-per-line text out.")
    boolean idsText;

    @Option(names = "--cased", description = "Cased vocabulary: no lowercasing, no accent stripping.")
    boolean cased;

    @Option(names = "--max-chars", defaultValue = "100",
            description = "Words longer than this become [UNK] (max_input_chars_per_word; default: ${DEFAULT-VALUE}).")
    int maxChars;

    @Override
    public Integer call() {
        return spark.run("tokenize", s -> TokenizeStage.run(s,
                new TokenizeStage.Options(input, vocab, output, !cased, maxChars, idsText)));
    }
}
