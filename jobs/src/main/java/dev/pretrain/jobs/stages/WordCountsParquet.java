package dev.pretrain.jobs.stages;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Iterator;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.apache.spark.api.java.JavaPairRDD;
import scala.Tuple2;
import dev.pretrain.jobs.spark.SerializableConfiguration;

/**
 * The vocab stage's {@code word_counts/}: every (word, count) pair in one Parquet file {@code part-00000.parquet}
 * (columns {@code word}: string, UTF-8; {@code count}: int64; both required), most frequent first, ties by word
 * ({@link String#compareTo}), snappy-compressed, readable with {@code spark.read().parquet(folder)}.
 *
 * <p>Written with the plain RDD API and Parquet's own writer (parquet-hadoop, the library under Spark's Parquet
 * source): one shuffle into one task that sorts and writes. Spark SQL's writer needs query planning and code
 * generation, which a cold JVM paid for with about 3 s on a 300,000-word IMDB vocabulary (the one-task write
 * ended 2 s after the trainer; {@code bench/vocab-vs-hf.sh}).
 */
final class WordCountsParquet {
    /** {@code message word_counts { required binary word (STRING); required int64 count; }} */
    static final MessageType SCHEMA = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("word")
            .required(PrimitiveTypeName.INT64).named("count")
            .named("word_counts");

    static final String FILE = "part-00000.parquet";

    private WordCountsParquet() {}

    /**
     * Writes {@code counts} into {@code folder} (created; the caller commits it into place).
     *
     * @throws UncheckedIOException (on the driver, wrapped by Spark) if a file cannot be written
     */
    static void write(JavaPairRDD<String, Long> counts, String folder, SerializableConfiguration conf) {
        counts.mapToPair(t -> new Tuple2<>(new Rank(t._2(), t._1()), Boolean.TRUE))
                .sortByKey(true, 1) // one partition, also for an empty input: the folder always reads as a table
                .foreachPartition(it -> writeFile(it, new Path(folder, FILE), conf));
    }

    private static void writeFile(Iterator<Tuple2<Rank, Boolean>> rows, Path file, SerializableConfiguration conf)
            throws IOException {
        SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(file, conf.get()))
                .withType(SCHEMA)
                .withConf(conf.get())
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .build()) {
            while (rows.hasNext()) {
                Rank r = rows.next()._1();
                w.write(groups.newGroup().append("word", r.word).append("count", r.count));
            }
        }
    }

    /** Sort key: count descending, then word ascending. */
    static final class Rank implements Comparable<Rank>, Serializable {
        private static final long serialVersionUID = 1L;
        final long count;
        final String word;

        Rank(long count, String word) {
            this.count = count;
            this.word = word;
        }

        @Override
        public int compareTo(Rank o) {
            int c = Long.compare(o.count, count);
            return c != 0 ? c : word.compareTo(o.word);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Rank r && r.count == count && r.word.equals(word);
        }

        @Override
        public int hashCode() {
            return word.hashCode() * 31 + Long.hashCode(count);
        }
    }
}
