import org.apache.spark.sql.SparkSession;

/** Writes the first N instances of an ExamplesStage parquet folder as one JSON-lines file (Spark's JSON writer). */
public class DumpInstances {
    public static void main(String[] a) {
        SparkSession s = SparkSession.builder().master("local[2]").appName("dump-instances").getOrCreate();
        for (int i = 0; i + 2 < a.length; i += 3) {
            s.read().parquet(a[i]).select("input_ids", "input_mask", "segment_ids", "masked_lm_positions",
                    "masked_lm_ids", "masked_lm_weights", "next_sentence_labels")
                    .limit(Integer.parseInt(a[i + 2])).coalesce(1).write().mode("overwrite").json(a[i + 1]);
        }
        s.stop();
    }
}
