package dev.pretrain.jobs.cli;

import java.util.concurrent.Callable;

import dev.pretrain.jobs.stages.Word2VecStage;
import dev.pretrain.model.word2vec.SgnsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train-word2vec", mixinStandardHelpOptions = true,
        description = {"Document shards -> SGNS word vectors (skip-gram, negative sampling; word2vec C semantics),",
                "parameter-averaged across Spark partitions each round. Writes vectors.bin (word2vec binary)",
                "and vocab.txt (word count)."})
final class TrainWord2VecCommand implements Callable<Integer> {
    @Mixin SparkOptions spark;

    @Option(names = "--documents", required = true, description = "Document shards (output of ingest).")
    String documents;

    @Option(names = "--output", required = true, description = "Output folder.")
    String output;

    @Option(names = "--dim", defaultValue = "100", description = "Vector size (default: ${DEFAULT-VALUE}).") int dim;
    @Option(names = "--window", defaultValue = "5", description = "(default: ${DEFAULT-VALUE})") int window;
    @Option(names = "--negative", defaultValue = "5", description = "(default: ${DEFAULT-VALUE})") int negative;
    @Option(names = "--sample", defaultValue = "1e-4", description = "(default: ${DEFAULT-VALUE})") double sample;
    @Option(names = "--alpha", defaultValue = "0.025", description = "(default: ${DEFAULT-VALUE})") double alpha;
    @Option(names = "--min-alpha", defaultValue = "0.0001", description = "(default: ${DEFAULT-VALUE})") double minAlpha;
    @Option(names = "--epochs", defaultValue = "5", description = "(default: ${DEFAULT-VALUE})") int epochs;
    @Option(names = "--min-count", defaultValue = "5", description = "(default: ${DEFAULT-VALUE})") long minCount;
    @Option(names = "--partitions", defaultValue = "2", description = "Workers' shares averaged each round (default: ${DEFAULT-VALUE}).") int partitions;
    @Option(names = "--rounds-per-epoch", defaultValue = "16", description = "Averaging rounds per epoch (default: ${DEFAULT-VALUE}).") int rounds;
    @Option(names = "--threads", defaultValue = "1", description = "Hogwild threads per partition (default: ${DEFAULT-VALUE}).") int threads;
    @Option(names = "--seed", defaultValue = "12345", description = "(default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--engine", defaultValue = "java", description = "SGNS engine per partition: java (plain-Java kernel), nd4j or nd4j:B (batched ND4J ops, B pairs per batch; nd4j-cuda with a -Pcuda build) (default: ${DEFAULT-VALUE}).") String engine;

    @Override
    public Integer call() {
        SgnsConfig cfg = new SgnsConfig(dim, window, negative, sample, alpha, minAlpha, epochs, threads, seed);
        return spark.run("train-word2vec", s -> Word2VecStage.run(s,
                new Word2VecStage.Options(documents, output, cfg, minCount, partitions, rounds, engine)));
    }
}
