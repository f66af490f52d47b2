package dev.pretrain.jobs.cli;

import java.util.concurrent.Callable;

import dev.pretrain.jobs.stages.ExportStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"The hand-off folder: word2vec/ (vectors.txt, vectors.bin in word2vec C formats, vocab.txt",
                "with counts), bert/ (DL4J model.zip, vocab.txt, config.json) and hf/ (the BERT model as a HuggingFace",
                "BertForPreTraining folder: config.json, model.safetensors, vocab.txt, tokenizer_config.json)."})
final class ExportCommand implements Callable<Integer> {
    @Mixin SparkOptions spark;

    @Option(names = "--word2vec", description = "Output folder of train-word2vec.")
    String word2vec;

    @Option(names = "--bert", description = "Output folder of train-bert.")
    String bert;

    @Option(names = "--output", required = true, description = "Output folder.")
    String output;

    @Override
    public Integer call() {
        if (word2vec == null && bert == null) {
            throw new IllegalArgumentException("nothing to export: give --word2vec and/or --bert");
        }
        return spark.run("export", s -> ExportStage.run(s, new ExportStage.Options(word2vec, bert, output)));
    }
}
