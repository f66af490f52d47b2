package dev.pretrain.model.rounds;

import java.io.Serializable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionPruningRDD;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Some partitions of an RDD, the others not read (Spark's {@link PartitionPruningRDD}): what lets an averaging
 * round read only its own part of a laid-out epoch.
 */
public final class PrunedPartitions {
    private PrunedPartitions() {
    }

    /**
     * The partitions {@code keep} of {@code rdd}: partition {@code i} of the result is partition {@code keep[i]} of
     * {@code rdd} (ascending {@code keep}), so a persisted parent is read from its cache.
     *
     * @param rdd  the laid-out data, ideally persisted
     * @param keep partition indices of {@code rdd}, ascending
     * @param type the element class
     */
    public static <T> JavaRDD<T> keep(JavaRDD<T> rdd, int[] keep, Class<T> type) {
        ClassTag<T> tag = ClassTag$.MODULE$.apply(type);
        return JavaRDD.fromRDD(PartitionPruningRDD.create(rdd.rdd(), new Keep(keep)), tag);
    }

    /** Partition filter of {@link PartitionPruningRDD}: keeps the listed partitions. */
    private static final class Keep extends AbstractFunction1<Object, Object> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int[] keep;

        Keep(int[] keep) {
            this.keep = keep.clone();
        }

        @Override
        public Object apply(Object partition) {
            int p = (Integer) partition;
            for (int k : keep) if (k == p) return Boolean.TRUE;
            return Boolean.FALSE;
        }
    }
}
