package dev.pretrain.jobs.stages;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;

import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.OutputMarker;
import dev.pretrain.model.bert.BertConfig;
import dev.pretrain.model.bert.BertModelIO;
import dev.pretrain.model.eval.InMemoryWordEmbeddings;
import dev.pretrain.model.export.HfBertExport;
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
 *   <li>{@code hf/}: the BERT model as a HuggingFace {@code BertForPreTraining} folder ({@code config.json},
 *       {@code model.safetensors}, {@code vocab.txt}, {@code tokenizer_config.json}; see {@link HfBertExport}),
 *       for {@code BertForPreTraining.from_pretrained("hf")} and {@code BertTokenizer.from_pretrained("hf")}.</li>
 * </ul>
 */
public final class ExportStage {
    /** Export inputs; either model may be null. */
    public record Options(String word2vecDir, String bertDir, String output) {}

    private ExportStage() {}

    /**
     * Writes the HF folder of a train-bert output; returns the number of tensors written.
     *
     * @throws UncheckedIOException if model.zip cannot be read
     */
    static int exportHf(String bertDir, String hf, Configuration hconf) {
        BertConfig cfg = BertConfig.fromJson(HadoopFiles.readString(BertStage.configFile(bertDir), hconf));
        ComputationGraph net;
        try (InputStream in = HadoopFiles.open(BertStage.modelFile(bertDir), hconf)) {
            net = BertModelIO.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BertStage.modelFile(bertDir) + ": " + e.getMessage(), e);
        }
        String vocabFile = HadoopFiles.join(bertDir, "vocab.txt");
        List<String> vocab = HadoopFiles.readString(vocabFile, hconf).lines().toList();
        HfBertExport.checkVocab(cfg, vocab);
        Map<String, HfBertExport.Tensor> tensors = HfBertExport.stateDict(net, cfg);
        HadoopFiles.writeAtomically(HadoopFiles.join(hf, "model.safetensors"), hconf,
                out -> HfBertExport.writeSafetensors(tensors, out));
        HadoopFiles.writeString(HadoopFiles.join(hf, "config.json"), hconf,
                HfBertExport.configJson(cfg, HfBertExport.padTokenId(vocab)));
        HadoopFiles.writeString(HadoopFiles.join(hf, "tokenizer_config.json"), hconf,
                HfBertExport.tokenizerConfigJson(HfBertExport.isUncasedVocab(vocab), cfg.getMaxPositionEmbeddings()));
        HadoopFiles.copy(vocabFile, HadoopFiles.join(hf, "vocab.txt"), hconf);
        return tensors.size();
    }

    public static StageReport run(SparkSession spark, Options o) {
        StageReport report = new StageReport("export");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        OutputMarker.claim(o.output(), report.stage(), hconf);
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
            String hf = HadoopFiles.join(o.output(), "hf");
            report.put("hf_tensors", exportHf(o.bertDir(), hf, hconf));
            files.put("hf", hf);
        }
        report.put("outputs", files);
        return report.finish();
    }
}
