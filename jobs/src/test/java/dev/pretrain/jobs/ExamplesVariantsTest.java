package dev.pretrain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.example.Example;

import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.examples.mlm.DynamicMasker;
import dev.pretrain.examples.mlm.LengthBins;
import dev.pretrain.examples.mlm.MaskedLmConfig;
import dev.pretrain.examples.mlm.MaskingMode;
import dev.pretrain.examples.mlm.MlmShards;
import dev.pretrain.examples.mlm.PretrainingTask;
import dev.pretrain.jobs.cli.PretrainCli;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.Rows;
import dev.pretrain.jobs.spark.SparkSessions;
import dev.pretrain.jobs.stages.BertStage;
import dev.pretrain.jobs.stages.ExamplesStage;

/**
 * The examples stage's variants through Spark local mode on real IMDB reviews (bert-base-uncased):
 * SOP with dynamic masking and length bins of 16 (Parquet + TFRecord, 1 and 3 input partitions),
 * FULL-SENTENCES with bins of 32 through the CLI flags ({@code --task --masking --bin-size}), and static NSP
 * for comparison.
 */
class ExamplesVariantsTest {
    static final MaskedLmConfig BASE = new MaskedLmConfig(64, 10, 0.15, 0.1, 2, 99L, false);
    static final int BIN = 16;

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static ImdbSlice imdb;
    static Vocab vocab;
    static final Map<Integer, Path> sopOut = new TreeMap<>();
    static Path fullOut;
    static StageReport sopReport;

