package dev.pretrain.jobs.stages;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import dev.pretrain.corpus.tokenize.BasicTokenizer;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.examples.Seeds;
import dev.pretrain.examples.mlm.MaskedLmConfig;
import dev.pretrain.examples.mlm.PretrainingDataGenerator;
import dev.pretrain.examples.mlm.PretrainingInstance;
import dev.pretrain.examples.mlm.SpecialIds;
import dev.pretrain.examples.skipgram.NegativeSampler;
import dev.pretrain.examples.skipgram.SkipGramGenerator;
import dev.pretrain.examples.skipgram.Subsampler;
import dev.pretrain.examples.skipgram.WordVocab;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.Rows;
import scala.Tuple2;

/**
 * {@code examples}: training examples from shards.
 *
 * <p><b>MLM/NSP</b> ({@link PretrainingDataGenerator}, Google {@code create_pretraining_data.py}
 * semantics): documents are split into train and held-out by a seeded hash of {@code doc_id}, and
 * grouped into {@code shards} by another seeded hash of {@code doc_id} — never by Spark partition —
 * so the random-next-sentence documents, and therefore the instances, depend only on the seed and
 * the corpus, not on partitioning or executor count. Output Parquet folders {@code train/} and
 * {@code heldout/} with Google's feature names: {@code input_ids}, {@code input_mask},
 * {@code segment_ids} (array&lt;int32&gt;, length max_seq_length), {@code masked_lm_positions},
 * {@code masked_lm_ids} (array&lt;int32&gt;), {@code masked_lm_weights} (array&lt;float32&gt;, length
 * max_predictions_per_seq), {@code next_sentence_labels} (int32, 1 = random next), {@code doc_id}.
 *
 * <p><b>Skip-gram</b> (word2vec C semantics: subsampling, dynamic window, unigram^0.75
 * negatives): Parquet rows {@code center} int32, {@code context} int32, {@code negatives}
 * array&lt;int32&gt;, ids into {@code words.txt} (word2vec's "word count" vocab format, id = line).
 */
public final class ExamplesStage {
    /** MLM/NSP settings. */
    public record MlmOptions(String tokenized, String vocab, String output, MaskedLmConfig config, int shards,
                             double heldoutFraction) {}

    /** Skip-gram settings; {@code fraction} of documents (seeded by doc_id) to emit pairs for. */
    public record SkipGramOptions(String documents, String output, int window, int negatives, double sample,
                                  long minCount, double fraction, long seed) {}

    public static final StructType MLM_SCHEMA = new StructType()
            .add("input_ids", DataTypes.createArrayType(DataTypes.IntegerType))
            .add("input_mask", DataTypes.createArrayType(DataTypes.IntegerType))
            .add("segment_ids", DataTypes.createArrayType(DataTypes.IntegerType))
            .add("masked_lm_positions", DataTypes.createArrayType(DataTypes.IntegerType))
            .add("masked_lm_ids", DataTypes.createArrayType(DataTypes.IntegerType))
            .add("masked_lm_weights", DataTypes.createArrayType(DataTypes.FloatType))
            .add("next_sentence_labels", DataTypes.IntegerType)
            .add("doc_id", DataTypes.StringType)
            .add("split", DataTypes.StringType);

    public static final StructType SKIPGRAM_SCHEMA = new StructType()
            .add("center", DataTypes.IntegerType)
            .add("context", DataTypes.IntegerType)
            .add("negatives", DataTypes.createArrayType(DataTypes.IntegerType));

    private ExamplesStage() {}

    public static String train(String mlmDir) {
        return HadoopFiles.join(mlmDir, "train");
    }

    public static String heldout(String mlmDir) {
        return HadoopFiles.join(mlmDir, "heldout");
    }

    /** Whether a document is held out: a seeded hash of its id below {@code fraction}. */
    static boolean isHeldout(long seed, String docId, double fraction) {
        return unit(Seeds.of(seed, docId, -1)) < fraction;
    }

    /** A 64-bit hash mapped to [0, 1). */
    static double unit(long hash) {
        return (hash >>> 11) * 0x1.0p-53;
    }

