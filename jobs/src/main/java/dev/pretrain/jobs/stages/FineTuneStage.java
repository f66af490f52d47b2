package dev.pretrain.jobs.stages;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;

import scala.Tuple2;

import dev.pretrain.corpus.tokenize.BertTokenizer;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.model.bert.BertConfig;
import dev.pretrain.model.bert.BertExample;
import dev.pretrain.model.bert.BertModelIO;
import dev.pretrain.model.bert.BertSequenceClassification;
import dev.pretrain.model.bert.BertTrainingConfig;
import dev.pretrain.model.bert.EpochPermutation;

/**
 * {@code finetune}: sentence classification fine-tuning of a {@code train-bert} model ({@link BertSequenceClassification},
 * Google BERT's {@code run_classifier.py} recipe) on a labelled TSV, and, with the same budget (examples, steps,
 * learning rate, seed), of the same architecture from random initialisation, so that the transfer is measured.
 *
 * <p>Spark reads the TSV files (any Hadoop path, {@code .gz}) and, on the executors, chooses the rows (evenly spaced,
 * {@code --max-train}/{@code --max-eval}), validates the labels and tokenizes them into {@link BertExample}s, which
 * stay cached on the executors. The model trains on the driver (one model), fed by streaming: each epoch the
 * executors compute every example's place in that epoch's order ({@link EpochPermutation} of the seed and epoch, from
 * the example's index alone, so the order does not depend on partitioning), sort by it into blocks of
 * {@value #STREAM_BLOCK} examples, and the driver fetches one block at a time ({@code toLocalIterator}). The driver
 * thus holds at most one block plus one minibatch, whatever the size of the files; evaluation streams the same way.
 * The training order is {@link BertSequenceClassification#epochOrder} of the kept rows in file order.
 *
 * <p>Tasks: {@code sst2} (GLUE SST-2: columns {@code sentence}, {@code label} 0/1) and {@code imdb} (aclImdb TSV:
 * columns {@code split} train/test, {@code label} neg/pos, {@code review}; {@code <br />} become spaces). For
 * {@code imdb} the {@code train} rows of the training file train and the {@code test} rows of the evaluation file
 * (by default the same file) evaluate.
 *
 * <p>Report: {@code train_examples}, {@code eval_examples}, {@code steps}, {@code accuracy_pretrained},
 * {@code accuracy_random_init}, {@code accuracy_gain} (points), {@code majority_class_accuracy}.
 */
public final class FineTuneStage {
    /** Examples per block that the driver fetches at once while streaming (training and evaluation). */
    public static final int STREAM_BLOCK = 1024;

    /** Examples per forward pass of the evaluation. */
    static final int EVAL_BATCH = 64;

    /**
     * @param bertDir      {@code train-bert} output folder ({@code model.zip}, {@code config.json}, {@code vocab.txt})
     * @param task         {@code sst2} or {@code imdb}
     * @param train        training TSV
     * @param eval         evaluation TSV (SST-2 dev; for imdb its {@code test} rows; null = {@code train})
     * @param maxTrain     at most this many training examples, spread evenly over the file, 0 = all
     * @param maxEval      at most this many evaluation examples, spread evenly over the file, 0 = all
     * @param maxSeqLength tokens per example including [CLS] and [SEP]
     * @param learningRate peak Adam learning rate (10% linear warm-up, then linear decay to 0)
     * @param randomBaseline also fine-tune the random-init model
     */
    public record Options(String bertDir, String task, String train, String eval, int maxTrain, int maxEval,
                          int maxSeqLength, int batchSize, int epochs, double learningRate, long seed,
                          boolean lowercase, boolean randomBaseline) {
        public Options {
            if (!task.equals("sst2") && !task.equals("imdb")) {
                throw new IllegalArgumentException("--task must be sst2 or imdb, got '" + task + "'");
            }
            if (batchSize < 1 || epochs < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("batch size and epochs must be >= 1 and the learning rate > 0");
            }
        }
    }

    /** A text with its class. */
    public record Labelled(String text, int label) implements java.io.Serializable {}

    private FineTuneStage() {}

