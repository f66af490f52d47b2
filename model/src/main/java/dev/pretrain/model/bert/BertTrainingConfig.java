package dev.pretrain.model.bert;

import java.io.Serializable;

/**
 * Optimisation settings for BERT pretraining with Spark parameter averaging.
 *
 * @param batchSizePerWorker examples per minibatch on each worker
 * @param averagingFrequency minibatches each worker fits between two parameter averagings
 * @param workers            number of Spark workers (parallel model replicas)
 * @param epochs             passes over the training RDD
 * @param learningRate       peak Adam learning rate (reached after {@code warmupSteps})
 * @param weightDecay        decoupled weight decay coefficient (AdamW style, multiplied by the learning rate; not applied to biases)
 * @param warmupSteps        linear learning-rate warm-up, in minibatch iterations
 * @param seed               seed for parameter initialisation and data shuffling
 * @param checkpointDir      Hadoop path (local, hdfs://, ...) of the folder for {@link BertSparkTrainer}'s
 *                           checkpoints; null = no checkpoints. When it holds a checkpoint, training resumes from the
 *                           latest one.
 * @param checkpointEvery    write a checkpoint every this many averaging rounds (and at the end); 0 = only at the end
 */
public record BertTrainingConfig(int batchSizePerWorker, int averagingFrequency, int workers, int epochs,
                                 double learningRate, double weightDecay, int warmupSteps, long seed,
                                 String checkpointDir, int checkpointEvery)
        implements Serializable {

    /** Without checkpoints. */
    public BertTrainingConfig(int batchSizePerWorker, int averagingFrequency, int workers, int epochs,
                              double learningRate, double weightDecay, int warmupSteps, long seed) {
        this(batchSizePerWorker, averagingFrequency, workers, epochs, learningRate, weightDecay, warmupSteps, seed,
                null, 0);
    }

    /** A copy that checkpoints to {@code dir} every {@code everyRounds} averaging rounds (see the record components). */
    public BertTrainingConfig withCheckpoints(String dir, int everyRounds) {
        return new BertTrainingConfig(batchSizePerWorker, averagingFrequency, workers, epochs, learningRate, weightDecay,
                warmupSteps, seed, dir == null || dir.isBlank() ? null : dir, everyRounds);
    }

    public BertTrainingConfig {
        if (batchSizePerWorker < 1 || averagingFrequency < 1 || workers < 1 || epochs < 0) {
            throw new IllegalArgumentException("BertTrainingConfig: batchSizePerWorker, averagingFrequency, workers must be >= 1"
                    + " and epochs >= 0, got " + batchSizePerWorker + ", " + averagingFrequency + ", " + workers + ", " + epochs);
        }
        if (!(learningRate > 0) || weightDecay < 0 || warmupSteps < 0) {
            throw new IllegalArgumentException("BertTrainingConfig: learningRate must be > 0, weightDecay and warmupSteps >= 0");
        }
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("BertTrainingConfig: checkpointEvery must be >= 0, got " + checkpointEvery);
        }
    }

    /**
     * Defaults for BERT-tiny/mini on a few cores, tuned for short runs (measured on local[2], see BertTinyBenchmarkTest):
     * batch 16 per worker, averaging every 10 minibatches, 2 workers, 1 epoch, Adam peak lr 1e-3 after 20 warm-up
     * steps then linear decay, weight decay 0.01 (Google BERT), seed 12345. Turc et al. 2019 use 1e-4..1e-3.
     * Re-measured after the per-layer learning-rate fix ({@link RoundSchedule}; before it the SameDiff layers never
     * left the warm-up) on the pipeline's instances (3,200 training instances, 100 steps per worker, 256 held-out;
     * bench/bert-lr-fix.sh): held-out MLM loss from 10.352 at peak 5e-4: 7.952 after 100 steps (still falling);
     * 1e-3: 7.638 at step 60 (best), 7.888 at step 100; MLM accuracy stays at 3.9% (the most frequent token) for both,
     * as it did before the fix; 2e-3 reached 8.111 at step 20, then diverged (12.140 at step 100). See
     * docs/BENCHMARKS.md (bert-lr-fix).
     */
    public static BertTrainingConfig defaults() {
        return new BertTrainingConfig(16, 10, 2, 1, 1e-3, 0.01, 20, 12345L);
    }
}
