package dev.pretrain.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pretrain.jobs.spark.SparkSessions;

/**
 * train-bert's {@code max_train_examples} subset must not depend on how the same instances lie in the example shards
 * (issue 20: a resumed pipeline's examples-mlm wrote the same rows in another order and BERT trained on another
 * subset).
 */
class BertExamplesLimitTest {
    @TempDir
    Path dir;

    @Test
    void theLimitedSubsetDependsOnTheRowsNotOnTheirShardsOrOrder() {
        SparkSession spark = SparkSessions.getOrCreate("bert-examples-limit", "local[2]");
        StructType schema = new StructType()
                .add("input_ids", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("input_mask", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("segment_ids", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("masked_lm_positions", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("masked_lm_ids", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("masked_lm_weights", DataTypes.createArrayType(DataTypes.FloatType))
                .add("next_sentence_labels", DataTypes.IntegerType);
        Random rnd = new Random(20);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            List<Integer> ids = List.of(2, 5 + rnd.nextInt(100), 5 + rnd.nextInt(100), 3);
            rows.add(RowFactory.create(ids.toArray(), new Integer[] {1, 1, 1, 1}, new Integer[] {0, 0, 0, 0},
                    new Integer[] {1}, new Integer[] {ids.get(1)}, new Float[] {1f}, i % 2));
        }
        List<Row> reversed = new ArrayList<>(rows);
        java.util.Collections.reverse(reversed);
        Dataset<Row> a = spark.createDataFrame(rows, schema);
        Dataset<Row> b = spark.createDataFrame(reversed, schema);
        String da = dir.resolve("a").toString();
        String db = dir.resolve("b").toString();
        a.repartition(1).write().parquet(da);   // one shard, original order
        b.repartition(4).write().parquet(db);   // four shards of other sizes, other order
        List<String> la = BertStage.readExamples(spark, da, 50).collectAsList().stream().map(Row::toString).toList();
        List<String> lb = BertStage.readExamples(spark, db, 50).collectAsList().stream().map(Row::toString).toList();
        assertEquals(50, la.size());
        assertEquals(la, lb, "the same 50 instances in the same order");
        // and not simply the first rows of the input
        List<String> first = rows.subList(0, 50).stream().map(r -> r.toString()).toList();
        assertNotEquals(first, la);
        assertEquals(300, BertStage.readExamples(spark, db, 0).count(), "no limit: every instance");
    }
}