    public static StageReport run(SparkSession spark, Options o) {
        StageReport report = new StageReport("finetune");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        BertConfig pretrainedConfig = BertConfig.fromJson(HadoopFiles.readString(BertStage.configFile(o.bertDir()), hconf));
        ComputationGraph pretrained;
        try (InputStream in = HadoopFiles.open(BertStage.modelFile(o.bertDir()), hconf)) {
            pretrained = BertModelIO.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model under " + o.bertDir() + ": " + e.getMessage(), e);
        }
        Vocab vocab = VocabStage.readVocab(HadoopFiles.join(o.bertDir(), "vocab.txt"), hconf);
        BertConfig config = BertSequenceClassification.classificationConfig(pretrainedConfig, o.maxSeqLength());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<BertTokenizer> tokenizer = jsc.broadcast(new BertTokenizer(vocab, o.lowercase()));

        boolean imdb = o.task().equals("imdb");
        String evalPath = o.eval() != null ? o.eval() : o.train();
        // evenly spaced rows, not the first ones: the aclImdb file is sorted by label within each split
        JavaPairRDD<Long, BertExample> train = examples(rows(spark, o.task(), o.train(), imdb ? "train" : null,
                o.maxTrain()), tokenizer, config, vocab.clsId(), vocab.sepId());
        JavaPairRDD<Long, BertExample> eval = examples(rows(spark, o.task(), evalPath, imdb ? "test" : null,
                o.maxEval()), tokenizer, config, vocab.clsId(), vocab.sepId());
        try {
            long trainSize = materialize(train);
            long evalSize = materialize(eval);
            if (trainSize == 0 || evalSize == 0) {
                throw new IllegalArgumentException("finetune: no training or evaluation rows in " + o.train()
                        + (o.eval() != null ? " / " + o.eval() : ""));
            }
            int steps = BertSequenceClassification.steps(Math.toIntExact(trainSize), o.batchSize(), o.epochs());
            BertTrainingConfig tc = new BertTrainingConfig(o.batchSize(), 1, 1, o.epochs(), o.learningRate(), 0.01,
                    Math.max(1, steps / 10), o.seed());
            report.put("task", o.task());
            report.put("train_examples", Math.toIntExact(trainSize));
            report.put("eval_examples", Math.toIntExact(evalSize));
            report.put("steps", steps);
            report.put("max_seq_length", o.maxSeqLength());
            report.put("learning_rate", o.learningRate());
            long positives = eval.filter(t -> t._2().nextSentenceLabel() == 1).count();
            report.put("majority_class_accuracy", Math.max(positives, evalSize - positives) / (double) evalSize);

            double acc = fineTune(pretrained, config, tc, steps, train, trainSize, eval, evalSize, o, report,
                    "pretrained");
            report.put("accuracy_pretrained", acc);
            if (o.randomBaseline()) {
                double base = fineTune(null, config, tc, steps, train, trainSize, eval, evalSize, o, report,
                        "random_init");
                report.put("accuracy_random_init", base);
                report.put("accuracy_gain", Math.round((acc - base) * 10000) / 100.0);
            }
        } finally {
            train.unpersist(false);
            eval.unpersist(false);
            tokenizer.destroy();
        }
        return report.finish();
    }

