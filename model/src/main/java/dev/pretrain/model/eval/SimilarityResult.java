package dev.pretrain.model.eval;

/**
 * @param spearman   Spearman rank correlation of cosine similarity vs. human score over the pairs used
 *                   (NaN if fewer than 2 pairs were used)
 * @param pairsUsed  pairs whose two words are both in the vocabulary
 * @param pairsTotal pairs in the file
 */
public record SimilarityResult(double spearman, int pairsUsed, int pairsTotal) {
}
