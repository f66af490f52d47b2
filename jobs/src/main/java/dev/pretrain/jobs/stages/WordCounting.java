package dev.pretrain.jobs.stages;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import dev.pretrain.corpus.tokenize.BasicTokenizer;
import scala.Tuple2;

/**
 * Distributed word counts (64-bit) over the sentences of document shards, with BERT's basic
 * tokenizer as the word splitter: each task pre-aggregates its words in a hash map, then one
 * shuffle sums them. The driver never sees more than the final (word, count) pairs it asks for.
 */
public final class WordCounting {
    private WordCounting() {}

    /** (word, count) over the {@code sentences} column of {@code documents}. */
    public static JavaPairRDD<String, Long> count(Dataset<Row> documents, boolean lowercase) {
        return documents.select("sentences").javaRDD()
                .mapPartitionsToPair(rows -> countPartition(rows, new BasicTokenizer(lowercase)))
                .reduceByKey(Long::sum);
    }

    private static Iterator<Tuple2<String, Long>> countPartition(Iterator<Row> rows, BasicTokenizer tokenizer) {
        Map<String, long[]> counts = new HashMap<>();
        while (rows.hasNext()) {
            List<String> sentences = rows.next().getList(0);
            for (String s : sentences) {
                for (String w : tokenizer.tokenize(s)) {
                    counts.computeIfAbsent(w, k -> new long[1])[0]++;
                }
            }
        }
        List<Tuple2<String, Long>> out = new ArrayList<>(counts.size());
        counts.forEach((w, c) -> out.add(new Tuple2<>(w, c[0])));
        return out.iterator();
    }

    /** Collects the counts of words seen at least {@code minCount} times to the driver. */
    public static Map<String, Long> collect(JavaPairRDD<String, Long> counts, long minCount) {
        Map<String, Long> out = new HashMap<>();
        for (Tuple2<String, Long> t : counts.filter(t -> t._2() >= minCount).collect()) {
            out.put(t._1(), t._2());
        }
        return out;
    }
}
