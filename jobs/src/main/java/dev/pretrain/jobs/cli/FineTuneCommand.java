package dev.pretrain.jobs.cli;

import java.util.concurrent.Callable;

import dev.pretrain.jobs.stages.FineTuneStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Sentence classification fine-tuning of a train-bert model (pooled [CLS] + softmax, Adam with",
                "10% warm-up and linear decay), and of the same architecture from random initialisation with the same",
                "budget; reports both accuracies. SST-2 (--task sst2 --train train.tsv --eval dev.tsv) or IMDB",
                "(--task imdb --train imdb-labeled.tsv.gz: its train rows train, its test rows evaluate)."})
final class FineTuneCommand implements Callable<Integer> {
    @Mixin SparkOptions spark;

    @Option(names = "--bert", required = true, description = "Output folder of train-bert (model.zip, config.json, vocab.txt).")
    String bert;

    @Option(names = "--task", required = true, description = "sst2 or imdb.")
    String task;

    @Option(names = "--train", required = true, description = "Training TSV (any Hadoop path; .gz read as gzip).")
    String train;

    @Option(names = "--eval", description = "Evaluation TSV (default for imdb: the test rows of --train).")
    String eval;

    @Option(names = "--max-train", defaultValue = "0", description = "At most this many training examples, spread over the file, 0 = all (default: ${DEFAULT-VALUE}).")
    int maxTrain;

    @Option(names = "--max-eval", defaultValue = "0", description = "At most this many evaluation examples, spread over the file, 0 = all (default: ${DEFAULT-VALUE}).")
    int maxEval;

    @Option(names = "--max-seq-length", defaultValue = "128", description = "Tokens per example with [CLS]/[SEP] (default: ${DEFAULT-VALUE}).")
    int maxSeqLength;

    @Option(names = "--batch-size", defaultValue = "32", description = "Examples per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the training examples (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--learning-rate", defaultValue = "1e-4", description = "Peak Adam learning rate (default: ${DEFAULT-VALUE}; Turc et al. 2019 use 1e-4..3e-5 for small BERTs).")
    double learningRate;

    @Option(names = "--seed", defaultValue = "12345", description = "Seed of the classifier head and the shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--cased", description = "Cased vocabulary: no lowercasing, no accent stripping.")
    boolean cased;

    @Option(names = "--no-random-baseline", description = "Skip the random-initialisation run.")
    boolean noBaseline;

    @Override
    public Integer call() {
        return spark.run("finetune", s -> FineTuneStage.run(s, new FineTuneStage.Options(bert, task, train, eval,
                maxTrain, maxEval, maxSeqLength, batchSize, epochs, learningRate, seed, !cased, !noBaseline)));
    }
}
