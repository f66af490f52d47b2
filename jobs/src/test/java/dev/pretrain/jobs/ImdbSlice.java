package dev.pretrain.jobs;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import dev.pretrain.corpus.ingest.Document;
import dev.pretrain.corpus.ingest.DocumentProcessor;
import dev.pretrain.corpus.ingest.DocumentSplitter;
import dev.pretrain.corpus.ingest.IngestOutcome;
import dev.pretrain.corpus.ingest.SentenceSegmenter;
import dev.pretrain.corpus.ingest.SourceSpec;
import dev.pretrain.corpus.ingest.TextFiles;
import dev.pretrain.corpus.tokenize.BertTokenizer;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.jobs.stages.TokenizeStage;

/**
 * The first reviews of the real IMDB unsup corpus, cleaned and sentence-split as ingest does, and
 * tokenized with Google's bert-base-uncased vocab: the input of the examples-stage tests.
 */
final class ImdbSlice {
    static final Path VOCAB = SharedData.DATA.resolve("bert/bert-base-uncased-vocab.txt");
    static final StructType DOCUMENTS = new StructType()
            .add("doc_id", DataTypes.StringType)
            .add("sentences", DataTypes.createArrayType(DataTypes.StringType));

    final List<Document> documents = new ArrayList<>();
    final List<int[][]> tokenized = new ArrayList<>();
    final Vocab vocab;

    /** The first {@code n} kept reviews. */
    ImdbSlice(int n) throws IOException {
        Path file = SharedData.corpus("imdb-aclImdb-v1-unsup-50k.tsv.gz");
        SourceSpec spec = SourceSpec.imdb("imdb", file.toString());
        DocumentProcessor proc = new DocumentProcessor(spec.cleaner(), new SentenceSegmenter("en"), 1, 1);
        try (BufferedReader r = TextFiles.reader(file)) {
            Iterator<String> raw = new DocumentSplitter(spec).split(TextFiles.lines(r));
            while (documents.size() < n && raw.hasNext()) {
                IngestOutcome o = proc.process("imdb", raw.next());
                if (o.kept()) {
                    documents.add(o.document());
                }
            }
        }
        vocab = Vocab.read(VOCAB);
        BertTokenizer tok = new BertTokenizer(vocab, true);
        for (Document d : documents) {
            int[][] s = new int[d.sentences().size()][];
            for (int i = 0; i < s.length; i++) {
                s[i] = tok.encode(d.sentences().get(i));
            }
            tokenized.add(s);
        }
    }

    /** Rows of the tokenize stage's schema (doc_id, sentences, tokens, unknown), in {@code partitions} partitions. */
    Dataset<Row> tokenizedFrame(SparkSession spark, int partitions, boolean reversed) {
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < documents.size(); k++) {
            int[][] s = tokenized.get(k);
            List<List<Integer>> sentences = new ArrayList<>();
            long tokens = 0;
            for (int[] sentence : s) {
                List<Integer> l = new ArrayList<>(sentence.length);
                for (int id : sentence) {
                    l.add(id);
                }
                sentences.add(l);
                tokens += sentence.length;
            }
            rows.add(RowFactory.create(documents.get(k).docId(), sentences, tokens, 0L));
        }
        if (reversed) {
            java.util.Collections.reverse(rows);
        }
        return spark.createDataFrame(rows, TokenizeStage.SCHEMA).repartition(partitions);
    }

    /** Rows (doc_id, sentences as text) like the ingest output, in {@code partitions} partitions. */
    Dataset<Row> documentFrame(SparkSession spark, int partitions, boolean reversed) {
        List<Row> rows = new ArrayList<>();
        for (Document d : documents) {
            rows.add(RowFactory.create(d.docId(), d.sentences()));
        }
        if (reversed) {
            java.util.Collections.reverse(rows);
        }
        return spark.createDataFrame(rows, DOCUMENTS).repartition(partitions);
    }
}
