package dev.pretrain.jobs.stages;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import dev.pretrain.corpus.tokenize.BasicTokenizer;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.examples.Seeds;
import dev.pretrain.examples.mlm.DynamicMasker;
import dev.pretrain.examples.mlm.LengthBins;
import dev.pretrain.examples.mlm.MaskedLmConfig;
import dev.pretrain.examples.mlm.MaskingMode;
import dev.pretrain.examples.mlm.MlmShards;
import dev.pretrain.examples.mlm.PretrainingDataGenerator;
import dev.pretrain.examples.mlm.PretrainingInstance;
import dev.pretrain.examples.mlm.SpecialIds;
import dev.pretrain.examples.skipgram.NegativeSampler;
import dev.pretrain.examples.skipgram.SkipGramGenerator;
import dev.pretrain.examples.skipgram.Subsampler;
import dev.pretrain.examples.skipgram.WordVocab;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.OutputMarker;
import dev.pretrain.jobs.spark.Rows;
import dev.pretrain.model.rounds.ModuloPartitioner;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.example.Features;
import org.tensorflow.example.FloatList;
import org.tensorflow.example.Int64List;
import org.tensorflow.hadoop.io.TFRecordFileOutputFormat;
import scala.Tuple2;

/**
 * {@code examples}: training examples from shards.
 *
 * <p><b>MLM/NSP</b> ({@link PretrainingDataGenerator}, Google {@code create_pretraining_data.py}
 * semantics): documents are split into train and held-out by a seeded hash of {@code doc_id}, and
 * the documents of each split are grouped into shards by another seeded hash of {@code doc_id} — never by Spark
 * partition. Random next sentences are drawn from the same shard (not the whole corpus as Google does) so that
 * one task holds one shard. Each shard is generated on one task and becomes partition {@code shard} of its split
 * (a fixed partitioner, one partition per shard), written in the generator's seeded order without any sort.
 *
 * <p><b>Shard count and memory.</b> A task holds its shard's documents once (the values Spark's
 * {@code groupByKey} buffers for the shard; the sorted lists handed to the generator hold references to the same
 * arrays) and the shard's instances in the generator's unpadded form, about {@code (8 + 8.7 * dupe_factor)}
 * bytes per input token ({@link MlmShards}); rows are expanded one at a time as Spark pulls them. To bound that
 * whatever the corpus size, each split gets {@code max(shards, ceil(tokens / target_shard_tokens))} shards
 * ({@link MlmShards#count}): {@code tokens} are the split's WordPiece tokens, counted in a first pass over
 * {@code doc_id} and the sentence lengths ({@code planShards}), so the count depends on the corpus alone, not on
 * the input's Parquet files, its partitioning or the executors. {@code shards} is the least number
 * ({@code --shards}, default 16, which keeps small corpora in 16 shards), {@code target_shard_tokens} 0 means
 * exactly {@code shards}. The held-out split, a small share of the corpus, gets its own (usually the minimum)
 * count instead of many tiny shards. The counts, the tokens and documents they were derived from, and each
 * split's largest shard are recorded in {@link #CONFIG_FILE} ({@code min_shards}, {@code target_shard_tokens},
 * {@code shards}, {@code input}) and the report. The instances, their order and the content of every output file
 * depend only on the seed, the corpus and the settings (through the effective shard counts), not on the input
 * partitioning or the executor count.
 *
 * <p>Outputs under {@code output}: {@link #CONFIG_FILE} (the settings, the task among them) and, by
 * {@link OutputFormat}:
 * <ul>
 *   <li>Parquet folders {@code train/} and {@code heldout/} with Google's feature names:
 *       {@code input_ids}, {@code input_mask}, {@code segment_ids} (array&lt;int32&gt;, length
 *       max_seq_length), {@code masked_lm_positions}, {@code masked_lm_ids} (array&lt;int32&gt;),
 *       {@code masked_lm_weights} (array&lt;float32&gt;, length max_predictions_per_seq),
 *       {@code next_sentence_labels} (int32, 1 = random next), {@code doc_id};</li>
 *   <li>TFRecord folders {@code tfrecord/train/} and {@code tfrecord/heldout/}, files
 *       {@code part-r-NNNNN} (one per shard, uncompressed), each record a serialized
 *       {@code tf.train.Example} with exactly the features Google's {@code run_pretraining.py} parses:
 *       {@code input_ids}, {@code input_mask}, {@code segment_ids} (int64 list, max_seq_length),
 *       {@code masked_lm_positions}, {@code masked_lm_ids} (int64 list, max_predictions_per_seq),
 *       {@code masked_lm_weights} (float list, max_predictions_per_seq), {@code next_sentence_labels}
 *       (int64 list of 1). Written with {@code org.tensorflow:proto} (Example) and
 *       {@code org.tensorflow:tensorflow-hadoop} (TFRecord framing: length, masked CRC32C of the
 *       length, data, masked CRC32C of the data).</li>
 * </ul>
 *
 * <p><b>Variants</b> ({@link MaskedLmConfig#task()}, {@link MaskedLmConfig#masking()}, {@link MlmOptions#binSize()}):
 * <ul>
 *   <li>{@code task=sop} (ALBERT sentence-order prediction: consecutive segments of one document,
 *       {@code next_sentence_labels} 1 = swapped) and {@code task=full_sentences} (RoBERTa: consecutive
 *       sentences packed across the documents of a shard with an extra [SEP] between documents, all
 *       {@code segment_ids} 0, {@code next_sentence_labels} 0, which is no label: {@link BertStage} trains and
 *       reports MLM only on them): same columns and TFRecord features;</li>
 *   <li>{@code masking=dynamic} (RoBERTa): {@code train/} is written unmasked ({@code input_ids} hold the
 *       original tokens, {@code masked_lm_weights} all 0) with an extra {@code instance_id} string column, and
 *       {@code dynamic_masking.json} records the masking settings; {@link BertStage} masks each training epoch
 *       with {@link DynamicMasker} (seeded by seed, instance_id, epoch). {@code heldout/} holds the same
 *       instances masked once with epoch 0, so evaluation uses fixed masks. The report's train statistics
 *       describe the epoch-0 masks;</li>
 *   <li>{@code bin_size} &gt; 0 (NVIDIA LDDL sequence-length binning): an extra {@code length_bin} int32 column,
 *       bin {@code (length - 1) / bin_size} of the real (unpadded) length ({@link LengthBins}); Parquet is
 *       partitioned by it ({@code train/length_bin=N/}) and TFRecords get one file set per bin
 *       ({@code tfrecord/train/length_bin=N/part-r-*}), so that a training batch can be drawn from one bin
 *       and padded only to the bin's upper edge. The report gives the instances per bin.</li>
 * </ul>
 *
 * <p><b>Skip-gram</b> (word2vec C semantics: subsampling, dynamic window, unigram^0.75
 * negatives): Parquet rows {@code center} int32, {@code context} int32, {@code negatives}
 * array&lt;int32&gt;, ids into {@code words.txt} (word2vec's "word count" vocab format, id = line).
 * Every random choice is seeded by (seed, doc_id), so the set of pairs is the same for any
 * partitioning.
 */
