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
     * Defaults for small models on a few cores: batch 32 per worker, averaging every 5 minibatches, 2 workers,
     * 1 epoch, Adam lr 1e-3 (Turc et al. 2019 use 1e-4..1e-3 for compact models; higher is needed for short runs),
     * weight decay 0.01 (Google BERT), 20 warm-up steps, seed 12345.
     */
    public static BertTrainingConfig defaults() {
        return new BertTrainingConfig(32, 5, 2, 1, 1e-3, 0.01, 20, 12345L);
    }
}
