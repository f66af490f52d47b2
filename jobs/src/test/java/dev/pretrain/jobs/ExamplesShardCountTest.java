package dev.pretrain.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pretrain.examples.mlm.MaskedLmConfig;
import dev.pretrain.examples.mlm.MlmShards;
import dev.pretrain.jobs.cli.PretrainCli;
import dev.pretrain.jobs.pipeline.PipelineConfig;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.SparkSessions;
import dev.pretrain.jobs.stages.ExamplesStage;

/**
 * Issue 16: the MLM shard count follows the input's size. 400 real IMDB reviews (about 120k tokens) with a
 * target of 10,000 tokens a shard and a minimum of 2: the stage must use {@code ceil(tokens / target)} shards per
 * split (more than the minimum), account for every input document, record the counts and the sizes they were
 * derived from, and give identical output (byte-identical TFRecord files, shard by shard) for the input in 1
 * partition through the Java API and in 5 partitions, reversed, through the CLI.
 */
class ExamplesShardCountTest {
    static final MaskedLmConfig MLM = new MaskedLmConfig(64, 10, 0.15, 0.1, 2, 4242L, false);
    static final int MIN_SHARDS = 2;
    static final long TARGET = 10_000;
    static final double HELDOUT = 0.1;

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static ImdbSlice imdb;
    static Path onePartition;
    static Path fivePartitions;
    static Path fixedCount;
    static StageReport report;

    @BeforeAll
    static void generate() throws IOException {
        imdb = new ImdbSlice(400);
        spark = SparkSessions.getOrCreate("examples-shard-count", "local[2]");
        spark.conf().set("spark.sql.files.openCostInBytes", String.valueOf(128L << 20));
        Path tok1 = tmp.resolve("tokenized-1");
        imdb.tokenizedFrame(spark, 1, false).write().parquet(tok1.toString());
        Path tok5 = tmp.resolve("tokenized-5");
        imdb.tokenizedFrame(spark, 5, true).write().parquet(tok5.toString());
        assertEquals(5, spark.read().parquet(tok5.toString()).rdd().getNumPartitions());

        onePartition = tmp.resolve("mlm-1");
        report = ExamplesStage.runMlm(spark, new ExamplesStage.MlmOptions(tok1.toString(), ImdbSlice.VOCAB.toString(),
                onePartition.toString(), MLM, MIN_SHARDS, TARGET, HELDOUT, ExamplesStage.OutputFormat.BOTH, 0));
        fixedCount = tmp.resolve("mlm-fixed");
        ExamplesStage.runMlm(spark, new ExamplesStage.MlmOptions(tok1.toString(), ImdbSlice.VOCAB.toString(),
                fixedCount.toString(), MLM, MIN_SHARDS, 0, HELDOUT, ExamplesStage.OutputFormat.TFRECORD, 0));
        // the CLI stops its Spark session: run it last, then start a fresh one for the tests
        spark.stop();
        fivePartitions = tmp.resolve("mlm-5");
        int code = PretrainCli.execute("examples", "mlm", "--tokenized", tok5.toString(), "--vocab",
                ImdbSlice.VOCAB.toString(), "--output", fivePartitions.toString(), "--max-seq-length", "64",
                "--max-predictions-per-seq", "10", "--masked-lm-prob", "0.15", "--short-seq-prob", "0.1",
                "--dupe-factor", "2", "--seed", "4242", "--shards", String.valueOf(MIN_SHARDS),
                "--target-shard-tokens", String.valueOf(TARGET), "--heldout-fraction", String.valueOf(HELDOUT),
                "--format", "both", "--master", "local[2]");
        assertEquals(0, code, "examples mlm --target-shard-tokens " + TARGET);
        spark = SparkSessions.getOrCreate("examples-shard-count", "local[2]");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    static JsonNode config(Path out) throws IOException {
        return StageReport.JSON.readTree(out.resolve(ExamplesStage.CONFIG_FILE).toFile());
    }

    /** Tokens of each input document. */
    static Map<String, Long> tokensByDoc() {
        Map<String, Long> m = new HashMap<>();
        for (int k = 0; k < imdb.documents.size(); k++) {
            long n = 0;
            for (int[] s : imdb.tokenized.get(k)) {
                n += s.length;
            }
            m.merge(imdb.documents.get(k).docId(), n, Long::sum);
        }
        return m;
    }

    static Set<String> docIds(Path dir) {
        Set<String> s = new HashSet<>();
        for (Row r : spark.read().parquet(dir.toString()).select("doc_id").distinct().collectAsList()) {
            s.add(r.getString(0));
        }
        return s;
    }

    @Test
    void everyInputDocumentIsInExactlyOneSplit() throws IOException {
        Map<String, Long> tokens = tokensByDoc();
        Set<String> train = docIds(onePartition.resolve("train"));
        Set<String> heldout = docIds(onePartition.resolve("heldout"));
        Set<String> both = new HashSet<>(train);
        both.retainAll(heldout);
        assertEquals(Set.of(), both, "no document in both splits");
        Set<String> all = new HashSet<>(train);
        all.addAll(heldout);
        assertEquals(tokens.keySet(), all, "every input document gives instances in one split");

        JsonNode input = config(onePartition).get("input");
        assertEquals(imdb.documents.size(), input.get("train").get("documents").asLong()
                + input.get("heldout").get("documents").asLong(), "input documents counted");
        assertEquals(train.stream().mapToLong(tokens::get).sum(), input.get("train").get("tokens").asLong());
        assertEquals(heldout.stream().mapToLong(tokens::get).sum(), input.get("heldout").get("tokens").asLong());
    }

    @Test
    void eachSplitGetsCeilOfTokensOverTargetShards() throws IOException {
        Map<String, Long> tokens = tokensByDoc();
        JsonNode c = config(onePartition);
        assertEquals(MIN_SHARDS, c.get("min_shards").asInt());
        assertEquals(TARGET, c.get("target_shard_tokens").asLong());
        for (String split : List.of("train", "heldout")) {
            long splitTokens = docIds(onePartition.resolve(split)).stream().mapToLong(tokens::get).sum();
            long expected = Math.max(MIN_SHARDS, (splitTokens + TARGET - 1) / TARGET);
            int shards = c.get("shards").get(split).asInt();
            assertEquals(expected, shards, split + ": ceil(" + splitTokens + " / " + TARGET + ")");
            assertEquals(shards, tfRecordFiles(onePartition, split).size(), split + ": one TFRecord file per shard");
            // and the fixed count (target 0) stays at the minimum
            assertEquals(MIN_SHARDS, config(fixedCount).get("shards").get(split).asInt());
            assertEquals(MIN_SHARDS, tfRecordFiles(fixedCount, split).size());
        }
        assertTrue(c.get("shards").get("train").asInt() > 4 * MIN_SHARDS,
                "a small target gives many more shards than the minimum: " + c.get("shards"));
        assertEquals(c, StageReport.JSON.readTree(StageReport.toJson(report.get("config"))),
                "the report records the same settings");
    }

    /** The largest shard's tokens, recomputed from the Parquet files: part-NNNNN holds shard NNNNN. */
    @Test
    void theLargestShardIsReportedFromTheActualShards() throws IOException {
        Map<String, Long> tokens = tokensByDoc();
        JsonNode c = config(onePartition);
        for (String split : List.of("train", "heldout")) {
            Map<Integer, Long> perShard = new TreeMap<>();
            Set<String> seen = new HashSet<>();
            try (Stream<Path> files = Files.list(onePartition.resolve(split))) {
                for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList()) {
                    int shard = Integer.parseInt(f.getFileName().toString().substring(5, 10));
                    for (String id : docIds(f)) {
                        assertTrue(seen.add(id), id + " in one shard only");
                        perShard.merge(shard, tokens.get(id), Long::sum);
                    }
                }
            }
            long largest = perShard.values().stream().mapToLong(Long::longValue).max().orElse(0);
            JsonNode in = c.get("input").get(split);
            assertEquals(largest, in.get("largest_shard_tokens").asLong(), split + " " + perShard);
            assertTrue(largest * c.get("shards").get(split).asInt() >= in.get("tokens").asLong(), "max >= mean");
        }
    }

