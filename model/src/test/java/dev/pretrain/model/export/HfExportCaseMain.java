package dev.pretrain.model.export;

import dev.pretrain.model.bert.BertConfig;
import dev.pretrain.model.bert.BertModelIO;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Bench helper (test sources, not shipped): exports a {@code train-bert} output folder ({@code model.zip},
 * {@code config.json}, {@code vocab.txt}) with {@link HfBertExport} into {@code OUT/hf} and writes {@code OUT/case.json}
 * (3 seeded examples of the model's max_position_embeddings (the sequence length it was built for) and max_predictions_per_seq and the DL4J graph's outputs on them)
 * for {@code model/src/test/python/check_hf_export.py OUT}. Used by {@code bench/bert-base-spark.sh} to check a
 * trained BERT-base export against PyTorch.
 *
 * <p>Usage: {@code HfExportCaseMain BERT_RUN_DIR OUT_DIR}
 */
public final class HfExportCaseMain {
    private HfExportCaseMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) throw new IllegalArgumentException("usage: HfExportCaseMain BERT_RUN_DIR OUT_DIR");
        Path run = Path.of(args[0]);
        Path out = Path.of(args[1]);
        BertConfig cfg = BertConfig.fromJson(Files.readString(run.resolve("config.json")));
        ComputationGraph net;
        try (InputStream in = Files.newInputStream(run.resolve("model.zip"))) {
            net = BertModelIO.load(in);
        }
        List<String> vocab = Files.readAllLines(run.resolve("vocab.txt"));
        HfBertExport.write(net, cfg, vocab, true, out.resolve("hf"));
        HfBertExportTest.writeCase(net, cfg, HfBertExportTest.examples(cfg.getMaxPositionEmbeddings(),
                cfg.getMaxPredictionsPerSeq(), cfg.getVocabSize(), 3), out);
        System.out.println("HF-EXPORT-CASE params=" + net.numParams() + " seq=" + cfg.getMaxPositionEmbeddings()
                + " out=" + out);
    }
}
