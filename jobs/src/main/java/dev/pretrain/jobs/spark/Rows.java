package dev.pretrain.jobs.spark;

import java.util.List;

import org.apache.spark.sql.Row;

import scala.collection.Seq;

/** Conversions between Spark SQL rows and the primitive arrays of the plain-Java stages. */
public final class Rows {
    private Rows() {}

    /** An {@code array<int>} column as int[]. */
    public static int[] ints(Row row, int field) {
        List<Integer> l = row.getList(field);
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }

    /** An {@code array<float>} column as float[]. */
    public static float[] floats(Row row, int field) {
        List<Float> l = row.getList(field);
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }

    /** An {@code array<array<int>>} column as int[][]. */
    public static int[][] intArrays(Row row, int field) {
        List<Object> outer = row.getList(field);
        int[][] a = new int[outer.size()][];
        for (int i = 0; i < a.length; i++) {
            Object inner = outer.get(i);
            if (inner instanceof Seq<?> seq) {
                int n = seq.length();
                int[] b = new int[n];
                for (int j = 0; j < n; j++) {
                    b[j] = (Integer) seq.apply(j);
                }
                a[i] = b;
            } else if (inner instanceof List<?> list) {
                int[] b = new int[list.size()];
                for (int j = 0; j < b.length; j++) {
                    b[j] = (Integer) list.get(j);
                }
                a[i] = b;
            } else {
                throw new IllegalArgumentException("not an array<array<int>> column: " + row.schema().fields()[field]);
            }
        }
        return a;
    }

    /** int[] as a boxed array Spark SQL accepts for {@code array<int>}. */
    public static Integer[] boxed(int[] a) {
        Integer[] b = new Integer[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }

    /** float[] as a boxed array Spark SQL accepts for {@code array<float>}. */
    public static Float[] boxed(float[] a) {
        Float[] b = new Float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }
}
