package dev.pretrain.jobs.stages;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
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

import dev.pretrain.corpus.tokenize.BertTokenizer;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.corpus.tokenize.WordPieceTokenizer;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.Rows;

/**
 * {@code tokenize}: BERT basic tokenizer + greedy longest-match-first WordPiece.
 *
 * <p>Two modes. Documents: Parquet document shards in, Parquet out with {@code doc_id} string and
 * {@code sentences} array&lt;array&lt;int32&gt;&gt; (WordPiece ids per sentence, no [CLS]/[SEP]), same
 * partitioning as the input. Ids-text: a UTF-8 text file in, one line of space-separated ids per
 * input line out, in input order, as a folder of part files whose concatenation in name order is
 * the whole output.
 */
public final class TokenizeStage {
    /** Tokenization settings. */
    public record Options(String input, String vocab, String output, boolean lowercase, int maxCharsPerWord,
                          boolean idsText) {}

    public static final StructType SCHEMA = new StructType()
            .add("doc_id", DataTypes.StringType)
            .add("sentences", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.IntegerType)))
            .add("tokens", DataTypes.LongType)
            .add("unknown", DataTypes.LongType);

    private TokenizeStage() {}

    public static StageReport run(SparkSession spark, Options o) {
        StageReport report = new StageReport("tokenize");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Vocab vocab = VocabStage.readVocab(o.vocab(), hconf);
        int maxChars = o.maxCharsPerWord() > 0 ? o.maxCharsPerWord() : WordPieceTokenizer.DEFAULT_MAX_INPUT_CHARS_PER_WORD;
        Broadcast<BertTokenizer> tok = jsc.broadcast(new BertTokenizer(vocab, o.lowercase(), o.lowercase(), maxChars));
        int unk = vocab.unkId();
        report.put("vocab", o.vocab());
        report.put("vocab_size", vocab.size());
        report.put("lowercase", o.lowercase());
        report.put("max_input_chars_per_word", maxChars);

        String tmp = HadoopFiles.temporarySibling(o.output(), hconf);
        if (o.idsText()) {
            JavaRDD<String> lines = jsc.textFile(o.input());
            lines.map(line -> join(tok.value().encode(line))).saveAsTextFile(tmp);
            HadoopFiles.commit(tmp, o.output(), hconf);
            report.put("mode", "ids-text");
            report.put("lines", lines.count());
        } else {
            Dataset<Row> docs = spark.read().parquet(o.input());
            JavaRDD<Row> rows = docs.select("doc_id", "sentences").javaRDD()
                    .mapPartitions(it -> encode(it, tok.value(), unk));
            Dataset<Row> out = spark.createDataFrame(rows, SCHEMA).persist(StorageLevel.MEMORY_AND_DISK());
            out.write().parquet(tmp);
            HadoopFiles.commit(tmp, o.output(), hconf);
            Row sums = out.agg(org.apache.spark.sql.functions.count("doc_id"),
                    org.apache.spark.sql.functions.sum("tokens"),
                    org.apache.spark.sql.functions.sum("unknown")).first();
            out.unpersist();
            long tokens = sums.isNullAt(1) ? 0 : sums.getLong(1);
            long unknown = sums.isNullAt(2) ? 0 : sums.getLong(2);
            report.put("mode", "documents");
            report.put("documents", sums.getLong(0));
            report.put("tokens", tokens);
            report.put("unk_tokens", unknown);
            report.put("unk_rate", tokens == 0 ? 0.0 : (double) unknown / tokens);
        }
        report.put("output", o.output());
        return report.finish();
    }

    private static Iterator<Row> encode(Iterator<Row> docs, BertTokenizer tok, int unk) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return docs.hasNext();
            }

            @Override
            public Row next() {
                Row d = docs.next();
                List<String> sentences = d.getList(1);
                List<int[]> ids = new ArrayList<>(sentences.size());
                long tokens = 0;
                long unknown = 0;
                for (String s : sentences) {
                    int[] e = tok.encode(s);
                    if (e.length == 0) {
                        continue;
                    }
                    for (int id : e) {
                        if (id == unk) {
                            unknown++;
                        }
                    }
                    tokens += e.length;
                    ids.add(e);
                }
                return RowFactory.create(d.getString(0), toArrays(ids), tokens, unknown);
            }
        };
    }

    private static Integer[][] toArrays(List<int[]> ids) {
        Integer[][] out = new Integer[ids.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Rows.boxed(ids.get(i));
        }
        return out;
    }

    static String join(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length * 6);
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(ids[i]);
        }
        return sb.toString();
    }
}