    public static StageReport runMlm(SparkSession spark, MlmOptions o) {
        StageReport report = new StageReport("examples-mlm");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Vocab vocab = VocabStage.readVocab(o.vocab(), hconf);
        MaskedLmConfig cfg = o.config();
        SpecialIds ids = new SpecialIds(vocab.padId(), vocab.clsId(), vocab.sepId(), vocab.maskId(), vocab.size());
        Broadcast<boolean[]> cont = jsc.broadcast(PretrainingDataGenerator.continuationFlags(vocab.tokens()));
        long seed = cfg.seed();
        int shards = Math.max(1, o.shards());
        double heldoutFraction = o.heldoutFraction();

        JavaPairRDD<Tuple2<String, Integer>, Tuple2<String, int[][]>> keyed = spark.read().parquet(o.tokenized())
                .select("doc_id", "sentences").javaRDD()
                .mapToPair(r -> {
                    String docId = r.getString(0);
                    String split = isHeldout(seed, docId, heldoutFraction) ? "heldout" : "train";
                    int shard = (int) Math.floorMod(Seeds.of(seed, docId, -2), (long) shards);
                    return new Tuple2<>(new Tuple2<>(split, shard), new Tuple2<>(docId, Rows.intArrays(r, 1)));
                });
        JavaRDD<Row> rows = keyed.groupByKey(Math.min(shards * 2, 4 * jsc.defaultParallelism()))
                .flatMap(g -> generateShard(g._1()._1(), g._2(), cfg, ids, cont.value()));
        Dataset<Row> instances = spark.createDataFrame(rows, MLM_SCHEMA).persist(StorageLevel.MEMORY_AND_DISK());

        for (String split : List.of("train", "heldout")) {
            String target = HadoopFiles.join(o.output(), split);
            String tmp = HadoopFiles.temporarySibling(target, hconf);
            instances.filter(col("split").equalTo(split)).drop("split")
                    .sortWithinPartitions("doc_id").write().parquet(tmp);
            HadoopFiles.commit(tmp, target, hconf);
        }
        Map<String, Object> stats = report.section("statistics");
        for (Row r : instances.groupBy("split").agg(
                org.apache.spark.sql.functions.count("doc_id").as("instances"),
                sum(expr("aggregate(input_mask, 0L, (acc, x) -> acc + x)")).as("tokens"),
                sum(expr("aggregate(masked_lm_weights, 0D, (acc, x) -> acc + x)")).as("masked"),
                sum("next_sentence_labels").as("random_next"),
                sum(expr("CASE WHEN aggregate(input_mask, 0, (acc, x) -> acc + x) < " + cfg.maxSeqLength()
                        + " THEN 1 ELSE 0 END")).as("padded_instances"),
                org.apache.spark.sql.functions.countDistinct("doc_id").as("documents"))
                .orderBy("split").collectAsList()) {
            long n = r.getLong(1);
            long tokens = r.getLong(2);
            Map<String, Object> s = new java.util.LinkedHashMap<>();
            s.put("instances", n);
            s.put("documents", r.getLong(6));
            s.put("tokens", tokens);
            s.put("padding_share", n == 0 ? 0.0 : 1.0 - (double) tokens / (n * (long) cfg.maxSeqLength()));
            s.put("masked_lm_predictions", Math.round(r.getDouble(3)));
            s.put("masked_share_of_tokens", tokens == 0 ? 0.0 : r.getDouble(3) / tokens);
            s.put("next_sentence_random_share", n == 0 ? 0.0 : (double) r.getLong(4) / n);
            stats.put(r.getString(0), s);
        }
        instances.unpersist();
        report.put("config", Map.of("max_seq_length", cfg.maxSeqLength(),
                "max_predictions_per_seq", cfg.maxPredictionsPerSeq(), "masked_lm_prob", cfg.maskedLmProb(),
                "short_seq_prob", cfg.shortSeqProb(), "dupe_factor", cfg.dupeFactor(), "seed", cfg.seed(),
                "whole_word_masking", cfg.wholeWordMasking(), "shards", shards,
                "heldout_fraction", heldoutFraction));
        report.put("output", o.output());
        return report.finish();
    }

