package dev.pretrain.jobs.cli;

import java.util.concurrent.Callable;

import dev.pretrain.examples.mlm.MaskedLmConfig;
import dev.pretrain.examples.mlm.MaskingMode;
import dev.pretrain.examples.mlm.MlmShards;
import dev.pretrain.examples.mlm.PretrainingTask;
import dev.pretrain.jobs.stages.ExamplesStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "examples", mixinStandardHelpOptions = true,
        description = "Training examples: MLM/NSP instances (BERT) or skip-gram pairs with negatives (word2vec).",
        subcommands = {ExamplesCommand.Mlm.class, ExamplesCommand.SkipGram.class})
final class ExamplesCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "choose a kind: 'examples mlm' or 'examples skipgram'");
    }

    @Command(name = "mlm", mixinStandardHelpOptions = true,
            description = {"Tokenized shards -> MLM/NSP instances, Google create_pretraining_data.py semantics,",
                    "as Parquet train/ and heldout/ and/or TFRecord tfrecord/{train,heldout}/ with input_ids, input_mask, segment_ids, masked_lm_positions,",
                    "masked_lm_ids, masked_lm_weights, next_sentence_labels. Deterministic for a seed, whatever",
                    "the partitioning."})
    static final class Mlm implements Callable<Integer> {
        @Mixin SparkOptions spark;

        @Option(names = "--tokenized", required = true, description = "Output of tokenize (documents mode).")
        String tokenized;

        @Option(names = "--vocab", required = true, description = "The vocab.txt used to tokenize.")
        String vocab;

        @Option(names = "--output", required = true, description = "Output folder.")
        String output;

        @Option(names = "--max-seq-length", defaultValue = "128", description = "(default: ${DEFAULT-VALUE})")
        int maxSeqLength;

        @Option(names = "--max-predictions-per-seq", defaultValue = "20", description = "(default: ${DEFAULT-VALUE})")
        int maxPredictions;

        @Option(names = "--masked-lm-prob", defaultValue = "0.15", description = "(default: ${DEFAULT-VALUE})")
        double maskedLmProb;

        @Option(names = "--short-seq-prob", defaultValue = "0.1", description = "(default: ${DEFAULT-VALUE})")
        double shortSeqProb;

        @Option(names = "--dupe-factor", defaultValue = "1", description = "Passes over the data with different masks (default: ${DEFAULT-VALUE}).")
        int dupeFactor;

        @Option(names = "--whole-word-masking", description = "Mask all WordPieces of a word together.")
        boolean wholeWordMasking;

        @Option(names = "--seed", defaultValue = "12345", description = "(default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--task", defaultValue = "nsp",
                description = {"nsp (BERT next-sentence prediction), sop (ALBERT sentence-order prediction: label 1 =",
                        "swapped) or full_sentences (RoBERTa: sentences packed across documents, no pair label)",
                        "(default: ${DEFAULT-VALUE})."})
        String task;

        @Option(names = "--masking", defaultValue = "static",
                description = {"static (masks written into the instances, dupe_factor copies) or dynamic (RoBERTa:",
                        "train/ written unmasked with instance_id; train-bert masks each epoch) (default: ${DEFAULT-VALUE})."})
        String masking;

        @Option(names = "--bin-size", defaultValue = "0",
                description = {"Sequence-length bin width (NVIDIA LDDL), e.g. 32 or 64: adds length_bin, partitions",
                        "Parquet and TFRecords by it; 0 = no binning (default: ${DEFAULT-VALUE})."})
        int binSize;

        @Option(names = "--shards", defaultValue = "16",
                description = {"Least number of shards a split is grouped into (by seeded doc_id hash); random next",
                        "sentences are drawn within a shard, one task generates one shard (default: ${DEFAULT-VALUE})."})
        int shards;

        @Option(names = "--target-shard-tokens", defaultValue = "" + MlmShards.DEFAULT_TARGET_SHARD_TOKENS,
                description = {"Input tokens a shard holds at most on average: a split gets max(--shards,",
                        "ceil(tokens / target)) shards, which bounds a task's memory (about 8 + 8.7 x dupe-factor",
                        "bytes a token); 0 = exactly --shards (default: ${DEFAULT-VALUE})."})
        long targetShardTokens;

        @Option(names = "--heldout-fraction", defaultValue = "0.01", description = "Share of documents held out (default: ${DEFAULT-VALUE}).")
        double heldoutFraction;

        @Option(names = "--format", defaultValue = "parquet",
                description = {"parquet (train/, heldout/), tfrecord (tfrecord/train/, tfrecord/heldout/: tf.train.Example",
                        "records as Google's run_pretraining.py reads them) or both (default: ${DEFAULT-VALUE})."})
        String format;

        @Override
        public Integer call() {
            MaskedLmConfig cfg = new MaskedLmConfig(maxSeqLength, maxPredictions, maskedLmProb, shortSeqProb,
                    dupeFactor, seed, wholeWordMasking, PretrainingTask.parse(task), MaskingMode.parse(masking));
            return spark.run("examples mlm", s -> ExamplesStage.runMlm(s,
                    new ExamplesStage.MlmOptions(tokenized, vocab, output, cfg, shards, targetShardTokens, heldoutFraction,
                            ExamplesStage.OutputFormat.parse(format), binSize)));
        }
    }

    @Command(name = "skipgram", mixinStandardHelpOptions = true,
            description = {"Document shards -> skip-gram pairs with negative sampling (word2vec C semantics:",
                    "subsampling, dynamic window, unigram^0.75 negatives) as Parquet (center, context, negatives),",
                    "plus words.txt (word count per line; line number = id)."})
    static final class SkipGram implements Callable<Integer> {
        @Mixin SparkOptions spark;

        @Option(names = "--documents", required = true, description = "Document shards (output of ingest).")
        String documents;

        @Option(names = "--output", required = true, description = "Output folder.")
        String output;

        @Option(names = "--window", defaultValue = "5", description = "(default: ${DEFAULT-VALUE})")
        int window;

        @Option(names = "--negative", defaultValue = "5", description = "(default: ${DEFAULT-VALUE})")
        int negative;

        @Option(names = "--sample", defaultValue = "1e-4", description = "Subsampling threshold (default: ${DEFAULT-VALUE}).")
        double sample;

        @Option(names = "--min-count", defaultValue = "5", description = "(default: ${DEFAULT-VALUE})")
        long minCount;

        @Option(names = "--fraction", defaultValue = "1.0", description = "Share of documents to emit pairs for (default: ${DEFAULT-VALUE}).")
        double fraction;

        @Option(names = "--seed", defaultValue = "12345", description = "(default: ${DEFAULT-VALUE})")
        long seed;

        @Override
        public Integer call() {
            return spark.run("examples skipgram", s -> ExamplesStage.runSkipGram(s, new ExamplesStage.SkipGramOptions(
                    documents, output, window, negative, sample, minCount, fraction, seed)));
        }
    }
}
