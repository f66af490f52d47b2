package dev.pretrain.jobs.stages;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.model.eval.InMemoryWordEmbeddings;
import dev.pretrain.model.export.Word2VecFormat;

/**
 * {@code export}: the hand-off folder for downstream teams.
 *
 * <ul>
 *   <li>{@code word2vec/vectors.txt} and {@code vectors.bin}: word2vec C text and binary formats
 *       (gensim {@code KeyedVectors.load_word2vec_format(..., binary=False/True)});
 *       {@code vocab.txt}: "word count" lines (word2vec's {@code -save-vocab} format).</li>
 *   <li>{@code bert/model.zip} (DL4J ComputationGraph, {@code ModelSerializer} format),
 *       {@code vocab.txt} (BERT format) and {@code config.json} (BERT config keys).</li>
 * </ul>
 */
public final class ExportStage {
    /** Export inputs; either model may be null. */
    public record Options(String word2vecDir, String bertDir, String output) {}

    private ExportStage() {}

    public static StageReport run(SparkSession spark, Options o) {
        StageReport report = new StageReport("export");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        Map<String, Object> files = new LinkedHashMap<>();
        if (o.word2vecDir() != null) {
            InMemoryWordEmbeddings emb;
            try (InputStream in = HadoopFiles.open(Word2VecStage.vectorsFile(o.word2vecDir()), hconf)) {
                emb = Word2VecFormat.readBinary(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read vectors under " + o.word2vecDir(), e);
            }
            String dir = HadoopFiles.join(o.output(), "word2vec");
            HadoopFiles.writeTextAtomically(HadoopFiles.join(dir, "vectors.txt"), hconf,
                    w -> Word2VecFormat.writeText(emb, w));
            HadoopFiles.writeAtomically(HadoopFiles.join(dir, "vectors.bin"), hconf,
                    out -> Word2VecFormat.writeBinary(emb, out));
            HadoopFiles.copy(HadoopFiles.join(o.word2vecDir(), "vocab.txt"), HadoopFiles.join(dir, "vocab.txt"), hconf);
            files.put("word2vec", dir);
            report.put("word2vec_vectors", emb.size());
        }
        if (o.bertDir() != null) {
            String dir = HadoopFiles.join(o.output(), "bert");
            for (String f : new String[] {"model.zip", "vocab.txt", "config.json"}) {
                HadoopFiles.copy(HadoopFiles.join(o.bertDir(), f), HadoopFiles.join(dir, f), hconf);
            }
            files.put("bert", dir);
        }
        report.put("outputs", files);
        return report.finish();
    }
}
