package dev.pretrain.jobs.stages;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import dev.pretrain.corpus.tokenize.SpecialTokens;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.corpus.tokenize.WordPieceTrainer;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.HadoopFiles;

/**
 * {@code vocab}: a WordPiece {@code vocab.txt} for the document shards.
 *
 * <p>Word counts are computed on Spark ({@link WordCounting}); the words seen at least
 * {@code minFrequency} times go to the {@link WordPieceTrainer} on the driver (HuggingFace's
 * WordPiece trainer algorithm, BERT's special tokens first). With {@code existingVocab} the given
 * file (e.g. bert-base-uncased's vocab.txt) is validated and used instead of training.
 *
 * <p>Outputs under {@code output}: {@code vocab.txt} (one token per line, line = id) and
 * {@code word_counts/} (Parquet: {@code word} string, {@code count} int64, most frequent first).
 */
public final class VocabStage {
    /** Vocabulary settings; {@code existingVocab} null to train one of {@code vocabSize} tokens. */
    public record Options(String documents, String output, int vocabSize, long minFrequency, boolean lowercase,
                          int numUnused, String existingVocab) {}

    private VocabStage() {}

    public static String vocabFile(String vocabDir) {
        return HadoopFiles.join(vocabDir, "vocab.txt");
    }

    public static StageReport run(SparkSession spark, Options o) {
        StageReport report = new StageReport("vocab");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        Dataset<Row> docs = spark.read().parquet(o.documents());
        JavaPairRDD<String, Long> counts = WordCounting.count(docs, o.lowercase()).persist(StorageLevel.MEMORY_AND_DISK());

        StructType schema = new StructType().add("word", DataTypes.StringType).add("count", DataTypes.LongType);
        Dataset<Row> countsDf = spark.createDataFrame(counts.map(t -> RowFactory.create(t._1(), t._2())), schema);
        String tmp = HadoopFiles.temporarySibling(HadoopFiles.join(o.output(), "word_counts"), hconf);
        countsDf.orderBy(org.apache.spark.sql.functions.col("count").desc(), org.apache.spark.sql.functions.col("word"))
                .coalesce(1).write().parquet(tmp);
        HadoopFiles.commit(tmp, HadoopFiles.join(o.output(), "word_counts"), hconf);
        long distinct = counts.count();
        long words = counts.values().fold(0L, Long::sum);
        report.put("words", words);
        report.put("distinct_words", distinct);

        Vocab vocab;
        if (o.existingVocab() != null) {
            vocab = readVocab(o.existingVocab(), hconf);
            report.put("source", o.existingVocab());
        } else {
            Map<String, Long> frequent = WordCounting.collect(counts, Math.max(1, o.minFrequency()));
            report.put("trainer_words", frequent.size());
            long t0 = System.nanoTime();
            List<String> tokens = new WordPieceTrainer(o.vocabSize(), o.minFrequency(), SpecialTokens.bertDefaults(),
                    o.numUnused()).train(frequent);
            report.put("trainer_seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
            vocab = Vocab.of(tokens);
            report.put("source", "trained");
        }
        counts.unpersist();
        Vocab v = vocab;
        HadoopFiles.writeTextAtomically(vocabFile(o.output()), hconf, v::write);
        report.put("vocab_size", vocab.size());
        report.put("lowercase", o.lowercase());
        report.put("output", vocabFile(o.output()));
        return report.finish();
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