    private static Iterator<Row> generateShard(String split, Iterable<Tuple2<String, int[][]>> docs,
                                               MaskedLmConfig cfg, SpecialIds ids, boolean[] continuation) {
        List<Tuple2<String, int[][]>> sorted = new ArrayList<>();
        docs.forEach(sorted::add);
        sorted.sort(Comparator.comparing(Tuple2::_1));
        List<String> docIds = new ArrayList<>(sorted.size());
        List<int[][]> bodies = new ArrayList<>(sorted.size());
        for (Tuple2<String, int[][]> d : sorted) {
            docIds.add(d._1());
            bodies.add(d._2());
        }
        PretrainingDataGenerator gen = new PretrainingDataGenerator(cfg, ids, continuation);
        List<PretrainingInstance> instances = gen.generate(docIds, bodies);
        List<Row> out = new ArrayList<>(instances.size());
        for (PretrainingInstance p : instances) {
            out.add(RowFactory.create(Rows.boxed(p.inputIds()), Rows.boxed(p.inputMask()), Rows.boxed(p.segmentIds()),
                    Rows.boxed(p.maskedLmPositions()), Rows.boxed(p.maskedLmIds()), Rows.boxed(p.maskedLmWeights()),
                    p.nextSentenceLabel(), p.docId(), split));
        }
        return out.iterator();
    }

    public static StageReport runSkipGram(SparkSession spark, SkipGramOptions o) {
        StageReport report = new StageReport("examples-skipgram");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Dataset<Row> docs = spark.read().parquet(o.documents());
        WordVocab vocab = WordVocab.build(WordCounting.collect(WordCounting.count(docs, true), o.minCount()), o.minCount());
        Broadcast<WordVocab> bv = jsc.broadcast(vocab);
        Subsampler sub = new Subsampler(vocab.counts(), o.sample());
        NegativeSampler neg = new NegativeSampler(vocab.counts(), 0.75);
        SkipGramGenerator gen = new SkipGramGenerator(o.window(), o.negatives(), sub, neg);
        long seed = o.seed();
        double fraction = o.fraction();
        JavaRDD<Row> pairs = docs.select("doc_id", "sentences").javaRDD()
                .filter(r -> fraction >= 1.0 || unit(Seeds.of(seed, r.getString(0), -3)) < fraction)
                .flatMap(r -> {
                    SplittableRandom rnd = new SplittableRandom(Seeds.of(seed, r.getString(0), 0));
                    BasicTokenizer tok = new BasicTokenizer(true);
                    List<Row> out = new ArrayList<>();
                    List<String> sentences = r.getList(1);
                    for (String s : sentences) {
                        gen.generate(bv.value().encode(tok.tokenize(s)), rnd,
                                p -> out.add(RowFactory.create(p.center(), p.context(), Rows.boxed(p.negatives()))));
                    }
                    return out.iterator();
                });
        String target = HadoopFiles.join(o.output(), "pairs");
        String tmp = HadoopFiles.temporarySibling(target, hconf);
        Dataset<Row> df = spark.createDataFrame(pairs, SKIPGRAM_SCHEMA);
        df.write().parquet(tmp);
        HadoopFiles.commit(tmp, target, hconf);
        HadoopFiles.writeTextAtomically(HadoopFiles.join(o.output(), "words.txt"), hconf, w -> {
            for (int i = 0; i < vocab.size(); i++) {
                w.write(vocab.word(i));
                w.write(' ');
                w.write(Long.toString(vocab.count(i)));
                w.write('\n');
            }
        });
        report.put("vocab_size", vocab.size());
        report.put("pairs", spark.read().parquet(target).count());
        report.put("document_fraction", fraction);
        report.put("config", Map.of("window", o.window(), "negatives", o.negatives(), "sample", o.sample(),
                "min_count", o.minCount(), "seed", seed));
        report.put("output", o.output());
        return report.finish();
    }
}
