package dev.pretrain.jobs.stages;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import dev.pretrain.corpus.tokenize.BasicTokenizer;
import dev.pretrain.examples.Seeds;
import dev.pretrain.examples.skipgram.WordVocab;
import dev.pretrain.jobs.report.StageReport;
import dev.pretrain.jobs.spark.HadoopFiles;
import dev.pretrain.jobs.spark.OutputMarker;
import dev.pretrain.model.eval.InMemoryWordEmbeddings;
import dev.pretrain.model.export.Word2VecFormat;
import dev.pretrain.model.word2vec.ParameterAveragedSgns;
import dev.pretrain.model.word2vec.SgnsConfig;
import dev.pretrain.model.word2vec.SgnsEngine;
import dev.pretrain.model.word2vec.SgnsWeights;

/**
 * {@code train-word2vec}: skip-gram with negative sampling, parameter-averaged across Spark
 * partitions.
 *
 * <p>Words are BERT basic-tokenizer words, lowercased; the vocabulary keeps words seen at least
 * {@code minCount} times (word2vec's {@code min_count}). Each epoch is cut into
 * {@code roundsPerEpoch} rounds; in a round every partition starts from the broadcast weights,
 * trains its share of the sentences with the plain-Java {@code SgnsTrainer} (word2vec C semantics;
 * skip-gram pairs are generated on the fly rather than read back from disk) and ships only the rows it
 * changed, the words-weighted mean is formed per row block on the executors, and the driver
 * combines it by block momentum (BMUF, Chen &amp; Huo 2016; see {@link ParameterAveragedSgns}). The report's
 * {@code rounds} entries give the rows each round changed and the bytes the driver received. The learning rate decays linearly from {@code alpha} to {@code min_alpha}
 * over all epochs, as in word2vec C.
 *
 * <p>Rounds: above 2 partitions the quality needs about {@code 16 * partitions} rounds per epoch (IMDB,
 * 4 partitions: analogy 7.6% with 16 rounds, 10.3% with 64, against 11.3% on one partition); the stage warns
 * (console and report {@code warnings}) when {@code roundsPerEpoch} is below that.
 *
 * <p>Outputs: {@code vectors.bin} (word2vec C binary format, input vectors) and {@code vocab.txt}
 * ("word count" per line, most frequent first).
 */
public final class Word2VecStage {
    /**
     * SGNS training settings; {@code engine}: the {@link SgnsEngine} each partition trains with ({@code java}, the
     * plain-Java kernel, by default; {@code nd4j} or {@code nd4j:B} for batched ND4J ops, nd4j-cuda on GPU executors).
     */
    public record Options(String documents, String output, SgnsConfig sgns, long minCount, int partitions,
                          int roundsPerEpoch, String engine) {
        public Options {
            if (engine == null || engine.isBlank()) engine = "java";
        }

        /** With the plain-Java engine. */
        public Options(String documents, String output, SgnsConfig sgns, long minCount, int partitions,
                       int roundsPerEpoch) {
            this(documents, output, sgns, minCount, partitions, roundsPerEpoch, "java");
        }
    }

    private Word2VecStage() {}

    public static String vectorsFile(String dir) {
        return HadoopFiles.join(dir, "vectors.bin");
    }

