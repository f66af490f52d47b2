package dev.pretrain.jobs.pipeline;

import dev.pretrain.jobs.spark.HadoopFiles;

/** Where each stage of a pipeline run writes, below the run folder. */
public record RunLayout(String root) {
    public String documents() { return HadoopFiles.join(root, "documents"); }
    public String vocab() { return HadoopFiles.join(root, "vocab"); }
    public String vocabFile() { return HadoopFiles.join(root, "vocab", "vocab.txt"); }
    public String tokenized() { return HadoopFiles.join(root, "tokenized"); }
    public String mlmExamples() { return HadoopFiles.join(root, "examples", "mlm"); }
    public String skipGramExamples() { return HadoopFiles.join(root, "examples", "skipgram"); }
    public String word2vec() { return HadoopFiles.join(root, "word2vec"); }
    public String bert() { return HadoopFiles.join(root, "bert"); }
    public String eval() { return HadoopFiles.join(root, "eval"); }
    public String export() { return HadoopFiles.join(root, "export"); }
    public String reports() { return HadoopFiles.join(root, "reports"); }
    public String report() { return HadoopFiles.join(root, "report.json"); }
    public String summary() { return HadoopFiles.join(root, "summary.md"); }
}
