package dev.pretrain.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import scala.Tuple2;

import dev.pretrain.jobs.SharedData;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.SparkSessions;
import dev.pretrain.model.bert.BertExample;
import dev.pretrain.model.bert.BertSequenceClassification;

/** finetune chooses, tokenizes and orders its examples on the executors and streams them to the driver. */
class FineTuneStreamingTest {
    @TempDir Path tmp;

    @Test
    void spreadPositionKeepsTheRowsOfSpreadInItsOrder() {
        for (int n = 1; n <= 60; n++) {
            List<FineTuneStage.Labelled> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) rows.add(new FineTuneStage.Labelled(Integer.toString(i), 0));
            for (int max = 0; max <= 70; max++) {
                List<FineTuneStage.Labelled> spread = FineTuneStage.spread(rows, max);
                long[] placeOf = new long[n];
                java.util.Arrays.fill(placeOf, -1);
                for (int place = 0; place < spread.size(); place++) {
                    placeOf[Integer.parseInt(spread.get(place).text())] = place;
                }
                for (int i = 0; i < n; i++) {
                    assertEquals(placeOf[i], LabelledRows.spreadPosition(i, n, max), "n=" + n + " max=" + max + " i=" + i);
                }
            }
        }
        // large files: no overflow, the last kept row is the last spread one
        long rows = 3_000_000_000L;
        assertEquals(999, LabelledRows.spreadPosition(999L * rows / 1000, rows, 1000));
        assertEquals(-1, LabelledRows.spreadPosition(999L * rows / 1000 + 1, rows, 1000));
    }

    @Test
    void aBadLabelNamesTheFileAndRowEvenWhereTheRowIsNotKept() throws IOException {
        SparkSession spark = SparkSessions.getOrCreate("test", "local[2]");
        Path bad = Files.writeString(tmp.resolve("labels.tsv"),
                "sentence\tlabel\na\t1\nb\t0\nc\t1\nodd\tmaybe\ne\t0\n");
        // max 2 keeps data rows 1 and 3 (indices 0 and 2); the bad label is on row 4
        JavaPairRDD<Long, FineTuneStage.Labelled> rows = FineTuneStage.rows(spark, "sst2", bad.toString(), null, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuneStage.materialize(rows));
        assertTrue(e.getMessage().contains("labels.tsv") && e.getMessage().contains("row 4")
                && e.getMessage().contains("'maybe'"), e.getMessage());
        Path good = Files.writeString(tmp.resolve("good.tsv"), "sentence\tlabel\na\t1\nb\t0\nc\t1\nd\t0\ne\t0\n");
        List<Tuple2<Long, FineTuneStage.Labelled>> kept = FineTuneStage.rows(spark, "sst2", good.toString(), null, 2)
                .sortByKey().collect();
        assertEquals(List.of(new Tuple2<>(0L, new FineTuneStage.Labelled("a", 1)),
                new Tuple2<>(1L, new FineTuneStage.Labelled("c", 1))), kept);
    }

    @Test
    void streamsTheEpochOrderInBoundedBlocksWhateverThePartitioning() {
        SparkSession spark = SparkSessions.getOrCreate("test", "local[2]");
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int n = 2 * FineTuneStage.STREAM_BLOCK + 300;
        List<BertExample> examples = new ArrayList<>();
        List<Tuple2<Long, BertExample>> keyed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BertExample e = new BertExample(new int[] {i}, new int[] {1}, new int[1], new int[1], new int[1],
                    new float[1], i % 2);
            examples.add(e);
            keyed.add(new Tuple2<>((long) i, e));
        }
        List<Integer> expected = ids(BertSequenceClassification.epochOrder(examples, 5, 1).iterator());
        Collections.shuffle(keyed, new Random(3)); // the input's order and partitioning must not matter
        for (int partitions : new int[] {1, 3, 7}) {
            JavaPairRDD<Long, BertExample> rdd = jsc.parallelizePairs(keyed, partitions);
            assertEquals(expected, ids(FineTuneStage.epochStream(rdd, n, 5, 1)), partitions + " partitions");
            List<Integer> sizes = FineTuneStage.blocks(FineTuneStage.epochOrder(rdd, n, 5, 1), n).glom()
                    .map(List::size).collect();
            assertEquals(List.of(FineTuneStage.STREAM_BLOCK, FineTuneStage.STREAM_BLOCK, 300), sizes);
            // evaluation: place order
            List<Integer> inOrder = ids(FineTuneStage.stream(rdd, n));
            for (int i = 0; i < n; i++) assertEquals(i, inOrder.get(i));
        }
        assertTrue(!expected.equals(ids(FineTuneStage.epochStream(jsc.parallelizePairs(keyed, 2), n, 5, 2))),
                "another epoch, another order");
    }

    private static List<Integer> ids(Iterator<BertExample> it) {
        List<Integer> out = new ArrayList<>();
        it.forEachRemaining(e -> out.add(e.inputIds()[0]));
        return out;
    }

    /**
     * A 7 MB labelled TSV (SST-2's training rows twice) under {@code spark.driver.maxResultSize=1m}: collecting its
     * rows fails, the stage (which never collects them) completes.
     */
    @Test
    void fineTunesAFileLargerThanTheDriversResultLimit() throws IOException {
        Path bert = dev.pretrain.jobs.TinyBertFixture.write(tmp.resolve("bert"));
        Path sst2 = SharedData.DATA.resolve("sst2");
        List<String> lines = Files.readAllLines(sst2.resolve("train.tsv"));
        Path big = tmp.resolve("big.tsv");
        try (Writer w = Files.newBufferedWriter(big, StandardCharsets.UTF_8)) {
            w.write(lines.get(0) + "\n");
            for (int copy = 0; copy < 2; copy++) {
                for (String line : lines.subList(1, lines.size())) w.write(line + "\n");
            }
        }
        assertTrue(Files.size(big) > 7_000_000, "size " + Files.size(big));
        List<String> dev = Files.readAllLines(sst2.resolve("dev.tsv"));
        long devPositives = dev.stream().skip(1).filter(l -> l.split("\t")[1].strip().equals("1")).count();

        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        System.setProperty("spark.driver.maxResultSize", "1m");
        SparkSession spark;
        try {
            spark = SparkSessions.getOrCreate("finetune-maxresult", "local[2]");
        } finally {
            System.clearProperty("spark.driver.maxResultSize");
        }
        try {
            assertEquals("1m", spark.sparkContext().getConf().get("spark.driver.maxResultSize"));
            // the premise: the driver cannot collect this file's rows
            Exception e = assertThrows(Exception.class, () -> FineTuneStage.read(spark, "sst2", big.toString(), null));
            assertTrue(String.valueOf(e.getMessage()).contains("maxResultSize"), e.getMessage());

            StageReport r = FineTuneStage.run(spark, new FineTuneStage.Options(bert.toString(), "sst2", big.toString(),
                    sst2.resolve("dev.tsv").toString(), 2500, 0, 16, 64, 2, 1e-4, 7, true, false));
            assertEquals(2500, r.get("train_examples"));
            assertEquals(dev.size() - 1, r.get("eval_examples"));
            assertEquals(2 * 40, r.get("steps"));
            assertEquals(Math.max(devPositives, dev.size() - 1 - devPositives) / (double) (dev.size() - 1),
                    (Double) r.get("majority_class_accuracy"), 1e-12);
            double acc = (Double) r.get("accuracy_pretrained");
            assertTrue(acc >= 0 && acc <= 1, "accuracy " + acc);
        } finally {
            spark.stop();
        }
    }
}
