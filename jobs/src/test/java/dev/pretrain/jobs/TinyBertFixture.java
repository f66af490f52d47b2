package dev.pretrain.jobs;

import dev.pretrain.corpus.tokenize.SpecialTokens;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.corpus.tokenize.WordCounter;
import dev.pretrain.corpus.tokenize.WordPieceTrainer;
import dev.pretrain.model.bert.BertConfig;
import dev.pretrain.model.bert.BertModel;
import dev.pretrain.model.bert.BertModelIO;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A small untrained BERT folder as train-bert writes it, for the finetune tests. */
public final class TinyBertFixture {
    private TinyBertFixture() {}

    /**
     * Writes {@code vocab.txt} (a 1,000-token WordPiece vocab trained on SST-2's first 5,000 rows: a 30k vocab's MLM
     * decoder would dominate the tests' time), {@code config.json} (BERT-tiny, seq 64) and {@code model.zip} into
     * {@code dir}, which is created; returns it.
     */
    public static Path write(Path dir) throws IOException {
        Path bert = Files.createDirectories(dir);
        WordCounter counts = new WordCounter(true);
        Files.readAllLines(SharedData.DATA.resolve("sst2/train.tsv")).stream().skip(1).limit(5000).forEach(counts::add);
        List<String> tokens = new WordPieceTrainer(1000, 2, SpecialTokens.bertDefaults(), 0).train(counts.toMap(1));
        Vocab.of(tokens).write(bert.resolve("vocab.txt"));
        BertConfig cfg = BertConfig.tiny(tokens.size()).withSequence(64, 5);
        Files.writeString(bert.resolve("config.json"), cfg.toJson());
        try (OutputStream out = Files.newOutputStream(bert.resolve("model.zip"))) {
            BertModelIO.save(BertModel.build(cfg), out);
        }
        return bert;
    }
}
