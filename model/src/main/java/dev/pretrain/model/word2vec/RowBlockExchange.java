package dev.pretrain.model.word2vec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The sparse exchange of one round of {@link ParameterAveragedSgns}, without Spark: how the rows of syn0 and syn1neg
 * ({@code float32 [vocabSize, dim]} each) are cut into row blocks, which rows a worker ships
 * ({@link #changedRows}), how one block's worker rows are merged into the round's words-weighted mean
 * ({@link #merge}), and how the merged blocks are grouped into Spark reduce partitions and driver jobs so that no
 * single serialized object or job result outgrows the session's limits.
 *
 * <p><b>Keys.</b> Matrix {@code m} (0 = syn0, 1 = syn1neg) is cut into {@link #blocksPerMatrix()} blocks of
 * {@link #rowsPerBlock()} consecutive rows; block {@code b} of matrix {@code m} has key
 * {@code m * blocksPerMatrix + b}. Every worker ships one {@link RowBlock} per key (an empty one when none of its
 * rows changed, so that every block knows every worker's words); reduce partition {@code key / blocksPerPartition}
 * merges it; the driver fetches {@link #jobs()} (groups of reduce partitions) one Spark job at a time.
 *
 * <p><b>Equality with the dense average.</b> The dense path averaged whole copies with {@link ParameterAverager}s
 * merged by a binary tree over partition indices (partition {@code 2j} with {@code 2j + 1}, level by level, the
 * running mean {@code mean += (x - mean) * (float) (w / W)}). {@link #merge} runs the same float operations in the
 * same order per element, with a worker's unchanged rows taken from the round's start weights (which is what
 * its dense copy held there): the merged rows are bit for bit the dense mean's rows, and every row no worker
 * changed equals the start row, as in the dense mean. Workers ship their rows' new values rather than
 * {@code after - before}: the same bytes, and no rounding of a difference.
 *
 * <p>Sizes: a row costs {@code 4 * (dim + 1)} bytes (float32 values and an int id). From the per-object limit
 * {@code L} (Kryo's {@code spark.kryoserializer.buffer.max}, which bounds one serialized task result, and
 * {@code spark.driver.maxResultSize}) and the per-job limit {@code J} ({@code spark.driver.maxResultSize}): a reduce
 * partition holds at most {@code min(64 MiB, L / 4)} of rows, a block at most {@code min(8 MiB, that)}, a driver
 * job at most {@code min(256 MiB, J / 2)}, counting every row as changed (the worst case). Immutable and
 * serializable (it travels in the tasks' closures).
 */
public final class RowBlockExchange implements Serializable {
    private static final long serialVersionUID = 1L;

    static final long MAX_BLOCK_BYTES = 8L << 20;
    static final long MAX_PARTITION_BYTES = 64L << 20;
    static final long MAX_JOB_BYTES = 256L << 20;

    private final int vocabSize;
    private final int dim;
    private final int rowsPerBlock;
    private final int blocksPerMatrix;
    private final int blocksPerPartition;
    private final int partitionsPerJob;

    /**
     * @param vocabSize          rows per matrix, &gt; 0
     * @param dim                floats per row, &gt; 0
     * @param rowsPerBlock       rows per block, &gt; 0
     * @param blocksPerPartition keys per reduce partition, &gt; 0
     * @param partitionsPerJob   reduce partitions per driver job, &gt; 0
     * @throws IllegalArgumentException on a size that is not positive (or a shape beyond a Java array)
     */
    public RowBlockExchange(int vocabSize, int dim, int rowsPerBlock, int blocksPerPartition, int partitionsPerJob) {
        SgnsWeights.checkShape(vocabSize, dim);
        if (rowsPerBlock <= 0) throw new IllegalArgumentException("rowsPerBlock must be > 0, got " + rowsPerBlock);
        if (blocksPerPartition <= 0) throw new IllegalArgumentException("blocksPerPartition must be > 0, got " + blocksPerPartition);
        if (partitionsPerJob <= 0) throw new IllegalArgumentException("partitionsPerJob must be > 0, got " + partitionsPerJob);
        this.vocabSize = vocabSize;
        this.dim = dim;
        this.rowsPerBlock = Math.min(rowsPerBlock, vocabSize);
        this.blocksPerMatrix = (int) ((vocabSize + (long) this.rowsPerBlock - 1) / this.rowsPerBlock);
        this.blocksPerPartition = blocksPerPartition;
        this.partitionsPerJob = partitionsPerJob;
    }

    /**
     * The layout for the session's limits (see the class comment).
     *
     * @param objectLimitBytes largest serialized task result allowed (Kryo's buffer.max; also maxResultSize), &gt; 0
     * @param jobLimitBytes    largest sum of task results of one job ({@code spark.driver.maxResultSize}), &gt; 0
     * @throws IllegalArgumentException on a non-positive size or limit
     */
    public static RowBlockExchange forLimits(int vocabSize, int dim, long objectLimitBytes, long jobLimitBytes) {
        SgnsWeights.checkShape(vocabSize, dim);
        if (objectLimitBytes <= 0 || jobLimitBytes <= 0) {
            throw new IllegalArgumentException("limits must be > 0, got " + objectLimitBytes + ", " + jobLimitBytes);
        }
        long rowBytes = 4L * (dim + 1);
        long partitionBytes = Math.max(rowBytes, Math.min(MAX_PARTITION_BYTES, Math.min(objectLimitBytes, jobLimitBytes) / 4));
        long blockBytes = Math.min(MAX_BLOCK_BYTES, partitionBytes);
        int rows = (int) Math.max(1, Math.min(vocabSize, blockBytes / rowBytes));
        long realBlockBytes = rows * rowBytes;
        int blocksPerPartition = (int) Math.max(1, partitionBytes / realBlockBytes);
        long jobBytes = Math.max(partitionBytes, Math.min(MAX_JOB_BYTES, jobLimitBytes / 2));
        int partitionsPerJob = (int) Math.max(1, Math.min(Integer.MAX_VALUE, jobBytes / (blocksPerPartition * realBlockBytes)));
        return new RowBlockExchange(vocabSize, dim, rows, blocksPerPartition, partitionsPerJob);
    }

    public int vocabSize() { return vocabSize; }

    public int dim() { return dim; }

    public int rowsPerBlock() { return rowsPerBlock; }

    public int blocksPerMatrix() { return blocksPerMatrix; }

    /** Keys (blocks of both matrices): {@code 2 * blocksPerMatrix}. */
    public int keys() { return 2 * blocksPerMatrix; }

    /** The key of block {@code block} of {@code matrix}. */
    public int key(int matrix, int block) { return matrix * blocksPerMatrix + block; }

    /** Reduce partitions: {@code ceil(keys / blocksPerPartition)}. */
    public int reducePartitions() { return (keys() + blocksPerPartition - 1) / blocksPerPartition; }

    /** The reduce partition of {@code key}. */
    public int reducePartitionOf(int key) { return key / blocksPerPartition; }

    /** The driver's jobs: consecutive reduce partition ids, at most {@code partitionsPerJob} per job. */
    public List<int[]> jobs() {
        List<int[]> jobs = new ArrayList<>();
        int n = reducePartitions();
        for (int from = 0; from < n; from += partitionsPerJob) {
            int[] ids = new int[Math.min(partitionsPerJob, n - from)];
            for (int i = 0; i < ids.length; i++) ids[i] = from + i;
            jobs.add(ids);
        }
        return jobs;
    }

    /** Payload bytes if every row of both matrices were shipped once. */
    public long denseBytes() { return 2L * vocabSize * 4L * (dim + 1); }

    /**
     * One worker's shipment: for every key in order, the rows of {@code after} that differ from {@code before}
     * (any bit, {@link Arrays#mismatch(float[], int, int, float[], int, int)}), with their values in {@code after}.
     * Lazy: a block is built when the iterator reaches it, so the worker holds one block at a time.
     *
     * @param before    the round's start weights
     * @param after     the worker's trained copy, or null when it trained nothing (empty blocks)
     * @param partition the worker's partition index
     * @param words     words it trained (the weight of its rows)
     * @throws IllegalArgumentException if a shape differs from this layout's
     */
    public Iterator<RowBlock> changedRows(SgnsWeights before, SgnsWeights after, int partition, long words) {
        check(before);
        if (after != null) check(after);
        return new Iterator<>() {
            private int key;
            private final int[] ids = new int[rowsPerBlock];

            @Override
            public boolean hasNext() { return key < keys(); }

            @Override
            public RowBlock next() {
                if (!hasNext()) throw new NoSuchElementException();
                int matrix = key / blocksPerMatrix, block = key % blocksPerMatrix;
                key++;
                if (after == null) return new RowBlock(matrix, block, partition, words, new int[0], new float[0], 0);
                float[] b = matrix == 0 ? before.syn0() : before.syn1neg();
                float[] a = matrix == 0 ? after.syn0() : after.syn1neg();
                int lo = block * rowsPerBlock, hi = Math.min(vocabSize, lo + rowsPerBlock);
                int n = 0;
                for (int r = lo; r < hi; r++) {
                    int off = r * dim;
                    if (Arrays.mismatch(b, off, off + dim, a, off, off + dim) >= 0) ids[n++] = r;
                }
                int[] rows = Arrays.copyOf(ids, n);
                float[] values = new float[n * dim];
                for (int i = 0; i < n; i++) System.arraycopy(a, rows[i] * dim, values, i * dim, dim);
                return new RowBlock(matrix, block, partition, words, rows, values, n);
            }
        };
    }

    /**
     * The words-weighted mean of one block over all {@code partitions} workers, as the dense average computes it
     * (see the class comment): for every row that some worker changed, each worker contributes its shipped row,
     * or the start row when it did not change it, with its words as weight; rows no worker changed are left out
     * (their mean is the start row).
     *
     * @param contributions one block from each partition {@code 0..partitions-1}, same matrix and block, any order
     * @param partitions    the number of workers (Spark partitions of the sentences)
     * @param before        the round's start weights (what the workers trained from)
     * @return the merged block ({@link RowBlock#MERGED}), {@code words} = the workers' total
     * @throws IllegalStateException if a partition's block is missing or duplicated, or blocks disagree on the key
     * @throws ArithmeticException   if the words overflow a long
     */
    public RowBlock merge(Iterable<RowBlock> contributions, int partitions, SgnsWeights before) {
        check(before);
        RowBlock[] byPart = new RowBlock[partitions];
        int matrix = -1, block = -1;
        for (RowBlock c : contributions) {
            if (matrix < 0) {
                matrix = c.matrix();
                block = c.block();
            } else if (c.matrix() != matrix || c.block() != block) {
                throw new IllegalStateException("row block (" + c.matrix() + ", " + c.block()
                        + ") merged with block (" + matrix + ", " + block + ")");
            }
            int p = c.partition();
            if (p < 0 || p >= partitions) {
                throw new IllegalStateException("row block from partition " + p + ", expected 0.." + (partitions - 1));
            }
            if (byPart[p] != null) throw new IllegalStateException("two row blocks from partition " + p);
            byPart[p] = c;
        }
        if (matrix < 0) throw new IllegalStateException("no row block to merge");
        long total = 0, source = 0;
        for (int p = 0; p < partitions; p++) {
            if (byPart[p] == null) {
                throw new IllegalStateException("row block (" + matrix + ", " + block + "): partition " + p + " sent none");
            }
            total = Math.addExact(total, byPart[p].words());
            source += byPart[p].rows().length;
        }
        int[] union = union(byPart);
        float[] start = matrix == 0 ? before.syn0() : before.syn1neg();
        float[] out = new float[union.length * dim];
        float[][] node = new float[partitions][dim];
        long[] weight = new long[partitions];
        int[] next = new int[partitions];
        for (int u = 0; u < union.length; u++) {
            int row = union[u];
            for (int p = 0; p < partitions; p++) {
                RowBlock c = byPart[p];
                boolean shipped = next[p] < c.rows().length && c.rows()[next[p]] == row;
                weight[p] = c.words();
                if (shipped) System.arraycopy(c.values(), next[p]++ * dim, node[p], 0, dim);
                else System.arraycopy(start, row * dim, node[p], 0, dim);
            }
            treeMean(node, weight, partitions);
            System.arraycopy(node[0], 0, out, u * dim, dim);
        }
        return new RowBlock(matrix, block, RowBlock.MERGED, total, union, out, source);
    }

    /**
     * The words-weighted mean of {@code node[0..n)} (weights {@code weight}) into {@code node[0]}, by
     * {@link ParameterAverager}'s running mean over a binary tree of indices: {@code 2j} with {@code 2j + 1}, level
     * by level while more than 2 remain, then the last two. Node arrays are swapped, not copied.
     */
    static void treeMean(float[][] node, long[] weight, int n) {
        int m = n;
        while (m > 2) {
            int next = (m + 1) / 2;
            for (int j = 0; j < next; j++) {
                int a = 2 * j, b = a + 1;
                if (b < m) weight[a] = combine(node[a], weight[a], node[b], weight[b]);
                float[] t = node[j];
                node[j] = node[a];
                node[a] = t;
                weight[j] = weight[a];
            }
            m = next;
        }
        if (m == 2) weight[0] = combine(node[0], weight[0], node[1], weight[1]);
    }

    /** {@link ParameterAverager#merge}'s step on one row: the weighted running mean of {@code acc} and {@code x}. */
    private static long combine(float[] acc, long accWeight, float[] x, long xWeight) {
        if (xWeight == 0) return accWeight;
        long total = Math.addExact(accWeight, xWeight);
        if (accWeight == 0) {
            System.arraycopy(x, 0, acc, 0, acc.length);
        } else {
            final float f = (float) ((double) xWeight / (double) total);
            for (int i = 0; i < acc.length; i++) acc[i] += (x[i] - acc[i]) * f;
        }
        return total;
    }

    /** Ascending union of the blocks' row ids (each block's ids ascending). */
    private static int[] union(RowBlock[] blocks) {
        int n = 0;
        for (RowBlock b : blocks) n += b.rows().length;
        int[] all = new int[n];
        int k = 0;
        for (RowBlock b : blocks) {
            System.arraycopy(b.rows(), 0, all, k, b.rows().length);
            k += b.rows().length;
        }
        Arrays.sort(all);
        int u = 0;
        for (int i = 0; i < n; i++) if (u == 0 || all[i] != all[u - 1]) all[u++] = all[i];
        return Arrays.copyOf(all, u);
    }

    private void check(SgnsWeights w) {
        if (w.vocabSize() != vocabSize || w.dim() != dim) {
            throw new IllegalArgumentException("weights shape [" + w.vocabSize() + ", " + w.dim()
                    + "] != exchange shape [" + vocabSize + ", " + dim + "]");
        }
    }
}