    @BeforeAll
    static void generate() throws IOException {
        imdb = new ImdbSlice(400);
        vocab = imdb.vocab;
        spark = SparkSessions.getOrCreate("examples-variants", "local[2]");
        spark.conf().set("spark.sql.files.openCostInBytes", String.valueOf(128L << 20));
        Path tok1 = tmp.resolve("tokenized-1");
        imdb.tokenizedFrame(spark, 1, false).write().parquet(tok1.toString());
        Path tok3 = tmp.resolve("tokenized-3");
        imdb.tokenizedFrame(spark, 3, true).write().parquet(tok3.toString());
        MaskedLmConfig sop = BASE.withTask(PretrainingTask.SOP).withMasking(MaskingMode.DYNAMIC);
        for (int n : new int[] {1, 3}) {
            Path out = tmp.resolve("sop-" + n);
            StageReport r = ExamplesStage.runMlm(spark, new ExamplesStage.MlmOptions((n == 1 ? tok1 : tok3).toString(),
                    ImdbSlice.VOCAB.toString(), out.toString(), sop, 4, MlmShards.DEFAULT_TARGET_SHARD_TOKENS, 0.1,
                    n == 1 ? ExamplesStage.OutputFormat.BOTH : ExamplesStage.OutputFormat.PARQUET, BIN));
            if (n == 1) {
                sopReport = r;
            }
            sopOut.put(n, out);
        }
        // the CLI stops its Spark session: run it last here, then start a fresh one for the tests
        spark.stop();
        fullOut = tmp.resolve("full");
        int code = PretrainCli.execute("examples", "mlm", "--tokenized", tok1.toString(), "--vocab",
                ImdbSlice.VOCAB.toString(), "--output", fullOut.toString(), "--max-seq-length", "64",
                "--max-predictions-per-seq", "10", "--dupe-factor", "2", "--seed", "99", "--shards", "4",
                "--heldout-fraction", "0.1", "--task", "full_sentences", "--masking", "static", "--bin-size", "32",
                "--master", "local[2]");
        assertEquals(0, code, "examples mlm --task full_sentences --bin-size 32");
        spark = SparkSessions.getOrCreate("examples-variants", "local[2]");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    static List<Row> rows(Path dir) {
        return spark.read().parquet(dir.toString()).collectAsList();
    }

    /** Every row as one line (arrays joined), sorted. */
    static List<String> sortedRows(Path dir) {
        List<String> lines = new ArrayList<>();
        for (Row r : rows(dir)) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < r.length(); i++) {
                Object v = r.get(i);
                b.append(v instanceof scala.collection.Seq<?> q ? q.mkString("[", ",", "]") : String.valueOf(v))
                        .append('\t');
            }
            lines.add(b.toString());
        }
        lines.sort(null);
        return lines;
    }

    static int length(Row r) {
        int n = 0;
        for (int m : Rows.ints(r, r.fieldIndex("input_mask"))) {
            n += m;
        }
        return n;
    }

    @Test
    void everyRowLiesInItsLengthBinInParquetAndTfRecord() throws IOException {
        for (Path out : List.of(sopOut.get(1), fullOut)) {
            int binSize = out == fullOut ? 32 : BIN;
            for (String split : List.of("train", "heldout")) {
                Path dir = out.resolve(split);
                Map<Integer, Long> perBin = new TreeMap<>();
                for (Row r : rows(dir)) {
                    int bin = r.getInt(r.fieldIndex("length_bin"));
                    int len = length(r);
                    assertTrue(len >= LengthBins.lower(bin, binSize) && len <= LengthBins.upper(bin, binSize),
                            "length " + len + " in bin " + bin);
                    perBin.merge(bin, 1L, Long::sum);
                }
                assertTrue(perBin.size() >= 2, "several bins: " + perBin);
                for (Map.Entry<Integer, Long> b : perBin.entrySet()) {
                    assertTrue(Files.isDirectory(dir.resolve("length_bin=" + b.getKey())), "Parquet partition");
                }
                if (out == sopOut.get(1)) {
                    // one TFRecord file set per bin, holding exactly that bin's instances
                    for (Map.Entry<Integer, Long> b : perBin.entrySet()) {
                        Path tf = Path.of(ExamplesStage.tfRecordBin(out.toString(), split, b.getKey()));
                        long records = 0;
                        for (Map.Entry<String, byte[]> f : ExamplesDeterminismTest.files(tf).entrySet()) {
                            for (byte[] rec : ExamplesDeterminismTest.readRecords(f.getValue(), f.getKey())) {
                                Example ex = Example.parseFrom(rec);
                                long len = ex.getFeatures().getFeatureMap().get("input_mask").getInt64List()
                                        .getValueList().stream().mapToLong(Long::longValue).sum();
                                assertEquals(b.getKey(), LengthBins.of((int) len, binSize), "TFRecord bin");
                                records++;
                            }
                        }
                        assertEquals(b.getValue(), records, split + " bin " + b.getKey());
                    }
                }
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void dynamicTrainSplitIsUnmaskedAndMaskedPerEpochAtTrainingTime() {
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        DynamicMasker masker = BertStage.dynamicMasker(sopOut.get(1).toString(), vocab, hconf);
        assertNotNull(masker, "dynamic_masking.json written");
        assertNull(BertStage.dynamicMasker(fullOut.toString(), vocab, hconf), "static output has no masker");
        List<Row> train = rows(sopOut.get(1).resolve("train"));
        assertTrue(train.size() > 1000, "train instances " + train.size());
        java.util.Set<String> ids = new java.util.HashSet<>();
        long differ = 0;
        long swapped = 0;
        for (Row r : train) {
            for (float w : Rows.floats(r, 5)) {
                assertEquals(0f, w, "written without masks");
            }
            for (int id : Rows.ints(r, 0)) {
                assertNotEquals(vocab.maskId(), id);
            }
            assertTrue(ids.add(r.getString(r.fieldIndex("instance_id"))), "unique instance_id");
            Row e0 = ExamplesStage.maskRow(r, masker, 0);
            Row e0again = ExamplesStage.maskRow(r, masker, 0);
            Row e1 = ExamplesStage.maskRow(r, masker, 1);
            assertEquals(java.util.Arrays.toString(Rows.ints(e0, 3)), java.util.Arrays.toString(Rows.ints(e0again, 3)));
            assertEquals(java.util.Arrays.toString(Rows.ints(e0, 0)), java.util.Arrays.toString(Rows.ints(e0again, 0)),
                    "same seed, instance and epoch: same masks");
            int len = length(r);
            int expected = Math.min(10, Math.max(1, (int) Math.rint(len * 0.15)));
            int real = 0;
            for (float w : Rows.floats(e0, 5)) {
                real += w > 0 ? 1 : 0;
            }
            assertEquals(expected, real);
            if (!java.util.Arrays.equals(Rows.ints(e0, 3), Rows.ints(e1, 3))) {
                differ++;
            }
            swapped += r.getInt(6);
        }
        assertTrue(differ > train.size() * 0.9, "epochs 0 and 1 mask differently: " + differ + "/" + train.size());
        double share = (double) swapped / train.size();
        assertEquals(0.5, share, 4.5 * Math.sqrt(0.25 / train.size()), "SOP swapped share");
        // held-out: fixed epoch-0 masks written into the files
        for (Row r : rows(sopOut.get(1).resolve("heldout"))) {
            int real = 0;
            for (float w : Rows.floats(r, 5)) {
                real += w > 0 ? 1 : 0;
            }
            assertEquals(Math.min(10, Math.max(1, (int) Math.rint(length(r) * 0.15))), real);
        }
        Map<String, Object> s = (Map<String, Object>) ((Map<String, Object>) sopReport.get("statistics")).get("train");
        assertEquals(0.8, ((Number) s.get("masked_as_mask_share")).doubleValue(), 0.03, "epoch-0 statistics");
        assertTrue(s.containsKey("length_bins"));
    }

    @Test
    void variantOutputIsIdenticalForAnyInputPartitioning() {
        for (String split : List.of("train", "heldout")) {
            List<String> one = sortedRows(sopOut.get(1).resolve(split));
            assertTrue(one.size() > 100);
            assertEquals(one, sortedRows(sopOut.get(3).resolve(split)), split);
        }
    }

    @Test
    void fullSentencesHaveOneSegmentNoLabelAndKeepEveryToken() {
        long instanceTokens = 0;
        long separators = 0;
        for (String split : List.of("train", "heldout")) {
            List<Row> rows = rows(fullOut.resolve(split));
            assertTrue(rows.size() > (split.equals("train") ? 500 : 20));
            for (Row r : rows) {
                for (int v : Rows.ints(r, 2)) {
                    assertEquals(0, v, "segment_ids all 0");
                }
                assertEquals(0, r.getInt(6), "no sentence-pair label");
                int[] in = Rows.ints(r, 0);
                int[] pos = Rows.ints(r, 3);
                int[] orig = Rows.ints(r, 4);
                for (int k = 0; k < pos.length; k++) {
                    in[pos[k]] = Rows.floats(r, 5)[k] > 0 ? orig[k] : in[pos[k]];
                }
                int n = length(r);
                assertEquals(vocab.clsId(), in[0]);
                assertEquals(vocab.sepId(), in[n - 1]);
                for (int i = 1; i < n - 1; i++) {
                    separators += in[i] == vocab.sepId() ? 1 : 0;
                }
                instanceTokens += n - 2;
            }
        }
        assertTrue(separators > 50, "documents are crossed with an extra [SEP]: " + separators);
        // nothing truncated or dropped: every token of every document once per duplicate pass
        long documentTokens = 0;
        for (int[][] d : imdb.tokenized) {
            for (int[] sentence : d) {
                documentTokens += sentence.length;
            }
        }
        assertEquals(2 * documentTokens, instanceTokens - separators, "dupe_factor 2 x all document tokens");
    }
}