    public static StageReport run(SparkSession spark, Options o) {
        StageReport report = new StageReport("train-word2vec");
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        OutputMarker.claim(o.output(), report.stage(), hconf);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SgnsConfig cfg = o.sgns();
        Dataset<Row> docs = spark.read().parquet(o.documents());
        WordVocab vocab = WordVocab.build(WordCounting.collect(WordCounting.count(docs, true), o.minCount()), o.minCount());
        if (vocab.size() == 0) {
            throw new IllegalArgumentException("no word reaches min_count " + o.minCount() + " in " + o.documents());
        }
        Broadcast<WordVocab> bv = jsc.broadcast(vocab);
        int partitions = Math.max(1, o.partitions());
        int rounds = Math.max(1, o.roundsPerEpoch());

        JavaRDD<int[]> sentences = docs.select("sentences").javaRDD()
                .flatMap(r -> {
                    BasicTokenizer tok = new BasicTokenizer(true);
                    List<String> ss = r.getList(0);
                    List<int[]> out = new ArrayList<>(ss.size());
                    for (String s : ss) {
                        int[] ids = bv.value().encode(tok.tokenize(s));
                        if (ids.length > 1) {
                            out.add(ids);
                        }
                    }
                    return out.iterator();
                })
                // not cached: the sizes pass and the trainer's layout by round (on disk) both read this shuffle's
                // output; a MEMORY_AND_DISK cache of every sentence filled the executor heap as the corpus grew
                .repartition(partitions);
        long[] sizes = ParameterAveragedSgns.sizes(sentences); // {sentences, words, non-empty partitions}
        long sentenceCount = sizes[0];
        long corpusWords = sizes[1];
        int nonEmpty = (int) sizes[2];

        if (nonEmpty > 2 && rounds < 16 * nonEmpty) {
            String w = "parameter averaging over " + nonEmpty + " partitions with " + rounds + " rounds per epoch: "
                    + "about " + 16 * nonEmpty + " rounds per epoch are needed to match one partition's quality "
                    + "(IMDB, 4 partitions: analogy 7.6% with 16 rounds, 10.3% with 64, 11.3% on 1 partition)";
            System.err.println("[train-word2vec] WARNING: " + w);
            report.put("warnings", List.of(w));
        }
        long[] counts = vocab.counts();
        List<Map<String, Object>> roundLog = new ArrayList<>();
        long t0 = System.nanoTime();
        long seed = cfg.seed();
        SgnsWeights weights = ParameterAveragedSgns.train(jsc, sentences, counts, cfg, rounds, corpusWords, nonEmpty,
                SgnsWeights.initialize(vocab.size(), cfg.dim(), cfg.seed()),
                g -> Seeds.of(seed, "word2vec", (int) g),
                r -> {
                    Map<String, Object> log = new LinkedHashMap<>();
                    log.put("epoch", r.epoch());
                    log.put("round", r.round());
                    log.put("words", r.words());
                    log.put("alpha_start", r.alphaStart());
                    log.put("seconds", Math.round(r.seconds() * 100) / 100.0);
                    log.put("changed_rows_syn0", r.syn0Rows());
                    log.put("changed_rows_syn1neg", r.syn1negRows());
                    log.put("collected_bytes", r.collectedBytes());
                    roundLog.add(log);
                    System.out.printf("[train-word2vec] epoch %d/%d round %d/%d: %,d words, %.1f s, alpha %.5f, "
                                    + "changed rows %,d + %,d (%.1f MB to the driver)%n",
                            r.epoch() + 1, cfg.epochs(), r.round() + 1, rounds, r.words(), r.seconds(), r.alphaStart(),
                            r.syn0Rows(), r.syn1negRows(), r.collectedBytes() / 1e6);
                }, ParameterAveragedSgns.Averaging.defaults(), o.engine());
        report.put("engine", o.engine());
        long done = 0;
        for (Map<String, Object> m : roundLog) done += (Long) m.get("words");
        double seconds = (System.nanoTime() - t0) / 1e9;

        InMemoryWordEmbeddings emb = new InMemoryWordEmbeddings(vocab.words(), weights.syn0(), cfg.dim());
        HadoopFiles.writeAtomically(vectorsFile(o.output()), hconf, out -> Word2VecFormat.writeBinary(emb, out));
        HadoopFiles.writeTextAtomically(HadoopFiles.join(o.output(), "vocab.txt"), hconf, w -> {
            for (int i = 0; i < vocab.size(); i++) {
                w.write(vocab.word(i) + " " + vocab.count(i) + "\n");
            }
        });
        report.put("vocab_size", vocab.size());
        report.put("min_count", o.minCount());
        report.put("sentences", sentenceCount);
        report.put("corpus_words", corpusWords);
        report.put("words_trained", done);
        report.put("training_seconds", Math.round(seconds * 100) / 100.0);
        report.put("words_per_second", Math.round(done / Math.max(1e-9, seconds)));
        report.put("partitions", partitions);
        report.put("rounds_per_epoch", rounds);
        report.put("config", cfg);
        report.put("rounds", roundLog);
        report.put("output", o.output());
        return report.finish();
    }
}
