package dev.pretrain.jobs.stages;

import java.io.Serializable;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

import scala.Tuple2;

import dev.pretrain.jobs.stages.FineTuneStage.Labelled;

/**
 * The row logic of {@code finetune}, run inside Spark tasks: label parsing and validation, and the choice of evenly
 * spaced rows, from per-partition row counts (so that no task needs another partition's rows and the driver never
 * sees a row).
 *
 * <p>A file's rows are numbered in file order: {@code row} counts every data row from 1 (the header excluded), the
 * split index counts from 0 the rows of the kept split. {@code rowOffsets[p]} and {@code splitOffsets[p]} are the
 * numbers of rows, and of split rows, in the partitions before {@code p}.
 */
final class LabelledRows implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Integer> LABELS = Map.of("0", 0, "1", 1, "neg", 0, "pos", 1);

    private final String path;
    private final String task;
    private final String split;
    private final long[] rowOffsets;
    private final long[] splitOffsets;
    private final long splitRows;
    private final long max;

    /**
     * @param split     the split kept (imdb), or null for every row
     * @param rowCounts per partition: data rows
     * @param splitCounts per partition: rows of the split
     * @param max       at most this many rows kept, spread evenly; 0 = all
     */
    LabelledRows(String path, String task, String split, long[] rowCounts, long[] splitCounts, long max) {
        this.path = path;
        this.task = task;
        this.split = split;
        this.rowOffsets = offsets(rowCounts);
        this.splitOffsets = offsets(splitCounts);
        this.splitRows = splitOffsets[splitCounts.length];
        this.max = max;
    }

    private static long[] offsets(long[] counts) {
        long[] o = new long[counts.length + 1];
        for (int i = 0; i < counts.length; i++) o[i + 1] = o[i] + counts[i];
        return o;
    }

    /** Rows of the split. */
    long splitRows() {
        return splitRows;
    }

    /** Rows kept: {@code min(splitRows, max)} (all with max 0). */
    long selected() {
        return max <= 0 || splitRows <= max ? splitRows : max;
    }

    /**
     * The place among the kept rows of split row {@code index} of {@code rows}, or -1 if it is not kept: the kept rows
     * are {@code floor(i * rows / max)} for {@code i = 0 .. max-1} (every row if {@code max} is 0 or at least
     * {@code rows}), and row {@code floor(i * rows / max)} has place {@code i}.
     */
    static long spreadPosition(long index, long rows, long max) {
        if (max <= 0 || rows <= max) return index;
        // i = ceil(index * max / rows) is the least i with floor(i * rows / max) >= index
        long i = (Math.multiplyExact(index, max) + rows - 1) / rows;
        return i < max && Math.multiplyExact(i, rows) < Math.multiplyExact(index + 1, max) ? i : -1;
    }

    /**
     * A row's text and class.
     *
     * @param row the data row's number in the file (1 = first row after the header), for the error message
     * @throws IllegalArgumentException naming the file, the row and the label if the label is not 0/1 or neg/pos
     */
    static Labelled parse(String path, String task, long row, String text, String label) {
        Integer y = LABELS.get(label == null ? "" : label.strip());
        if (y == null) {
            throw new IllegalArgumentException(path + ": row " + row + ": label '" + label
                    + "' is not 0/1 or neg/pos");
        }
        if (text == null) text = "";
        return new Labelled(task.equals("imdb") ? text.replaceAll("<br\\s*/?>", " ") : text, y);
    }

    /**
     * The kept rows of partition {@code partition}, keyed by their place among the kept rows, in file order; every
     * row of the split is parsed (a bad label fails even where the row is not kept).
     *
     * @param rows the partition's rows as {@code {text, label, split}} ({@code split} only when a split is kept)
     */
    Iterator<Tuple2<Long, Labelled>> select(int partition, Iterator<String[]> rows) {
        return new Iterator<>() {
            long row = rowOffsets[partition];
            long index = splitOffsets[partition];
            Tuple2<Long, Labelled> next;

            @Override
            public boolean hasNext() {
                while (next == null && rows.hasNext()) {
                    String[] r = rows.next();
                    row++;
                    if (split != null && !split.equals(r[2])) continue;
                    Labelled l = parse(path, task, row, r[0], r[1]);
                    long place = spreadPosition(index++, splitRows, max);
                    if (place >= 0) next = new Tuple2<>(place, l);
                }
                return next != null;
            }

            @Override
            public Tuple2<Long, Labelled> next() {
                if (!hasNext()) throw new NoSuchElementException();
                Tuple2<Long, Labelled> t = next;
                next = null;
                return t;
            }
        };
    }
}