    @Test
    void outputIsIdenticalForAnotherInputPartitioningAndTheCli() throws IOException {
        assertEquals(config(onePartition), config(fivePartitions), "same effective counts from the same sizes");
        for (String split : List.of("train", "heldout")) {
            Map<String, byte[]> one = tfRecordFiles(onePartition, split);
            Map<String, byte[]> five = tfRecordFiles(fivePartitions, split);
            assertEquals(one.keySet(), five.keySet(), split);
            for (String f : one.keySet()) {
                assertArrayEquals(one.get(f), five.get(f), split + "/" + f + ": same shard, same bytes");
            }
            List<String> a = ExamplesDeterminismTest.sortedRows(spark, onePartition.resolve(split));
            assertTrue(a.size() > 100, split + ": " + a.size());
            assertEquals(a, ExamplesDeterminismTest.sortedRows(spark, fivePartitions.resolve(split)), split);
        }
    }

    @Test
    void thePipelineConfigReadsTheTarget() {
        assertEquals(MlmShards.DEFAULT_TARGET_SHARD_TOKENS, PipelineConfig.parse("{}", "empty").examples.targetShardTokens);
        PipelineConfig c = PipelineConfig.parse("examples: {shards: 3, target_shard_tokens: 123456}", "test");
        assertEquals(3, c.examples.shards);
        assertEquals(123456L, c.examples.targetShardTokens);
    }

    static Map<String, byte[]> tfRecordFiles(Path out, String split) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of(ExamplesStage.tfRecords(out.toString(), split)))) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
                m.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }
}