public final class ExamplesStage {
    /** Output formats of the MLM/NSP instances. */
    public enum OutputFormat {
        PARQUET, TFRECORD, BOTH;

        public boolean parquet() {
            return this != TFRECORD;
        }

        public boolean tfrecord() {
            return this != PARQUET;
        }

        /** {@code parquet}, {@code tfrecord} or {@code both}, any case. */
        public static OutputFormat parse(String s) {
            for (OutputFormat f : values()) {
                if (f.name().equalsIgnoreCase(s.trim())) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown examples format '" + s + "': use parquet, tfrecord or both");
        }
    }

    /**
     * MLM settings. The task and masking mode are in {@code config} ({@link MaskedLmConfig#task()},
     * {@link MaskedLmConfig#masking()}); {@code binSize} > 0 groups the output by sequence-length bin
     * ({@link LengthBins}, NVIDIA LDDL), 0 = no binning. Each split gets {@link MlmShards#count
     * max(shards, ceil(split tokens / targetShardTokens))} shards: {@code shards} (>= 1) is the least number,
     * {@code targetShardTokens} (input tokens a shard, default {@link MlmShards#DEFAULT_TARGET_SHARD_TOKENS}) bounds
     * a task's memory, 0 switches the derivation off (exactly {@code shards}).
     *
     * @throws IllegalArgumentException if {@code shards < 1}, {@code targetShardTokens < 0} or {@code binSize < 0}
     */
    public record MlmOptions(String tokenized, String vocab, String output, MaskedLmConfig config, int shards,
                             long targetShardTokens, double heldoutFraction, OutputFormat format, int binSize) {
        /** Parquet output only, no binning, the default target shard size. */
        public MlmOptions(String tokenized, String vocab, String output, MaskedLmConfig config, int shards,
                          double heldoutFraction) {
            this(tokenized, vocab, output, config, shards, MlmShards.DEFAULT_TARGET_SHARD_TOKENS, heldoutFraction,
                    OutputFormat.PARQUET, 0);
        }

        /** No binning, the default target shard size. */
        public MlmOptions(String tokenized, String vocab, String output, MaskedLmConfig config, int shards,
                          double heldoutFraction, OutputFormat format) {
            this(tokenized, vocab, output, config, shards, MlmShards.DEFAULT_TARGET_SHARD_TOKENS, heldoutFraction,
                    format, 0);
        }

        public MlmOptions {
            if (format == null) {
                format = OutputFormat.PARQUET;
            }
            if (shards < 1) {
                throw new IllegalArgumentException("shards must be >= 1 (the least number of shards), got " + shards);
            }
            if (targetShardTokens < 0) {
                throw new IllegalArgumentException("target_shard_tokens must be >= 0 (0: exactly 'shards' shards), got "
                        + targetShardTokens);
            }
            if (binSize < 0) {
                throw new IllegalArgumentException("bin_size must be >= 0 (0: no length bins), got " + binSize);
            }
        }
    }

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
            .add("doc_id", DataTypes.StringType);

