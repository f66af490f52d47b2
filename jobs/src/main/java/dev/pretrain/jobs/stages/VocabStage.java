package dev.pretrain.jobs.stages;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.Tuple3;

import dev.pretrain.corpus.tokenize.SpecialTokens;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.corpus.tokenize.WordCounter;
import dev.pretrain.corpus.tokenize.WordPieceTrainer;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.OutputMarker;
import dev.pretrain.jobs.spark.SerializableConfiguration;

/**
 * {@code vocab}: a WordPiece {@code vocab.txt} for the document shards.
 *
 * <p>Word counts are computed on Spark ({@link WordCounting} over the sentences of document shards,
 * or, with {@code textInput}, over the lines of UTF-8 text files split on '\n' only, as HF's trainer
 * reads files); the words seen at least {@code minFrequency} times go to the {@link WordPieceTrainer}
 * on the driver ({@code algorithm}: {@code BPE} = HuggingFace's WordPiece trainer, {@code LIKELIHOOD}
 * = Schuster &amp; Nakajima 2012's likelihood criterion; BERT's special tokens first). While the
 * driver trains, the executors write {@code word_counts/}. With {@code existingVocab} the given file
 * (e.g. bert-base-uncased's vocab.txt) is validated and used instead of training.
 *
 * <p>Report: {@code words}, {@code distinct_words}, {@code trainer_words}, {@code count_seconds}
 * (Spark word count up to the driver's copy), {@code trainer_seconds}, {@code algorithm}, {@code vocab_size}.
 *
 * <p>Outputs under {@code output}: {@code vocab.txt} (one token per line, line = id) and
 * {@code word_counts/} (one Parquet file, {@link WordCountsParquet}: {@code word} string, {@code count} int64, most
 * frequent first, ties by word).
 */
public final class VocabStage {
    /**
     * Vocabulary settings; {@code existingVocab} null to train one of {@code vocabSize} tokens (specials and
     * unused slots included). {@code documents}: Parquet document shards, or with {@code textInput} text
     * files (any Hadoop path/glob), one text per line.
     */
    public record Options(String documents, String output, int vocabSize, long minFrequency, boolean lowercase,
                          int numUnused, String existingVocab, WordPieceTrainer.Algorithm algorithm,
                          boolean textInput) {
        public Options {
            if (algorithm == null) {
                algorithm = WordPieceTrainer.Algorithm.BPE;
            }
        }

        /** BPE (HF's algorithm) on document shards. */
        public Options(String documents, String output, int vocabSize, long minFrequency, boolean lowercase,
                       int numUnused, String existingVocab) {
            this(documents, output, vocabSize, minFrequency, lowercase, numUnused, existingVocab,
                    WordPieceTrainer.Algorithm.BPE, false);
        }
    }

    private VocabStage() {}

    public static String vocabFile(String vocabDir) {
        return HadoopFiles.join(vocabDir, "vocab.txt");
    }