    private static double fineTune(ComputationGraph pretrained, BertConfig config, BertTrainingConfig tc, int steps,
                                   JavaPairRDD<Long, BertExample> train, long trainSize,
                                   JavaPairRDD<Long, BertExample> eval, long evalSize, Options o, StageReport report,
                                   String name) {
        long t0 = System.nanoTime();
        ComputationGraph net = BertSequenceClassification.initialize(pretrained, config, tc, steps);
        long done = BertSequenceClassification.fit(net,
                epoch -> BertSequenceClassification.batches(epochStream(train, trainSize, o.seed(), epoch), o.batchSize()),
                config, o.epochs());
        if (done != steps) throw new IllegalStateException("finetune: " + done + " steps, expected " + steps);
        double acc = BertSequenceClassification.accuracy(net,
                BertSequenceClassification.batches(stream(eval, evalSize), EVAL_BATCH), config);
        report.put(name + "_seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
        System.err.printf(Locale.ROOT, "[finetune] %s: accuracy %.4f on %d examples after %d steps%n", name, acc,
                evalSize, steps);
        return acc;
    }

    /**
     * Every k-th row so that at most {@code max} remain (0 = all), keeping the file's class mix: the in-memory
     * definition of the rows {@link #rows} keeps on the executors ({@link LabelledRows#spreadPosition}).
     */
    static List<Labelled> spread(List<Labelled> rows, int max) {
        if (max <= 0 || rows.size() <= max) return rows;
        List<Labelled> out = new ArrayList<>(max);
        for (int i = 0; i < max; i++) out.add(rows.get((int) ((long) i * rows.size() / max)));
        return out;
    }

    /**
     * The kept rows of a task's TSV, keyed by their place {@code 0 .. n-1} among the kept rows (file order), computed
     * on the executors: {@code split} keeps only the rows of that split (imdb), null keeps all; {@code max} keeps at
     * most that many rows, evenly spaced ({@link #spread}'s rows), 0 keeps all. Runs one Spark job (row counts per
     * partition); the result is lazy, and a bad label fails the job that first computes it (see {@link #materialize}).
     *
     * @throws IllegalArgumentException naming the file if a column is missing
     */
    static JavaPairRDD<Long, Labelled> rows(SparkSession spark, String task, String path, String split, int max) {
        Dataset<Row> df = spark.read().option("sep", "\t").option("header", "true")
                .option("quote", "\u0000").option("mode", "FAILFAST").csv(path);
        String textCol = task.equals("sst2") ? "sentence" : "review";
        String[] cols = split != null ? new String[] {textCol, "label", "split"} : new String[] {textCol, "label"};
        for (String c : cols) {
            if (!List.of(df.columns()).contains(c)) {
                throw new IllegalArgumentException(path + ": no column '" + c + "' (columns: " + List.of(df.columns())
                        + ") for task " + task);
            }
        }
        int width = cols.length;
        JavaRDD<String[]> raw = df.select(cols[0], java.util.Arrays.copyOfRange(cols, 1, cols.length)).javaRDD().map(r -> {
            String[] a = new String[width];
            for (int i = 0; i < width; i++) a[i] = r.getString(i);
            return a;
        });
        List<long[]> counts = failWithCause(() -> raw.mapPartitionsWithIndex((p, it) -> {
            long all = 0, kept = 0;
            while (it.hasNext()) {
                String[] r = it.next();
                all++;
                if (split == null || split.equals(r[2])) kept++;
            }
            return List.of(new long[] {p, all, kept}).iterator();
        }, false).collect());
        long[] rowCounts = new long[raw.getNumPartitions()];
        long[] splitCounts = new long[raw.getNumPartitions()];
        for (long[] c : counts) {
            rowCounts[(int) c[0]] = c[1];
            splitCounts[(int) c[0]] = c[2];
        }
        LabelledRows selector = new LabelledRows(path, task, split, rowCounts, splitCounts, max);
        return raw.mapPartitionsWithIndex(selector::select, true).mapToPair(t -> t);
    }

    /** The {@link BertExample} of every row, tokenized on the executors, same keys; persisted (memory and disk). */
    static JavaPairRDD<Long, BertExample> examples(JavaPairRDD<Long, Labelled> rows, Broadcast<BertTokenizer> tokenizer,
                                                   BertConfig config, int clsId, int sepId) {
        return rows.mapValues(r -> BertSequenceClassification.example(tokenizer.value().encode(r.text()), r.label(),
                config, clsId, sepId)).persist(StorageLevel.MEMORY_AND_DISK_SER());
    }

    /**
     * Computes and caches {@code rdd}, returning its size.
     *
     * @throws IllegalArgumentException as thrown by a task (a bad label), naming the file and row
     */
    static long materialize(JavaPairRDD<Long, ?> rdd) {
        return failWithCause(rdd::count);
    }

    /**
     * The examples in place order {@code 0 .. size-1}, streamed: the executors sort them into blocks of
     * {@link #STREAM_BLOCK} places, and the returned iterator fetches one block at a time.
     *
     * @param examples keyed by place, places {@code 0 .. size-1} each once
     */
    static Iterator<BertExample> stream(JavaPairRDD<Long, BertExample> examples, long size) {
        return blocks(examples, size).values().toLocalIterator();
    }

    /**
     * Epoch {@code epoch}'s training order, streamed: the example with place {@code i} comes at place
     * {@code new EpochPermutation(size, seed, epoch).apply(i)} (= {@link BertSequenceClassification#epochOrder} of the
     * examples in place order), computed on the executors.
     */
    static Iterator<BertExample> epochStream(JavaPairRDD<Long, BertExample> examples, long size, long seed, int epoch) {
        return stream(epochOrder(examples, size, seed, epoch), size);
    }

    /** The examples re-keyed by their place in epoch {@code epoch}'s order. */
    static JavaPairRDD<Long, BertExample> epochOrder(JavaPairRDD<Long, BertExample> examples, long size, long seed,
                                                    int epoch) {
        EpochPermutation perm = new EpochPermutation(size, seed, epoch);
        return examples.mapToPair(t -> new Tuple2<>(perm.apply(t._1()), t._2()));
    }

    /** The examples in partitions of {@link #STREAM_BLOCK} consecutive places, sorted by place. */
    static JavaPairRDD<Long, BertExample> blocks(JavaPairRDD<Long, BertExample> examples, long size) {
        return examples.repartitionAndSortWithinPartitions(new BlockPartitioner(size, STREAM_BLOCK));
    }

    /** Partition {@code key / block} of {@code ceil(size / block)}: consecutive keys in bounded partitions. */
    static final class BlockPartitioner extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int partitions;
        private final int block;

        BlockPartitioner(long size, int block) {
            this.partitions = Math.toIntExact(Math.max(1, (size + block - 1) / block));
            this.block = block;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return (int) Math.min(partitions - 1, (Long) key / block);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BlockPartitioner b && b.partitions == partitions && b.block == block;
        }

        @Override
        public int hashCode() {
            return partitions * 31 + block;
        }
    }

    /** Runs a Spark action; a task's IllegalArgumentException (a bad label) is rethrown as such on the driver. */
    private static <T> T failWithCause(java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (Exception e) { // Spark's SparkException is checked in Java's eyes, yet not declared
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof IllegalArgumentException iae && c != e) {
                    throw new IllegalArgumentException(iae.getMessage(), e);
                }
            }
            throw e;
        }
    }

    /**
     * The (text, label) rows of a task's TSV in file order, collected to the driver (for small files and tests; the
     * stage itself never collects rows); {@code split} keeps only the rows of that split (imdb), null keeps all.
     *
     * @throws IllegalArgumentException naming the file if a column is missing, and the file, row and label if a
     *                                  label is not recognised
     */
    public static List<Labelled> read(SparkSession spark, String task, String path, String split) {
        JavaPairRDD<Long, Labelled> rows = rows(spark, task, path, split, 0);
        return failWithCause(() -> rows.sortByKey().values().collect());
    }
}