    /** Column added with dynamic masking: the instance's id ({@code docId/dupe/k}) that seeds its masks. */
    public static final String INSTANCE_ID = "instance_id";
    /** Column (and Parquet partition / TFRecord sub-folder {@code length_bin=N}) added with {@code bin_size} > 0. */
    public static final String LENGTH_BIN = "length_bin";
    /** Written next to train/ and heldout/ with dynamic masking: the masking settings {@link BertStage} needs. */
    public static final String DYNAMIC_MASKING_FILE = "dynamic_masking.json";
    /**
     * Written next to train/ and heldout/: the settings the instances were made with (the report's {@code config}:
     * {@code task}, {@code masking}, {@code max_seq_length}, ...), so that {@link BertStage} knows whether
     * next_sentence_labels are real ({@code task} {@code nsp} or {@code sop}) or absent ({@code full_sentences}).
     */
    public static final String CONFIG_FILE = "examples_config.json";

    /** {@link #MLM_SCHEMA}, plus {@code instance_id} (string) and/or {@code length_bin} (int32). */
    static StructType mlmSchema(boolean instanceId, boolean lengthBin) {
        StructType t = MLM_SCHEMA;
        if (instanceId) {
            t = t.add(INSTANCE_ID, DataTypes.StringType);
        }
        if (lengthBin) {
            t = t.add(LENGTH_BIN, DataTypes.IntegerType);
        }
        return t;
    }

    public static final StructType SKIPGRAM_SCHEMA = new StructType()
            .add("center", DataTypes.IntegerType)
            .add("context", DataTypes.IntegerType)
            .add("negatives", DataTypes.createArrayType(DataTypes.IntegerType));

    private static final List<String> SPLITS = List.of("train", "heldout");

    private ExamplesStage() {}

    public static String train(String mlmDir) {
        return HadoopFiles.join(mlmDir, "train");
    }

    public static String heldout(String mlmDir) {
        return HadoopFiles.join(mlmDir, "heldout");
    }

    /** The TFRecord folder of a split ({@code train} or {@code heldout}) of an MLM output. */
    public static String tfRecords(String mlmDir, String split) {
        return HadoopFiles.join(mlmDir, "tfrecord", split);
    }

    /** Whether a document is held out: a seeded hash of its id below {@code fraction}. */
    static boolean isHeldout(long seed, String docId, double fraction) {
        return unit(Seeds.of(seed, docId, -1)) < fraction;
    }

