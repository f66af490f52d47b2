package dev.pretrain.jobs.stages;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;

import dev.pretrain.corpus.tokenize.BertTokenizer;
import dev.pretrain.corpus.tokenize.Vocab;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.model.bert.BertConfig;
import dev.pretrain.model.bert.BertExample;
import dev.pretrain.model.bert.BertModelIO;
import dev.pretrain.model.bert.BertSequenceClassification;
import dev.pretrain.model.bert.BertTrainingConfig;

/**
 * {@code finetune}: sentence classification fine-tuning of a {@code train-bert} model ({@link BertSequenceClassification},
 * Google BERT's {@code run_classifier.py} recipe) on a labelled TSV, and, with the same budget (examples, steps,
 * learning rate, seed), of the same architecture from random initialisation, so that the transfer is measured.
 * Runs on the driver (fine-tuning sets are small); Spark only reads the TSV files (any Hadoop path, {@code .gz}).
 *
 * <p>Tasks: {@code sst2} (GLUE SST-2: columns {@code sentence}, {@code label} 0/1) and {@code imdb} (aclImdb TSV:
 * columns {@code split} train/test, {@code label} neg/pos, {@code review}; {@code <br />} become spaces). For
 * {@code imdb} the {@code train} rows of the training file train and the {@code test} rows of the evaluation file
 * (by default the same file) evaluate.
 *
 * <p>Report: {@code train_examples}, {@code eval_examples}, {@code steps}, {@code accuracy_pretrained},
 * {@code accuracy_random_init}, {@code accuracy_gain} (points), {@code majority_class_accuracy}.
 */
public final class FineTuneStage {
    /**
     * @param bertDir      {@code train-bert} output folder ({@code model.zip}, {@code config.json}, {@code vocab.txt})
     * @param task         {@code sst2} or {@code imdb}
     * @param train        training TSV
     * @param eval         evaluation TSV (SST-2 dev; for imdb its {@code test} rows; null = {@code train})
     * @param maxTrain     at most this many training examples, spread evenly over the file, 0 = all
     * @param maxEval      at most this many evaluation examples, spread evenly over the file, 0 = all
     * @param maxSeqLength tokens per example including [CLS] and [SEP]
     * @param learningRate peak Adam learning rate (10% linear warm-up, then linear decay to 0)
     * @param randomBaseline also fine-tune the random-init model
     */
    public record Options(String bertDir, String task, String train, String eval, int maxTrain, int maxEval,
                          int maxSeqLength, int batchSize, int epochs, double learningRate, long seed,
                          boolean lowercase, boolean randomBaseline) {
        public Options {
            if (!task.equals("sst2") && !task.equals("imdb")) {
                throw new IllegalArgumentException("--task must be sst2 or imdb, got '" + task + "'");
            }
            if (batchSize < 1 || epochs < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("batch size and epochs must be >= 1 and the learning rate > 0");
            }
        }
    }

    /** A text with its class. */
    public record Labelled(String text, int label) {}

    private FineTuneStage() {}

    public static StageReport run(SparkSession spark, Options o) {
        StageReport report = new StageReport("finetune");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        BertConfig pretrainedConfig = BertConfig.fromJson(HadoopFiles.readString(BertStage.configFile(o.bertDir()), hconf));
        ComputationGraph pretrained;
        try (InputStream in = HadoopFiles.open(BertStage.modelFile(o.bertDir()), hconf)) {
            pretrained = BertModelIO.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model under " + o.bertDir() + ": " + e.getMessage(), e);
        }
        Vocab vocab = VocabStage.readVocab(HadoopFiles.join(o.bertDir(), "vocab.txt"), hconf);
        BertTokenizer tokenizer = new BertTokenizer(vocab, o.lowercase());
        BertConfig config = BertSequenceClassification.classificationConfig(pretrainedConfig, o.maxSeqLength());

        boolean imdb = o.task().equals("imdb");
        List<Labelled> trainRows = read(spark, o.task(), o.train(), imdb ? "train" : null);
        List<Labelled> evalRows = read(spark, o.task(), o.eval() != null ? o.eval() : o.train(), imdb ? "test" : null);
        // evenly spaced rows, not the first ones: the aclImdb file is sorted by label within each split
        trainRows = spread(trainRows, o.maxTrain());
        evalRows = spread(evalRows, o.maxEval());
        if (trainRows.isEmpty() || evalRows.isEmpty()) {
            throw new IllegalArgumentException("finetune: no training or evaluation rows in " + o.train()
                    + (o.eval() != null ? " / " + o.eval() : ""));
        }
        List<BertExample> train = examples(trainRows, tokenizer, config, vocab);
        List<BertExample> eval = examples(evalRows, tokenizer, config, vocab);
        int steps = BertSequenceClassification.steps(train.size(), o.batchSize(), o.epochs());
        BertTrainingConfig tc = new BertTrainingConfig(o.batchSize(), 1, 1, o.epochs(), o.learningRate(), 0.01,
                Math.max(1, steps / 10), o.seed());
        report.put("task", o.task());
        report.put("train_examples", train.size());
        report.put("eval_examples", eval.size());
        report.put("steps", steps);
        report.put("max_seq_length", o.maxSeqLength());
        report.put("learning_rate", o.learningRate());
        long positives = evalRows.stream().filter(r -> r.label() == 1).count();
        report.put("majority_class_accuracy", Math.max(positives, evalRows.size() - positives) / (double) evalRows.size());

        double acc = fineTune(pretrained, config, tc, steps, train, eval, o, report, "pretrained");
        report.put("accuracy_pretrained", acc);
        if (o.randomBaseline()) {
            double base = fineTune(null, config, tc, steps, train, eval, o, report, "random_init");
            report.put("accuracy_random_init", base);
            report.put("accuracy_gain", Math.round((acc - base) * 10000) / 100.0);
        }
        return report.finish();
    }

