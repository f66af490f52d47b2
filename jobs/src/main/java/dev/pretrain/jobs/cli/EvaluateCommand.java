package dev.pretrain.jobs.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.pretrain.jobs.stages.EvaluateStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Word vectors: analogy accuracy (3CosAdd, top 30,000 words) and Spearman on similarity sets.",
                "Encoder: held-out MLM loss/accuracy and NSP accuracy, against the untrained model's loss.",
                "Writes metrics.json."})
final class EvaluateCommand implements Callable<Integer> {
    @Mixin SparkOptions spark;

    @Option(names = "--word2vec", description = "Output folder of train-word2vec.")
    String word2vec;

    @Option(names = "--analogies", defaultValue = "../shared/data/analogy/questions-words.txt",
            description = "Analogy questions (default: ${DEFAULT-VALUE}).")
    String analogies;

    @Option(names = "--similarity", paramLabel = "NAME=FILE",
            description = "Similarity sets, repeatable (default: wordsim353, simlex999, men from ../shared/data/similarity).")
    Map<String, String> similarity;

    @Option(names = "--bert", description = "Output folder of train-bert.")
    String bert;

    @Option(names = "--examples", description = "Output folder of 'examples mlm' (held-out instances for --bert).")
    String examples;

    @Option(names = "--max-heldout-examples", defaultValue = "512", description = "(default: ${DEFAULT-VALUE})")
    int maxHeldout;

    @Option(names = "--output", required = true, description = "Output folder.")
    String output;

    @Override
    public Integer call() {
        if (word2vec == null && bert == null) {
            throw new IllegalArgumentException("nothing to evaluate: give --word2vec and/or --bert");
        }
        if (bert != null && examples == null) {
            throw new IllegalArgumentException("--bert needs --examples (the held-out MLM/NSP instances)");
        }
        Map<String, String> sims = similarity != null ? similarity : new LinkedHashMap<>(Map.of(
                "wordsim353", "../shared/data/similarity/wordsim353.tsv",
                "simlex999", "../shared/data/similarity/simlex999.txt",
                "men", "../shared/data/similarity/MEN_dataset_natural_form_full.txt"));
        return spark.run("evaluate", s -> EvaluateStage.run(s,
                new EvaluateStage.Options(word2vec, analogies, sims, bert, examples, maxHeldout, output)));
    }
}