    /** The shard of a document: a seeded hash of its id modulo {@code shards}. */
    static int shardOf(long seed, String docId, int shards) {
        return (int) Math.floorMod(Seeds.of(seed, docId, -2), (long) shards);
    }

    /** A 64-bit hash mapped to [0, 1). */
    static double unit(long hash) {
        return (hash >>> 11) * 0x1.0p-53;
    }

    /**
     * The input of one split and its shards: documents and WordPiece tokens (summed sentence lengths), the
     * effective shard count ({@link MlmShards#count}) and the tokens of the largest shard.
     */
    record SplitShards(long documents, long tokens, int shards, long largestShardTokens) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("documents", documents);
            m.put("tokens", tokens);
            m.put("largest_shard_tokens", largestShardTokens);
            return m;
        }
    }

    /**
     * Sizes the shards of both splits from the input's tokens: one read of {@code doc_id} and the sentence lengths
     * (Spark SQL {@code aggregate} over {@code size(sentence)}; no token ids reach Java), documents and tokens per
     * split, {@link MlmShards#count} per split, then the tokens of every shard (from the same cached sizes) for the
     * report. A token count depends on the corpus only, never on the input's files or partitioning.
     *
     * @return {@code train} and {@code heldout}, in that order
     * @throws IllegalArgumentException (in a task) for a row without {@code doc_id}, naming the input and its file
     */
    static Map<String, SplitShards> planShards(Dataset<Row> input, String path, long seed, double heldoutFraction,
                                               int minShards, long targetShardTokens) {
        JavaRDD<Tuple2<String, Long>> sizes = input.select(functions.col("doc_id"),
                        functions.expr("aggregate(sentences, 0L, (n, s) -> n + greatest(size(s), 0))"),
                        functions.input_file_name())
                .javaRDD()
                .map(r -> {
                    if (r.isNullAt(0)) {
                        throw new IllegalArgumentException(path + ": a document without doc_id (file " + r.getString(2)
                                + ")");
                    }
                    return new Tuple2<>(r.getString(0), r.isNullAt(1) ? 0L : r.getLong(1));
                })
                .persist(StorageLevel.DISK_ONLY());
        try {
            // documents, tokens of train; documents, tokens of heldout
            long[] t = sizes.map(d -> isHeldout(seed, d._1(), heldoutFraction)
                    ? new long[] {0, 0, 1, d._2()} : new long[] {1, d._2(), 0, 0}).fold(new long[4], ExamplesStage::sum);
            int trainShards = MlmShards.count(t[1], minShards, targetShardTokens);
            int heldoutShards = MlmShards.count(t[3], minShards, targetShardTokens);
            // key: shard of train, or -1 - shard of heldout
            Map<Integer, Long> perShard = sizes.mapToPair(d -> {
                boolean heldout = isHeldout(seed, d._1(), heldoutFraction);
                int shard = shardOf(seed, d._1(), heldout ? heldoutShards : trainShards);
                return new Tuple2<>(heldout ? -1 - shard : shard, d._2());
            }).reduceByKey(Long::sum).collectAsMap();
            long largestTrain = 0;
            long largestHeldout = 0;
            for (Map.Entry<Integer, Long> e : perShard.entrySet()) {
                if (e.getKey() >= 0) {
                    largestTrain = Math.max(largestTrain, e.getValue());
                } else {
                    largestHeldout = Math.max(largestHeldout, e.getValue());
                }
            }
            Map<String, SplitShards> m = new java.util.LinkedHashMap<>();
            m.put("train", new SplitShards(t[0], t[1], trainShards, largestTrain));
            m.put("heldout", new SplitShards(t[2], t[3], heldoutShards, largestHeldout));
            return m;
        } finally {
            sizes.unpersist(false);
        }
    }

    private static long[] sum(long[] a, long[] b) {
        long[] s = a.clone();
        for (int i = 0; i < s.length; i++) {
            s[i] += b[i];
        }
        return s;
    }

    public static StageReport runMlm(SparkSession spark, MlmOptions o) {
        StageReport report = new StageReport("examples-mlm");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        OutputMarker.claim(o.output(), report.stage(), hconf);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Vocab vocab = VocabStage.readVocab(o.vocab(), hconf);
        MaskedLmConfig cfg = o.config();
        SpecialIds ids = new SpecialIds(vocab.padId(), vocab.clsId(), vocab.sepId(), vocab.maskId(), vocab.size());
        Broadcast<boolean[]> cont = jsc.broadcast(PretrainingDataGenerator.continuationFlags(vocab.tokens()));
        long seed = cfg.seed();
        double heldoutFraction = o.heldoutFraction();
        Dataset<Row> input = spark.read().parquet(o.tokenized());
        Map<String, SplitShards> plan = planShards(input, o.tokenized(), seed, heldoutFraction, o.shards(),
                o.targetShardTokens());
        OutputFormat format = o.format();

        boolean dynamic = cfg.masking() == MaskingMode.DYNAMIC;
        int binSize = o.binSize();
        StructType schema = mlmSchema(dynamic, binSize > 0);
        DynamicMasker masker = dynamic ? new DynamicMasker(cfg, ids, cont.value()) : null;

        Map<String, Object> stats = report.section("statistics");
        for (String split : SPLITS) {
            boolean heldout = split.equals("heldout");
            // dynamic masking: the training split is written unmasked; the held-out split gets the fixed epoch-0
            // masks, so that evaluation sees the same masks every time
            boolean maskNow = dynamic && heldout;
            int shards = plan.get(split).shards();
            JavaPairRDD<Integer, Tuple2<String, int[][]>> keyed = input.select("doc_id", "sentences").javaRDD()
                    .filter(r -> isHeldout(seed, r.getString(0), heldoutFraction) == heldout)
                    .mapToPair(r -> new Tuple2<>(shardOf(seed, r.getString(0), shards),
                            new Tuple2<>(r.getString(0), Rows.intArrays(r, 1))));
            JavaRDD<Row> rows = keyed.groupByKey(new ModuloPartitioner(shards)) // partition = shard, whatever the cluster
                    .flatMap(g -> generateShard(g._2(), cfg, ids, cont.value(), maskNow ? masker : null, binSize));
            // on local disk, not in the heap: the shard being generated (a groupByKey buffer of up to
            // target_shard_tokens tokens and its instances) needs the task's heap; with MEMORY_AND_DISK the cached
            // instances filled a 3 GiB executor heap at 16x IMDB and a shard task ran out of memory (bench/scale.sh)
            Dataset<Row> instances = spark.createDataFrame(rows, schema).persist(StorageLevel.DISK_ONLY());

            if (format.parquet()) {
                String target = HadoopFiles.join(o.output(), split);
                String tmp = HadoopFiles.temporarySibling(target, hconf);
                if (binSize > 0) {
                    instances.write().partitionBy(LENGTH_BIN).parquet(tmp);
                } else {
                    instances.write().parquet(tmp);
                }
                HadoopFiles.commit(report.stage(), tmp, target, hconf);
            }
            Map<Integer, Long> bins = binSize > 0 ? lengthBinCounts(instances) : Map.of();
            if (format.tfrecord()) {
                if (binSize > 0) {
                    for (Map.Entry<Integer, Long> b : bins.entrySet()) {
                        int bin = b.getKey();
                        int col = schema.fieldIndex(LENGTH_BIN);
                        writeTfRecords(instances.javaRDD().filter(r -> r.getInt(col) == bin),
                                tfRecordBin(o.output(), split, bin), hconf);
                    }
                } else {
                    writeTfRecords(instances.javaRDD(), tfRecords(o.output(), split), hconf);
                }
            }
            JavaRDD<Row> forStats = dynamic && !heldout
                    ? instances.javaRDD().map(r -> maskRow(r, masker, 0)) : instances.javaRDD();
            Map<String, Object> s = statistics(forStats, cfg, ids);
            s.put("documents", instances.select("doc_id").distinct().count());
            if (dynamic && !heldout) {
                s.put("statistics_masks", "epoch 0 of the dynamic masks (the files hold no masks)");
            }
            if (binSize > 0) {
                Map<String, Object> hist = new java.util.LinkedHashMap<>();
                bins.forEach((b, n) -> hist.put(LengthBins.lower(b, binSize) + "-" + LengthBins.upper(b, binSize), n));
                s.put("length_bins", hist);
            }
            stats.put(split, s);
            instances.unpersist();
        }
        if (dynamic) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("max_predictions_per_seq", cfg.maxPredictionsPerSeq());
            m.put("masked_lm_prob", cfg.maskedLmProb());
            m.put("whole_word_masking", cfg.wholeWordMasking());
            m.put("seed", cfg.seed());
            HadoopFiles.writeString(HadoopFiles.join(o.output(), DYNAMIC_MASKING_FILE), hconf,
                    StageReport.toJson(m) + "\n");
        }
        Map<String, Object> config = new java.util.LinkedHashMap<>();
        config.put("max_seq_length", cfg.maxSeqLength());
        config.put("max_predictions_per_seq", cfg.maxPredictionsPerSeq());
        config.put("masked_lm_prob", cfg.maskedLmProb());
        config.put("short_seq_prob", cfg.shortSeqProb());
        config.put("dupe_factor", cfg.dupeFactor());
        config.put("seed", cfg.seed());
        config.put("whole_word_masking", cfg.wholeWordMasking());
        config.put("task", cfg.task().optionName());
        config.put("masking", cfg.masking().optionName());
        config.put("bin_size", binSize);
        config.put("min_shards", o.shards());
        config.put("target_shard_tokens", o.targetShardTokens());
        Map<String, Object> shardCounts = new java.util.LinkedHashMap<>();
        Map<String, Object> inputSizes = new java.util.LinkedHashMap<>();
        plan.forEach((split, p) -> {
            shardCounts.put(split, p.shards());
            inputSizes.put(split, p.toMap());
        });
        config.put("shards", shardCounts);
        config.put("input", inputSizes);
        config.put("heldout_fraction", heldoutFraction);
        config.put("format", format.name().toLowerCase(java.util.Locale.ROOT));
        HadoopFiles.writeString(HadoopFiles.join(o.output(), CONFIG_FILE), hconf, StageReport.toJson(config) + "\n");
        report.put("config", config);
        report.put("output", o.output());
        return report.finish();
    }

    /**
     * Instance statistics of one split: instances, tokens (incl. [CLS]/[SEP]), padding share, masking
     * candidates (real tokens except [CLS]/[SEP]), masked share of candidates, how masked positions were
     * filled ([MASK] / kept / random id; a random id equal to the original counts as kept), instances at
     * the max_predictions cap, random-next (NSP label 1) share.
     */
    static Map<String, Object> statistics(JavaRDD<Row> instances, MaskedLmConfig cfg, SpecialIds ids) {
        long[] c = instances.map(r -> {
            int[] in = Rows.ints(r, 0);
            int[] mask = Rows.ints(r, 1);
            int[] pos = Rows.ints(r, 3);
            int[] orig = Rows.ints(r, 4);
            float[] w = Rows.floats(r, 5);
            long[] k = new long[9];
            int len = 0;
            int specials = 0;
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] == 1) {
                    len++;
                    if (in[i] == ids.cls() || in[i] == ids.sep()) {
                        specials++;
                    }
                }
            }
            int masked = 0;
            for (int j = 0; j < pos.length; j++) {
                if (w[j] == 0f) {
                    continue;
                }
                masked++;
                int now = in[pos[j]];
                if (now == orig[j]) {
                    k[5]++;
                } else if (now == ids.mask()) {
                    k[4]++;
                } else {
                    k[6]++;
                }
                // a masked [CLS]/[SEP] id cannot occur (they are never candidates); a replacement that is
                // [CLS]/[SEP] was counted as special above though it is a candidate
                if (now == ids.cls() || now == ids.sep()) {
                    specials--;
                }
            }
            k[0] = 1;
            k[1] = len;
            k[2] = len - specials;
            k[3] = masked;
            k[7] = r.getInt(6);
            k[8] = masked == cfg.maxPredictionsPerSeq() ? 1 : 0;
            return k;
        }).fold(new long[9], (a, b) -> {
            long[] s = a.clone();
            for (int i = 0; i < s.length; i++) {
                s[i] += b[i];
            }
            return s;
        });
        long n = c[0];
        Map<String, Object> s = new java.util.LinkedHashMap<>();
        s.put("instances", n);
        s.put("tokens", c[1]);
        s.put("padding_share", n == 0 ? 0.0 : 1.0 - (double) c[1] / (n * (long) cfg.maxSeqLength()));
        s.put("candidates", c[2]);
        s.put("masked_lm_predictions", c[3]);
        s.put("masked_share_of_candidates", c[2] == 0 ? 0.0 : (double) c[3] / c[2]);
        s.put("masked_share_of_tokens", c[1] == 0 ? 0.0 : (double) c[3] / c[1]);
        s.put("masked_as_mask_share", c[3] == 0 ? 0.0 : (double) c[4] / c[3]);
        s.put("masked_kept_share", c[3] == 0 ? 0.0 : (double) c[5] / c[3]);
        s.put("masked_random_share", c[3] == 0 ? 0.0 : (double) c[6] / c[3]);
        s.put("instances_at_max_predictions_share", n == 0 ? 0.0 : (double) c[8] / n);
        s.put("next_sentence_random_share", n == 0 ? 0.0 : (double) c[7] / n);
        return s;
    }

    /**
     * One {@code tf.train.Example} with the features of Google's {@code run_pretraining.py}: int64 lists
     * {@code input_ids}, {@code input_mask}, {@code segment_ids}, {@code masked_lm_positions},
     * {@code masked_lm_ids}, {@code next_sentence_labels} (length 1), float list {@code masked_lm_weights}.
     */
    public static Example toTfExample(PretrainingInstance p) {
        return toTfExample(p.inputIds(), p.inputMask(), p.segmentIds(), p.maskedLmPositions(), p.maskedLmIds(),
                p.maskedLmWeights(), p.nextSentenceLabel());
    }

    static Example toTfExample(int[] inputIds, int[] inputMask, int[] segmentIds, int[] positions, int[] lmIds,
                               float[] weights, int nextSentenceLabel) {
        Features.Builder f = Features.newBuilder()
                .putFeature("input_ids", int64(inputIds))
                .putFeature("input_mask", int64(inputMask))
                .putFeature("segment_ids", int64(segmentIds))
                .putFeature("masked_lm_positions", int64(positions))
                .putFeature("masked_lm_ids", int64(lmIds))
                .putFeature("masked_lm_weights", floats(weights))
                .putFeature("next_sentence_labels", int64(new int[] {nextSentenceLabel}));
        return Example.newBuilder().setFeatures(f).build();
    }

    private static Feature int64(int[] values) {
        Int64List.Builder b = Int64List.newBuilder();
        for (int v : values) {
            b.addValue(v);
        }
        return Feature.newBuilder().setInt64List(b).build();
    }

    private static Feature floats(float[] values) {
        FloatList.Builder b = FloatList.newBuilder();
        for (float v : values) {
            b.addValue(v);
        }
        return Feature.newBuilder().setFloatList(b).build();
    }

    private static Example toTfExample(Row r) {
        return toTfExample(Rows.ints(r, 0), Rows.ints(r, 1), Rows.ints(r, 2), Rows.ints(r, 3), Rows.ints(r, 4),
                Rows.floats(r, 5), r.getInt(6));
    }

    /** Writes rows of {@link #MLM_SCHEMA} as uncompressed TFRecord files, one per partition, atomically. */
    static void writeTfRecords(JavaRDD<Row> instances, String target, Configuration hconf) {
        String tmp = HadoopFiles.temporarySibling(target, hconf);
        Configuration conf = new Configuration(hconf);
        conf.setBoolean("mapreduce.output.fileoutputformat.compress", false);
        instances.mapToPair(r -> new Tuple2<>(new BytesWritable(toTfExample(r).toByteArray()), NullWritable.get()))
                .saveAsNewAPIHadoopFile(tmp, BytesWritable.class, NullWritable.class, TFRecordFileOutputFormat.class,
                        conf);
        HadoopFiles.commit("examples-mlm", tmp, target, hconf);
    }

    private static Iterator<Row> generateShard(Iterable<Tuple2<String, int[][]>> docs, MaskedLmConfig cfg,
                                               SpecialIds ids, boolean[] continuation, DynamicMasker maskNow,
                                               int binSize) {
        // references only: the token arrays stay the ones Spark's groupByKey buffered, so the task holds the
        // shard's documents once (plus the generator's instances)
        List<Tuple2<String, int[][]>> sorted = new ArrayList<>();
        docs.forEach(sorted::add);
        // doc_id, then content: the order of documents with the same id must not depend on the input order
        sorted.sort(Comparator.<Tuple2<String, int[][]>, String>comparing(Tuple2::_1)
                .thenComparing(Tuple2::_2, ExamplesStage::compareSentences));
        List<String> docIds = new ArrayList<>(sorted.size());
        List<int[][]> bodies = new ArrayList<>(sorted.size());
        for (Tuple2<String, int[][]> d : sorted) {
            docIds.add(d._1());
            bodies.add(d._2());
        }
        sorted = null;
        PretrainingDataGenerator gen = new PretrainingDataGenerator(cfg, ids, continuation);
        // the generator keeps the shard compact (unpadded); rows are built one at a time as Spark pulls them
        Iterator<PretrainingInstance> it = gen.iterate(docIds, bodies, new dev.pretrain.examples.mlm.GenerationStats());
        boolean dynamic = cfg.masking() == MaskingMode.DYNAMIC;
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Row next() {
                PretrainingInstance p = it.next();
                if (maskNow != null) {
                    p = maskNow.mask(p, 0);
                }
                List<Object> values = new ArrayList<>(10);
                values.add(Rows.boxed(p.inputIds()));
                values.add(Rows.boxed(p.inputMask()));
                values.add(Rows.boxed(p.segmentIds()));
                values.add(Rows.boxed(p.maskedLmPositions()));
                values.add(Rows.boxed(p.maskedLmIds()));
                values.add(Rows.boxed(p.maskedLmWeights()));
                values.add(p.nextSentenceLabel());
                values.add(p.docId());
                if (dynamic) {
                    values.add(p.instanceId());
                }
                if (binSize > 0) {
                    values.add(LengthBins.of(p.length(), binSize));
                }
                return RowFactory.create(values.toArray());
            }
        };
    }

    /**
     * A row of an unmasked (dynamic-masking) split with the masks of {@code epoch}: same schema, input_ids and
     * masked_lm_* replaced. The row must have the {@code instance_id} column.
     */
    public static Row maskRow(Row r, DynamicMasker masker, int epoch) {
        DynamicMasker.Masked m = masker.mask(Rows.ints(r, 0), Rows.ints(r, 1), r.getString(r.fieldIndex(INSTANCE_ID)),
                epoch);
        Object[] v = new Object[r.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.get(i);
        }
        // Seq values, as in rows read from a Dataset (Row.getList reads them)
        v[0] = scala.collection.mutable.WrappedArray.make(Rows.boxed(m.inputIds()));
        v[3] = scala.collection.mutable.WrappedArray.make(Rows.boxed(m.maskedLmPositions()));
        v[4] = scala.collection.mutable.WrappedArray.make(Rows.boxed(m.maskedLmIds()));
        v[5] = scala.collection.mutable.WrappedArray.make(Rows.boxed(m.maskedLmWeights()));
        return new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(v, r.schema());
    }

    /** Instances per length bin (ascending bins; empty bins absent). */
    static Map<Integer, Long> lengthBinCounts(Dataset<Row> instances) {
        Map<Integer, Long> m = new java.util.TreeMap<>();
        for (Row r : instances.groupBy(LENGTH_BIN).count().collectAsList()) {
            m.put(r.getInt(0), r.getLong(1));
        }
        return m;
    }

    /** The TFRecord folder of one length bin of a split: {@code tfrecord/<split>/length_bin=<bin>}. */
    public static String tfRecordBin(String mlmDir, String split, int bin) {
        return HadoopFiles.join(tfRecords(mlmDir, split), LENGTH_BIN + "=" + bin);
    }

    private static int compareSentences(int[][] a, int[][] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            int c = Arrays.compare(a[i], b[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.length, b.length);
    }

    public static StageReport runSkipGram(SparkSession spark, SkipGramOptions o) {
        StageReport report = new StageReport("examples-skipgram");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        OutputMarker.claim(o.output(), report.stage(), hconf);
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
        HadoopFiles.commit(report.stage(), tmp, target, hconf);
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
