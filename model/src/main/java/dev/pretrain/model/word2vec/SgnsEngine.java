package dev.pretrain.model.word2vec;

import java.util.List;
import java.util.Locale;

/**
 * One SGNS training pass with the contract of {@link SgnsTrainer#train}, so that callers (the benchmark, the
 * Spark parameter averaging) can pick the engine by name:
 * <ul>
 *   <li>{@code java}: {@link SgnsTrainer}, the plain-Java word2vec C kernel (Hogwild over {@code config.threads()});</li>
 *   <li>{@code nd4j}: {@link Nd4jSgnsTrainer}, batched ND4J ops (nd4j-native on CPU, nd4j-cuda on GPU),
 *       {@link Nd4jSgnsTrainer#DEFAULT_BATCH_PAIRS} pairs per batch; {@code nd4j:B} for {@code B} pairs.</li>
 * </ul>
 */
@FunctionalInterface
public interface SgnsEngine {
    /** Engine names accepted by {@link #of}. */
    List<String> NAMES = List.of("java", "nd4j");

    /**
     * Trains {@code weights} in place for one pass; see {@link SgnsTrainer#train} for the parameters.
     *
     * @return words processed (sum of sentence lengths, before subsampling)
     */
    long train(SgnsWeights weights, List<int[]> sentences, double alphaStart, double alphaEnd, long expectedWords,
               long seed);

    /**
     * The engine called {@code name} ({@code java}, {@code nd4j} or {@code nd4j:B} with B pairs per batch;
     * case-insensitive) for these hyper-parameters and word counts.
     *
     * @throws IllegalArgumentException for an unknown name, a bad batch size, or invalid counts (see
     *                                  {@link SgnsTrainer})
     */
    static SgnsEngine of(String name, SgnsConfig config, long[] wordCounts) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("java")) return new SgnsTrainer(config, wordCounts)::train;
        if (n.equals("nd4j")) return new Nd4jSgnsTrainer(config, wordCounts)::train;
        if (n.startsWith("nd4j:")) {
            int b;
            try {
                b = Integer.parseInt(n.substring(5));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad batch size in SGNS engine '" + name + "' (expected nd4j:B)");
            }
            return new Nd4jSgnsTrainer(config, wordCounts, b)::train;
        }
        throw new IllegalArgumentException("unknown SGNS engine '" + name + "', expected one of " + NAMES
                + " or nd4j:B");
    }
}