    private static double fineTune(ComputationGraph pretrained, BertConfig config, BertTrainingConfig tc, int steps,
                                   List<BertExample> train, List<BertExample> eval, Options o, StageReport report,
                                   String name) {
        long t0 = System.nanoTime();
        ComputationGraph net = BertSequenceClassification.initialize(pretrained, config, tc, steps);
        BertSequenceClassification.fit(net, train, config, o.batchSize(), o.epochs(), o.seed());
        double acc = BertSequenceClassification.accuracy(net, eval, config, 64);
        report.put(name + "_seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
        System.err.printf(Locale.ROOT, "[finetune] %s: accuracy %.4f on %d examples after %d steps%n", name, acc,
                eval.size(), steps);
        return acc;
    }

    /** Every k-th row so that at most {@code max} remain (0 = all), keeping the file's class mix. */
    static List<Labelled> spread(List<Labelled> rows, int max) {
        if (max <= 0 || rows.size() <= max) return rows;
        List<Labelled> out = new ArrayList<>(max);
        for (int i = 0; i < max; i++) out.add(rows.get((int) ((long) i * rows.size() / max)));
        return out;
    }

    static List<BertExample> examples(List<Labelled> rows, BertTokenizer tokenizer, BertConfig config, Vocab vocab) {
        List<BertExample> out = new ArrayList<>(rows.size());
        for (Labelled r : rows) {
            out.add(BertSequenceClassification.example(tokenizer.encode(r.text()), r.label(), config, vocab.clsId(),
                    vocab.sepId()));
        }
        return out;
    }

    /**
     * The (text, label) rows of a task's TSV in file order; {@code split} keeps only the rows of that split
     * (imdb), null keeps all.
     *
     * @throws IllegalArgumentException naming the file if a column is missing or a label is not recognised
     */
    public static List<Labelled> read(SparkSession spark, String task, String path, String split) {
        Dataset<Row> df = spark.read().option("sep", "\t").option("header", "true")
                .option("quote", "\u0000").option("mode", "FAILFAST").csv(path);
        String textCol = task.equals("sst2") ? "sentence" : "review";
        for (String c : split != null ? new String[] {textCol, "label", "split"} : new String[] {textCol, "label"}) {
            if (!List.of(df.columns()).contains(c)) {
                throw new IllegalArgumentException(path + ": no column '" + c + "' (columns: " + List.of(df.columns())
                        + ") for task " + task);
            }
        }
        if (split != null) df = df.filter(df.col("split").equalTo(split));
        List<Labelled> out = new ArrayList<>();
        Map<String, Integer> labels = new LinkedHashMap<>(Map.of("0", 0, "1", 1, "neg", 0, "pos", 1));
        for (Row r : df.select(textCol, "label").collectAsList()) {
            String text = r.getString(0);
            Integer label = labels.get(r.getString(1) == null ? "" : r.getString(1).strip());
            if (label == null) {
                throw new IllegalArgumentException(path + ": label '" + r.getString(1) + "' is not 0/1 or neg/pos");
            }
            if (text == null) text = "";
            out.add(new Labelled(task.equals("imdb") ? text.replaceAll("<br\\s*/?>", " ") : text, label));
        }
        return out;
    }
}
