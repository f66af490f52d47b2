package dev.pretrain.jobs.stages;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
import org.apache.spark.util.CollectionAccumulator;

import dev.pretrain.corpus.tokenize.BertTokenizer;
import dev.pretrain.corpus.tokenize.IntBuffer;
import dev.pretrain.corpus.tokenize.TokenizeCounts;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.corpus.tokenize.WordPieceTokenizer;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.OutputMarker;
import dev.pretrain.jobs.spark.Rows;

/**
 * {@code tokenize}: BERT basic tokenizer + WordPiece (greedy longest-match-first semantics, computed with the
 * linear-time LinMaxMatch algorithm, see {@code WordPieceTokenizer}).
 *
 * <p>Two modes. Documents: Parquet document shards in, Parquet out with {@code doc_id} string and
 * {@code sentences} array&lt;array&lt;int32&gt;&gt; (WordPiece ids per sentence, no [CLS]/[SEP]), same
 * partitioning as the input. Ids-text: a UTF-8 text file in, lines split on '\n' only (a '\r' is
 * kept and tokenized as whitespace; malformed UTF-8 is decoded as U+FFFD), one line of
 * space-separated ids per input line out, in input order, as a folder of part files whose
 * concatenation in name order is the whole output (an empty file gives no line).
 *
 * <p>Report ({@code tokenize.json}): besides the totals, a {@code shards} list with one entry per input
 * partition (Spark partition index {@code shard}): texts ({@code lines} or {@code sentences}), {@code words}
 * (basic-tokenized), {@code tokens}, {@code unk_tokens}, {@code overlong_words} (more than
 * {@code max_input_chars_per_word} code points, each one [UNK]), {@code unk_rate}, {@code overlong_word_rate},
 * {@code tokens_per_word}; and the same figures summed over all shards under {@code totals}. Shard counts are
 * gathered with a Spark accumulator keyed by partition, so a retried task is not counted twice.
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
        OutputMarker.checkReplaceable(o.output(), hconf);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Vocab vocab = VocabStage.readVocab(o.vocab(), hconf);
        int maxChars = o.maxCharsPerWord() > 0 ? o.maxCharsPerWord() : WordPieceTokenizer.DEFAULT_MAX_INPUT_CHARS_PER_WORD;
        Broadcast<BertTokenizer> tok = jsc.broadcast(new BertTokenizer(vocab, o.lowercase(), o.lowercase(), maxChars));
        report.put("vocab", o.vocab());
        report.put("vocab_size", vocab.size());
        report.put("lowercase", o.lowercase());
        report.put("max_input_chars_per_word", maxChars);

        String tmp = HadoopFiles.temporarySibling(o.output(), hconf);
        CollectionAccumulator<Object[]> shards = spark.sparkContext().collectionAccumulator("tokenize-shards");
        if (o.idsText()) {
            // lines split on '\n' only, as HF's harness and Python's str.split('\n'): a lone '\r' is not a line
            // break (jsc.textFile would split there too), and the '\r' of CRLF stays in the line (whitespace)
            JavaRDD<String> lines = spark.read().option("lineSep", "\n").textFile(o.input()).javaRDD();
            lines.mapPartitionsWithIndex((shard, it) -> encodeLines(shard, it, tok.value(), shards), true)
                    .saveAsTextFile(tmp);
            HadoopFiles.commit(report.stage(), tmp, o.output(), hconf);
            report.put("mode", "ids-text");
            TokenizeCounts total = putShards(report, shards, "lines");
            report.put("lines", total.texts);
        } else {
            Dataset<Row> docs = spark.read().parquet(o.input());
            JavaRDD<Row> rows = docs.select("doc_id", "sentences").javaRDD()
                    .mapPartitionsWithIndex((shard, it) -> encode(shard, it, tok.value(), shards), true);
            spark.createDataFrame(rows, SCHEMA).write().parquet(tmp);
            HadoopFiles.commit(report.stage(), tmp, o.output(), hconf);
            // the totals from the committed output (three small columns of the Parquet files), not from a cache of
            // every tokenized row: tokenizing runs once, and nothing but the output is written to disk
            Row sums = spark.read().parquet(o.output()).agg(org.apache.spark.sql.functions.count("doc_id"),
                    org.apache.spark.sql.functions.sum("tokens"),
                    org.apache.spark.sql.functions.sum("unknown")).first();
            long tokens = sums.isNullAt(1) ? 0 : sums.getLong(1);
            long unknown = sums.isNullAt(2) ? 0 : sums.getLong(2);
            report.put("mode", "documents");
            report.put("documents", sums.getLong(0));
            report.put("tokens", tokens);
            report.put("unk_tokens", unknown);
            report.put("unk_rate", tokens == 0 ? 0.0 : (double) unknown / tokens);
            putShards(report, shards, "sentences");
        }
        report.put("output", o.output());
        return report.finish();
    }

    /** Per-shard counts: (shard index, counts), one entry per partition; the last one of a shard wins. */
    private static TokenizeCounts putShards(StageReport report, CollectionAccumulator<Object[]> acc,
                                            String textsName) {
        Map<Integer, TokenizeCounts> byShard = new TreeMap<>();
        for (Object[] e : acc.value()) {
            byShard.put((Integer) e[0], (TokenizeCounts) e[1]);
        }
        List<Map<String, Object>> list = new ArrayList<>(byShard.size());
        TokenizeCounts total = new TokenizeCounts();
        for (Map.Entry<Integer, TokenizeCounts> e : byShard.entrySet()) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("shard", e.getKey());
            m.putAll(e.getValue().toMap(textsName));
            list.add(m);
            total.add(e.getValue());
        }
        report.put("totals", total.toMap(textsName));
        report.put("shards", list);
        return total;
    }

    private static Iterator<String> encodeLines(int shard, Iterator<String> lines, BertTokenizer tok,
                                                CollectionAccumulator<Object[]> shards) {
        TokenizeCounts counts = new TokenizeCounts();
        IntBuffer ids = new IntBuffer();
        StringBuilder sb = new StringBuilder();
        return reportingAtEnd(lines, line -> {
            ids.clear();
            tok.encode(line, ids, counts);
            sb.setLength(0);
            int[] a = ids.array();
            for (int i = 0; i < ids.size(); i++) {
                if (i > 0) {
                    sb.append(' ');
                }
                sb.append(a[i]);
            }
            return sb.toString();
        }, () -> shards.add(new Object[] {shard, counts}));
    }

    private static Iterator<Row> encode(int shard, Iterator<Row> docs, BertTokenizer tok,
                                        CollectionAccumulator<Object[]> shards) {
        TokenizeCounts counts = new TokenizeCounts();
        IntBuffer buf = new IntBuffer();
        return reportingAtEnd(docs, d -> {
            List<String> sentences = d.getList(1);
            List<int[]> ids = new ArrayList<>(sentences.size());
            long tokensBefore = counts.tokens;
            long unknownBefore = counts.unknown;
            for (String s : sentences) {
                buf.clear();
                tok.encode(s, buf, counts);
                if (buf.size() > 0) {
                    ids.add(buf.toArray());
                }
            }
            return RowFactory.create(d.getString(0), toArrays(ids), counts.tokens - tokensBefore,
                    counts.unknown - unknownBefore);
        }, () -> shards.add(new Object[] {shard, counts}));
    }

    /** {@code in} mapped by {@code f}; {@code atEnd} runs once, when the mapped iterator is exhausted. */
    private static <A, B> Iterator<B> reportingAtEnd(Iterator<A> in, java.util.function.Function<A, B> f,
                                                     Runnable atEnd) {
        return new Iterator<>() {
            private boolean reported;

            @Override
            public boolean hasNext() {
                boolean more = in.hasNext();
                if (!more && !reported) {
                    reported = true;
                    atEnd.run();
                }
                return more;
            }

            @Override
            public B next() {
                return f.apply(in.next());
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
}