    public static StageReport run(SparkSession spark, Options o) {
        StageReport report = new StageReport("vocab");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        OutputMarker.claim(o.output(), report.stage(), hconf);
        long t0 = System.nanoTime();
        JavaPairRDD<String, Long> counts = (o.textInput() ? countText(spark, o.documents(), o.lowercase())
                : WordCounting.count(spark.read().parquet(o.documents()), o.lowercase()))
                .persist(StorageLevel.DISK_ONLY());
        // word_counts/ written by a second job, submitted first: it shares the count's shuffle and its write
        // overlaps the driver's training
        String tmp = HadoopFiles.temporarySibling(HadoopFiles.join(o.output(), "word_counts"), hconf);
        SerializableConfiguration sconf = new SerializableConfiguration(hconf);
        CompletableFuture<Void> wordCounts = CompletableFuture.runAsync(() -> {
            WordCountsParquet.write(counts, tmp, sconf);
            HadoopFiles.commit(report.stage(), tmp, HadoopFiles.join(o.output(), "word_counts"), hconf);
        });

        long minCount = Math.max(1, o.minFrequency());
        // one job: totals and the words the trainer needs, both from the action's result (one summary per
        // partition), so that a retried or recomputed task cannot count twice (accumulators updated in a
        // transformation may, see the Spark programming guide, "Accumulators")
        boolean train = o.existingVocab() == null;
        List<Tuple3<Long, Long, List<Tuple2<String, Long>>>> parts = counts.mapPartitions(it -> {
            long words = 0;
            long distinct = 0;
            List<Tuple2<String, Long>> keep = new ArrayList<>();
            while (it.hasNext()) {
                Tuple2<String, Long> t = it.next();
                words += t._2();
                distinct++;
                if (train && t._2() >= minCount) { // with an existing vocab only the totals are needed
                    keep.add(t);
                }
            }
            return List.of(new Tuple3<>(words, distinct, keep)).iterator();
        }).collect();
        long totalWords = 0;
        long totalDistinct = 0;
        List<Tuple2<String, Long>> frequent = new ArrayList<>();
        for (Tuple3<Long, Long, List<Tuple2<String, Long>>> p : parts) {
            totalWords += p._1();
            totalDistinct += p._2();
            frequent.addAll(p._3());
        }
        report.put("words", totalWords);
        report.put("distinct_words", totalDistinct);
        report.put("count_seconds", seconds(t0));

        Vocab vocab;
        if (o.existingVocab() != null) {
            vocab = readVocab(o.existingVocab(), hconf);
            report.put("source", o.existingVocab());
        } else {
            Map<String, Long> words = new java.util.HashMap<>(Math.max(16, frequent.size() * 2));
            for (Tuple2<String, Long> t : frequent) {
                words.put(t._1(), t._2());
            }
            report.put("trainer_words", words.size());
            report.put("algorithm", o.algorithm().configName());
            long t1 = System.nanoTime();
            List<String> tokens = new WordPieceTrainer(o.vocabSize(), o.minFrequency(),
                    SpecialTokens.bertDefaults(), o.numUnused(), o.algorithm()).train(words);
            report.put("trainer_seconds", seconds(t1));
            vocab = Vocab.of(tokens);
            report.put("source", "trained");
        }
        wordCounts.join();
        counts.unpersist();
        Vocab v = vocab;
        HadoopFiles.writeTextAtomically(vocabFile(o.output()), hconf, v::write);
        report.put("vocab_size", vocab.size());
        report.put("lowercase", o.lowercase());
        report.put("output", vocabFile(o.output()));
        return report.finish();
    }

    private static double seconds(long since) {
        return Math.round((System.nanoTime() - since) / 1e7) / 100.0;
    }

    /**
     * (word, count) over the lines of text files (split on '\n' only; a '\r' stays in the line, where the
     * basic tokenizer treats it as whitespace), one {@link WordCounter} per partition, then one shuffle
     * ({@code defaultParallelism} reducers) that sums the partitions' counts.
     */
    static JavaPairRDD<String, Long> countText(SparkSession spark, String input, boolean lowercase) {
        // Hadoop's TextInputFormat with '\n' as the record delimiter (plain RDD: no Catalyst planning and
        // code generation for a one-pass count); Text.toString() decodes UTF-8 with U+FFFD replacement.
        Configuration conf = new Configuration(spark.sparkContext().hadoopConfiguration());
        conf.set("textinputformat.record.delimiter", "\n");
        return JavaSparkContext.fromSparkContext(spark.sparkContext())
                .newAPIHadoopFile(input, TextInputFormat.class, LongWritable.class, Text.class, conf)
                .mapPartitionsToPair(lines -> {
                    WordCounter wc = new WordCounter(lowercase);
                    while (lines.hasNext()) {
                        wc.add(lines.next()._2().toString());
                    }
                    List<Tuple2<String, Long>> out = new ArrayList<>(wc.distinct());
                    wc.forEach((w, c) -> out.add(new Tuple2<>(w, c)));
                    return out.iterator();
                })
                // each map task already emits every word once: no map-side combine (its hash map and sort cost
                // more than the counting), so the shuffle writes straight to the reducers' files (bypass merge)
                .combineByKey(c -> c, Long::sum, Long::sum, new HashPartitioner(Math.max(1, spark.sparkContext()
                        .defaultParallelism())), false, null);
    }

    /** Reads and validates a vocab.txt from any Hadoop path. */
    public static Vocab readVocab(String file, Configuration conf) {
        try {
            Vocab v = Vocab.read(new StringReader(HadoopFiles.readString(file, conf)));
            v.unkId();
            v.clsId();
            v.sepId();
            v.maskId();
            v.padId();
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read vocab " + file, e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException("invalid vocab file " + file + ": " + e.getMessage(), e);
        }
    }
}
