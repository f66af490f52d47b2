package dev.pretrain.model.word2vec;

import java.io.Serializable;

/**
 * Rows of one block of one SGNS matrix, as shipped in a round of {@link ParameterAveragedSgns}: either one worker's
 * rows that changed in the round ({@code partition} = the worker's Spark partition, {@code words} = words it
 * trained) or the round's words-weighted mean of those rows ({@code partition} = {@link #MERGED}, {@code words} =
 * all workers' words). {@code rows} are ascending row ids (word ids) inside the block; {@code values} holds their
 * float32 rows, {@code float32 [rows.length, dim]} row-major. See {@link RowBlockExchange} for the layout.
 *
 * <p>A plain class, not a record: Spark's Kryo 4 field serializer cannot rebuild records. Not copied: the arrays
 * are the caller's.
 */
public final class RowBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    /** {@link #partition()} of a merged block. */
    public static final int MERGED = -1;

    private final int matrix;
    private final int block;
    private final int partition;
    private final long words;
    private final int[] rows;
    private final float[] values;
    private final long sourceRows;

    /**
     * @param matrix     0 = syn0, 1 = syn1neg
     * @param block      block index within the matrix
     * @param partition  worker partition, or {@link #MERGED}
     * @param words      words trained by the worker (merged: by all workers), &gt;= 0
     * @param rows       ascending row ids
     * @param values     {@code rows.length * dim} floats
     * @param sourceRows rows the workers shipped for this block (a worker's block: {@code rows.length})
     * @throws IllegalArgumentException on a bad matrix, negative words, or {@code values.length} not a multiple of
     *                                  {@code rows.length}
     */
    public RowBlock(int matrix, int block, int partition, long words, int[] rows, float[] values, long sourceRows) {
        if (matrix != 0 && matrix != 1) throw new IllegalArgumentException("matrix must be 0 (syn0) or 1 (syn1neg), got " + matrix);
        if (words < 0) throw new IllegalArgumentException("words must be >= 0, got " + words);
        if (rows.length == 0 ? values.length != 0 : values.length % rows.length != 0) {
            throw new IllegalArgumentException(values.length + " values for " + rows.length + " rows");
        }
        this.matrix = matrix;
        this.block = block;
        this.partition = partition;
        this.words = words;
        this.rows = rows;
        this.values = values;
        this.sourceRows = sourceRows;
    }

    /** 0 = syn0, 1 = syn1neg. */
    public int matrix() { return matrix; }

    public int block() { return block; }

    /** The worker's Spark partition, or {@link #MERGED}. */
    public int partition() { return partition; }

    /** Words the worker trained (merged: all workers). */
    public long words() { return words; }

    /** Ascending row ids; live. */
    public int[] rows() { return rows; }

    /** {@code float32 [rows.length, dim]}; live. */
    public float[] values() { return values; }

    /** Rows the workers shipped for this block (before the merge). */
    public long sourceRows() { return sourceRows; }

    /** Payload bytes: 4 per row id and per value. */
    public long payloadBytes() { return 4L * rows.length + 4L * values.length; }
}
