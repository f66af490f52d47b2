package dev.pretrain.model.eval;

import java.util.Map;

/**
 * Outcome of the word-analogy test.
 *
 * @param correct            questions whose top prediction equals the 4th word
 * @param evaluated          questions whose 4 words are all in the restricted vocabulary
 * @param total              all questions in the file
 * @param accuracy           {@code correct / evaluated} (0 if nothing was evaluated)
 * @param semanticAccuracy   accuracy over sections whose name does not start with {@code gram}
 * @param syntacticAccuracy  accuracy over the {@code gram*} sections
 * @param perSection         section name (without {@code ": "}) to {@code {correct, evaluated, total, accuracy}},
 *                           in file order
 */
public record AnalogyResult(long correct, long evaluated, long total, double accuracy, double semanticAccuracy,
                            double syntacticAccuracy, Map<String, double[]> perSection) {
}
