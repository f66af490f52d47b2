package dev.pretrain.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Checkpoint and resume of {@link BertSparkTrainer}: a run killed half-way and resumed by a new trainer ends with the
 * parameters and held-out metrics of an uninterrupted run; per-round JSON-lines log.
 */
class BertCheckpointTest {
    static final int ROUNDS = 4;

    @Test
    void killedAndResumedRunMatchesUninterruptedRun(@TempDir Path tmp) throws Exception {
        BertTestData data = BertTestData.load(BertTestData.shared().resolve("data/corpora/moby-dick.txt"), 300_000, 600);
        BertConfig cfg = BertConfig.tiny(data.vocabSize()).withSequence(24, 4);
        // 2 workers x 1 minibatch x 4 examples = 8 examples per averaging round; 32 examples = 4 rounds
        List<BertExample> train = data.examples(8 * ROUNDS, 0, cfg, 21);
        List<BertExample> heldout = data.examples(16, data.sentences.size() - 300, cfg, 22);
        List<BertExample> validation = data.examples(16, data.sentences.size() - 150, cfg, 23);
        BertTrainingConfig base = new BertTrainingConfig(4, 1, 2, 1, 2e-3, 0.01, 2, 5);
        String full = tmp.resolve("full").toString();
        String parts = tmp.resolve("parts").toString();
        try (JavaSparkContext sc = new JavaSparkContext(BertSparkTrainerTest.localConf())) {
            JavaRDD<BertExample> rdd = sc.parallelize(train, 2);
            BertTrainResult uninterrupted = trainer(cfg, base.withCheckpoints(full, 2), tmp.resolve("full.jsonl"))
                    .fit(sc, rdd, heldout, validation);

            BertSparkTrainer first = trainer(cfg, base.withCheckpoints(parts, 1), tmp.resolve("parts.jsonl"));
            first.crashAfterRounds = ROUNDS / 2;
            IllegalStateException crash = assertThrows(IllegalStateException.class,
                    () -> first.fit(sc, rdd, heldout, validation));
            assertTrue(crash.getMessage().contains("simulated crash"), crash.getMessage());
            assertTrue(Files.exists(Path.of(parts, BertCheckpoint.name(ROUNDS / 2))));
            assertEquals(ROUNDS / 2, Files.readAllLines(tmp.resolve("parts.jsonl")).size());

            BertTrainResult resumed = trainer(cfg, base.withCheckpoints(parts, 1), tmp.resolve("parts.jsonl"))
                    .fit(sc, rdd, heldout, validation);

            double diff = maxAbsDiff(uninterrupted.model().params(), resumed.model().params());
            System.out.println("BERT-CHECKPOINT max abs diff of parameters, uninterrupted vs resumed: " + diff);
            assertTrue(diff < 1e-4, "parameters differ by " + diff);
            assertTrue(maxAbsDiff(uninterrupted.model().getUpdater().getStateViewArray(),
                    resumed.model().getUpdater().getStateViewArray()) < 1e-4, "Adam state");
            assertEquals(uninterrupted.kept(), resumed.kept());
            assertEquals(uninterrupted.rounds().size(), resumed.rounds().size());
            assertEquals(1 + ROUNDS / 2, resumed.rounds().size(), "round 0 + evaluations at rounds 2 and 4");
            for (int i = 0; i < resumed.rounds().size(); i++) {
                assertEquals(uninterrupted.rounds().get(i).examplesSeen(), resumed.rounds().get(i).examplesSeen());
                assertEquals(uninterrupted.rounds().get(i).heldout().mlmLoss(), resumed.rounds().get(i).heldout().mlmLoss(),
                        1e-4, "held-out MLM loss at evaluation " + i);
            }
            assertTrue(resumed.rounds().get(ROUNDS / 2).heldout().mlmLoss() < resumed.rounds().get(0).heldout().mlmLoss(),
                    "training lowered the held-out loss: " + resumed.rounds());

            // only the newest two checkpoints are kept; the final one marks the run finished
            try (Stream<Path> files = Files.list(Path.of(parts))) {   // (hidden .crc files are Hadoop's local checksums)
                List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
                assertEquals(List.of(BertCheckpoint.name(ROUNDS - 1), BertCheckpoint.name(ROUNDS)), names);
            }
            // the per-round log holds every round once, across the crash
            List<String> lines = Files.readAllLines(tmp.resolve("parts.jsonl"));
            assertEquals(ROUNDS, lines.size());
            ObjectMapper json = new ObjectMapper();
            for (int i = 0; i < ROUNDS; i++) {
                JsonNode l = json.readTree(lines.get(i));
                assertEquals(i + 1, l.get("round").asInt());
                assertEquals(8L * (i + 1), l.get("examples_seen").asLong());
                long realTokens = train.stream().mapToLong(e -> java.util.Arrays.stream(e.inputMask()).sum()).sum();
                assertTrue(l.get("tokens").asLong() > 8 && l.get("tokens").asLong() <= realTokens, lines.get(i));
                assertTrue(l.get("tokens_per_second").asDouble() > 0);
                assertTrue(Double.isFinite(l.get("train_loss").asDouble()), lines.get(i));
                assertTrue(l.get("train_regularization").asDouble() > 0, lines.get(i));
                assertEquals(i % 2 == 1, l.has("heldout_mlm_accuracy"), lines.get(i));
                if (l.has("heldout_mlm_loss")) {
                    // train_loss is the data loss (MLM + NSP), of the same size as the held-out one: DL4J's
                    // weight-decay term is logged apart, not added to it
                    double heldoutLoss = l.get("heldout_mlm_loss").asDouble() + l.get("heldout_nsp_loss").asDouble();
                    double trainLoss = l.get("train_loss").asDouble();
                    assertTrue(trainLoss > 0.5 * heldoutLoss && trainLoss < 1.5 * heldoutLoss,
                            "train_loss " + trainLoss + " vs held-out MLM + NSP " + heldoutLoss + ": " + lines.get(i));
                }
            }
            assertEquals(ROUNDS, Files.readAllLines(tmp.resolve("full.jsonl")).size());

            // a finished run resumes to its end at once; another run's settings are refused
            BertTrainResult again = trainer(cfg, base.withCheckpoints(parts, 1), tmp.resolve("again.jsonl"))
                    .fit(sc, rdd, heldout, validation);
            assertEquals(0.0, maxAbsDiff(resumed.model().params(), again.model().params()));
            assertFalse(Files.exists(tmp.resolve("again.jsonl")), "no round was trained");
            BertTrainingConfig other = new BertTrainingConfig(4, 1, 2, 1, 1e-3, 0.01, 2, 5).withCheckpoints(parts, 1);
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> trainer(cfg, other, tmp.resolve("x.jsonl")).fit(sc, rdd, heldout, validation));
            assertNotNull(refused.getMessage());
            assertTrue(refused.getMessage().contains("another run"), refused.getMessage());
        }
    }

    /**
     * A model reloaded from its zip trains exactly like the original: the SameDiff layers' {@link WarmupSchedule}
     * survives DL4J's configuration JSON (it came back as all zeros, i.e. learning rate 0, before).
     */
    @Test
    void reloadedModelContinuesTrainingIdentically() throws Exception {
        BertConfig cfg = BertConfig.tiny(60).withSequence(16, 4);
        ComputationGraph net = BertModel.build(cfg);
        List<BertExample> ex = BertTestData.fourSyntheticExamples();
        org.nd4j.linalg.dataset.api.MultiDataSet mds = BertBatches.toMultiDataSet(ex, cfg);
        net.fit(mds);
        net.fit(mds);
        ComputationGraph reloaded = BertModelIO.load(new java.io.ByteArrayInputStream(
                BertSparkTrainer.bytes(o -> BertModelIO.save(net, o))));
        assertEquals(net.getLayer("layer_0").conf().getLayer().getUpdaterByParam("Wq"),
                reloaded.getLayer("layer_0").conf().getLayer().getUpdaterByParam("Wq"), "SameDiff layer updater + schedule");
        INDArray before = reloaded.getLayer("layer_0").params().dup();
        net.fit(mds);
        reloaded.fit(mds);
        assertTrue(maxAbsDiff(before, reloaded.getLayer("layer_0").params()) > 1e-6, "the transformer block trains");
        assertEquals(0.0, maxAbsDiff(net.params(), reloaded.params()));
    }

    /**
     * With DiLoCo's outer optimizer the momentum buffer is checkpointed: a killed and resumed run ends where an
     * uninterrupted one does; Nesterov with learning rate 1 and no momentum trains exactly like plain averaging; and
     * DiLoCo's step moves the parameters elsewhere than plain averaging.
     */
    @Test
    void outerOptimizerStateIsCheckpointedAndResumedExactly(@TempDir Path tmp) throws Exception {
        BertTestData data = BertTestData.load(BertTestData.shared().resolve("data/corpora/moby-dick.txt"), 300_000, 600);
        BertConfig cfg = BertConfig.tiny(data.vocabSize()).withSequence(24, 4);
        List<BertExample> train = data.examples(8 * ROUNDS, 0, cfg, 31);
        List<BertExample> heldout = data.examples(16, data.sentences.size() - 300, cfg, 32);
        BertTrainingConfig base = new BertTrainingConfig(4, 1, 2, 1, 2e-3, 0.01, 2, 5);
        OuterOptimizer diloco = OuterOptimizer.diloco();
        try (JavaSparkContext sc = new JavaSparkContext(BertSparkTrainerTest.localConf())) {
            JavaRDD<BertExample> rdd = sc.parallelize(train, 3);
            BertTrainResult full = trainer(cfg, base.withCheckpoints(tmp.resolve("full").toString(), 2),
                    tmp.resolve("full.jsonl")).outerOptimizer(diloco).fit(sc, rdd, heldout);
            String parts = tmp.resolve("parts").toString();
            BertSparkTrainer first = trainer(cfg, base.withCheckpoints(parts, 1), tmp.resolve("parts.jsonl"))
                    .outerOptimizer(diloco);
            first.crashAfterRounds = ROUNDS / 2 + 1;
            assertThrows(IllegalStateException.class, () -> first.fit(sc, rdd, heldout));
            BertTrainResult resumed = trainer(cfg, base.withCheckpoints(parts, 1), tmp.resolve("parts.jsonl"))
                    .outerOptimizer(diloco).fit(sc, rdd, heldout);
            double diff = maxAbsDiff(full.model().params(), resumed.model().params());
            assertTrue(diff < 1e-4, "parameters differ by " + diff);
            // a run with another outer optimizer does not take these checkpoints
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> trainer(cfg, base.withCheckpoints(parts, 1), tmp.resolve("x.jsonl")).fit(sc, rdd, heldout));
            assertTrue(refused.getMessage().contains("another run"), refused.getMessage());

            BertTrainResult averaged = trainer(cfg, base, tmp.resolve("avg.jsonl")).fit(sc, rdd, heldout);
            BertTrainResult identity = trainer(cfg, base, tmp.resolve("id.jsonl"))
                    .outerOptimizer(new OuterOptimizer(OuterOptimizer.Kind.NESTEROV, 1, 0)).fit(sc, rdd, heldout);
            double same = maxAbsDiff(averaged.model().params(), identity.model().params());
            assertTrue(same < 1e-5, "Nesterov(lr 1, momentum 0) vs plain averaging: " + same);
            double moved = maxAbsDiff(averaged.model().params(), full.model().params());
            assertTrue(moved > 1e-4, "DiLoCo vs plain averaging: " + moved);
            assertTrue(full.rounds().get(full.rounds().size() - 1).heldout().mlmLoss()
                    < full.rounds().get(0).heldout().mlmLoss(), "DiLoCo lowered the held-out loss: " + full.rounds());
        }
    }

    private static BertSparkTrainer trainer(BertConfig cfg, BertTrainingConfig tc, Path log) {
        return new BertSparkTrainer(cfg, tc).evaluateEveryRounds(2).evalBatchSize(16).roundLog(log.toString());
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        return Transforms.abs(a.sub(b)).maxNumber().doubleValue();
    }
}
