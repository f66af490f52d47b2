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
 */
public record BertTrainingConfig(int batchSizePerWorker, int averagingFrequency, int workers, int epochs,
                                 double learningRate, double weightDecay, int warmupSteps, long seed)
        implements Serializable {

    public BertTrainingConfig {
        if (batchSizePerWorker < 1 || averagingFrequency < 1 || workers < 1 || epochs < 0) {
            throw new IllegalArgumentException("BertTrainingConfig: batchSizePerWorker, averagingFrequency, workers must be >= 1"
                    + " and epochs >= 0, got " + batchSizePerWorker + ", " + averagingFrequency + ", " + workers + ", " + epochs);
        }
        if (!(learningRate > 0) || weightDecay < 0 || warmupSteps < 0) {
            throw new IllegalArgumentException("BertTrainingConfig: learningRate must be > 0, weightDecay and warmupSteps >= 0");
        }
    }

    /**
     * Defaults for BERT-tiny/mini on a few cores, tuned for short runs (measured on local[2], see BertTinyBenchmarkTest):
     * batch 16 per worker, averaging every 10 minibatches, 2 workers, 1 epoch, Adam peak lr 1e-3 after 20 warm-up
     * steps then linear decay, weight decay 0.01 (Google BERT), seed 12345. Measured with BertSparkTrainer on the
     * pipeline's IMDB/WikiText/Moby-Dick instances (3,200 instances, 100 steps per worker): peak 5e-4 reached 24%
     * below the untrained held-out MLM loss, 1e-3 28%, 2e-3 diverged after the warm-up (held-out loss rising back to
     * its initial value). Turc et al. 2019 use 1e-4..1e-3.
     */
    public static BertTrainingConfig defaults() {
        return new BertTrainingConfig(16, 10, 2, 1, 1e-3, 0.01, 20, 12345L);
    }
}
