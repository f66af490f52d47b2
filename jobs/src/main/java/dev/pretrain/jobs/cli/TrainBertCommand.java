package dev.pretrain.jobs.cli;

import java.util.concurrent.Callable;

import dev.pretrain.jobs.stages.BertStage;
import dev.pretrain.model.bert.BertTrainingConfig;
import dev.pretrain.model.bert.OuterOptimizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train-bert", mixinStandardHelpOptions = true,
        description = {"MLM/NSP instances -> a BERT-style encoder (DL4J), trained with parameter averaging",
                "(ParameterAveragingTrainingMaster) across the Spark workers. Writes model.zip, config.json,",
                "vocab.txt, metrics.jsonl (held-out MLM/NSP loss and accuracy per evaluation; round 0 = untrained)",
                "and rounds.jsonl (train loss, tokens/s, ETA per averaging round). Examples made with --task",
                "full_sentences have no pair label: MLM only, no NSP loss or figures. With --checkpoint-dir it",
                "checkpoints every --checkpoint-every rounds and resumes from the newest checkpoint there."})
final class TrainBertCommand implements Callable<Integer> {
    @Mixin SparkOptions spark;

    @Option(names = "--examples", required = true, description = "Output of 'examples mlm' (train/, heldout/).")
    String examples;

    @Option(names = "--vocab", required = true, description = "The vocab.txt of the examples.")
    String vocab;

    @Option(names = "--output", required = true, description = "Output folder.")
    String output;

    @Option(names = "--model", description = {"Model size: tiny (L2 H128 A2), mini (L4 H256 A4), small (L4 H512 A8),",
            "medium (L8 H512 A8) (Turc et al. 2019), base (L12 H768 A12) or large (L24 H1024 A16) (default: tiny)."})
    String model;

    @Option(names = "--bert-config", paramLabel = "FILE", description = {"Instead of --model: Google's bert_config.json"
            + " or a HuggingFace BERT config.json (any Hadoop path).",
            "vocab_size must match --vocab (absent: taken from it); dropout in it is not applied (warned, recorded 0.0)."})
    String bertConfig;

    @Option(names = "--batch-size", defaultValue = "16", description = "Batch size per worker (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--averaging-frequency", defaultValue = "10", description = "Minibatches per worker between averagings (default: ${DEFAULT-VALUE}).") int averaging;
    @Option(names = "--outer-optimizer", defaultValue = "average", description = {"How the driver combines the workers'"
            + " parameters after each averaging round: average (DL4J's parameter averaging), nesterov (DiLoCo:",
            "outer SGD with Nesterov momentum on the averaged parameter delta) or block-momentum (BMUF) (default: ${DEFAULT-VALUE})."})
    String outerOptimizer;
    @Option(names = "--outer-learning-rate", description = "Outer learning rate of nesterov / block-momentum (default: 0.7, DiLoCo's).") Double outerLr;
    @Option(names = "--outer-momentum", description = "Outer momentum of nesterov / block-momentum (default: 0.9, DiLoCo's).") Double outerMomentum;
    @Option(names = "--workers", defaultValue = "2", description = "Parallel workers (default: ${DEFAULT-VALUE}).") int workers;
    @Option(names = "--epochs", defaultValue = "1", description = "(default: ${DEFAULT-VALUE})") int epochs;
    @Option(names = "--learning-rate", defaultValue = "1e-3", description = "Peak Adam learning rate (default: ${DEFAULT-VALUE}).") double lr;
    @Option(names = "--weight-decay", defaultValue = "0.01", description = "(default: ${DEFAULT-VALUE})") double weightDecay;
    @Option(names = "--warmup-steps", defaultValue = "20", description = "(default: ${DEFAULT-VALUE})") int warmup;
    @Option(names = "--max-train-examples", defaultValue = "0", description = "Use at most this many training "
            + "instances (0: all), chosen by their content (a hash), not by where they lie in the shards.") int maxTrain;
    @Option(names = "--max-heldout-examples", defaultValue = "256", description = "(default: ${DEFAULT-VALUE})") int maxHeldout;
    @Option(names = "--eval-every-rounds", defaultValue = "2", description = "Held-out evaluation every N averaging rounds; 0 = per epoch (default: ${DEFAULT-VALUE}).") int evalEvery;
    @Option(names = "--time-limit-seconds", defaultValue = "0", description = "Stop at the first evaluation past this wall time; 0 = none (default: ${DEFAULT-VALUE}).") double timeLimit;
    @Option(names = "--validation-examples", defaultValue = "256", description = "Further held-out instances that pick the saved model by early stopping; 0 = keep the last (default: ${DEFAULT-VALUE}).") int validation;
    @Option(names = "--seed", defaultValue = "12345", description = "(default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--checkpoint-dir", description = "Folder (any Hadoop path) for training checkpoints; when it holds one, training resumes from the newest (default: none).") String checkpointDir;
    @Option(names = "--checkpoint-every", defaultValue = "10", description = "Checkpoint every N averaging rounds (and at the end) when --checkpoint-dir is given; 0 = only at the end (default: ${DEFAULT-VALUE}).") int checkpointEvery;

    @Override
    public Integer call() {
        BertTrainingConfig t = new BertTrainingConfig(batch, averaging, workers, epochs, lr, weightDecay, warmup, seed)
                .withCheckpoints(checkpointDir, checkpointEvery);
        return spark.run("train-bert", s -> BertStage.run(s,
                new BertStage.Options(examples, vocab, output, model, t, maxTrain, maxHeldout, evalEvery, timeLimit,
                        validation, bertConfig, OuterOptimizer.of(outerOptimizer, outerLr, outerMomentum))));
    }
}
