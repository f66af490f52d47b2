package dev.pretrain.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint format holds no Java-serialised object and reads every entry with a size bound: the split RNG is
 * stored as one integer and restored exactly; a serialised object where format 1 kept its RNG, a format-1 checkpoint,
 * an oversized, unexpected or wrongly sized entry, and a model.zip carrying the {@code preprocessor.bin} that DL4J
 * would deserialise are refused with the file and the reason, and nothing is deserialised on the way.
 */
class BertCheckpointFormatTest {
    static final String FP = "fingerprint-of-this-run";
    static final ObjectMapper JSON = new ObjectMapper();
    final Configuration conf = new Configuration();
    @TempDir Path tmp;

    /** Records whether Java deserialisation ever ran its readObject (a stand-in for a gadget class). */
    static final class Tripwire implements Serializable {
        private static final long serialVersionUID = 1L;
        static volatile boolean deserialised;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            deserialised = true;
        }
    }

    @BeforeEach
    void reset() {
        Tripwire.deserialised = false;
    }

    @Test
    void parameterCountIsTheBuiltGraphs() {
        for (BertConfig c : List.of(BertConfig.tiny(60).withSequence(16, 4),
                BertConfig.tiny(97).withSequence(24, 5).withFusedBlocks(false).withFusedMlmOutput(false))) {
            assertEquals(BertModel.build(c).numParams(), c.parameterCount(), c.toString());
        }
    }

    @Test
    void splitRngStateRestoresTheSequenceExactly() {
        SplitRng a = new SplitRng(12345L);
        for (int i = 0; i < 5; i++) a.nextLong();
        SplitRng b = new SplitRng(a.state());
        for (int i = 0; i < 20; i++) {
            assertEquals(a.nextLong(), b.nextLong());
            assertEquals(a.nextInt(1000), b.nextInt(1000));
            assertEquals(a.nextDouble(), b.nextDouble());
        }
        assertTrue(new SplitRng(1).nextLong() != new SplitRng(2).nextLong());
        assertThrows(UnsupportedOperationException.class, a::nextGaussian);

        ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(2, 4).rngSeed(7L).build();
        assertNull(SplitRng.stateOf(tm), "DL4J's own java.util.Random has no state to save");
        assertTrue(SplitRng.install(tm, new SplitRng(99L)));
        assertEquals(99L, SplitRng.stateOf(tm));
    }

    @Test
    void savedCheckpointHoldsOnlyJsonNumbersAndRawArraysAndReloadsExactly() throws Exception {
        BertConfig cfg = BertConfig.tiny(60).withSequence(16, 4);
        ComputationGraph net = trainedOnce(cfg);
        BertSparkTrainer.State s = new BertSparkTrainer.State();
        s.roundsDone = 3;
        s.seen = 96;
        s.trainSeconds = 1.5;
        s.evaluations = 1;
        s.bestValidation = 4.25;
        s.bestEvaluation = 1;
        s.splitRngState = -0x123456789abcdefL;
        s.rounds.add(new BertRound(0, 0, 0, new BertMetrics(4.1, 0.2, Double.NaN, Double.NaN, 8)));
        s.bestParams = net.params().dup();
        s.bestUpdater = net.getUpdater().getStateViewArray().dup();
        String dir = tmp.resolve("ckpt").toString();
        BertCheckpoint.save(dir, conf, FP, net, s, 2);
        Path file = Path.of(dir, BertCheckpoint.name(3));

        Map<String, byte[]> entries = unzip(file);
        assertEquals(List.of("state.json", "model.zip", "best_params.bin", "best_updater.bin"),
                new ArrayList<>(entries.keySet()));
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] b = e.getValue();
            assertFalse(b.length >= 2 && (b[0] & 0xff) == 0xac && (b[1] & 0xff) == 0xed,
                    e.getKey() + " starts with the Java serialisation magic");
        }
        JsonNode st = JSON.readTree(entries.get("state.json"));
        assertEquals(BertCheckpoint.FORMAT, st.get("format").asInt());
        assertEquals("splitmix64", st.get("split_rng").get("algorithm").asText());
        assertTrue(st.get("split_rng").get("state").isIntegralNumber());
        assertEquals(4L * net.numParams(), entries.get("best_params.bin").length, "raw float32");

        BertCheckpoint.Saved back = BertCheckpoint.loadLatest(dir, conf, FP, cfg.parameterCount());
        assertEquals(-0x123456789abcdefL, back.state().splitRngState);
        assertEquals(3, back.state().roundsDone);
        assertEquals(96L, back.state().seen);
        assertEquals(4.25, back.state().bestValidation);
        assertFalse(back.state().rounds.get(0).heldout().hasNsp(), "NaN NSP metrics survive");
        assertArrayEquals(net.params().toFloatVector(), back.state().bestParams.toFloatVector());
        assertArrayEquals(net.getUpdater().getStateViewArray().toFloatVector(), back.state().bestUpdater.toFloatVector());
        assertArrayEquals(net.params().toFloatVector(), back.model().params().toFloatVector());

        // an array of another length than the model's is refused
        entries.put("best_params.bin", Arrays.copyOf(entries.get("best_params.bin"), 4 * (int) net.numParams() - 4));
        writeZip(file, entries);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BertCheckpoint.loadLatest(dir, conf, FP, cfg.parameterCount()));
        assertMessage(e, file, "best_params.bin", "expected " + 4 * net.numParams());
    }

    @Test
    void serialisedObjectWhereFormatOneKeptItsRngIsRefusedUnread() throws Exception {
        for (Object gadget : List.of(new Tripwire(), new HashMap<>(Map.of("k", "v")))) {
            String serialised = Base64.getEncoder().encodeToString(serialise(gadget));
            for (Object splitRng : List.of(serialised, Map.of("algorithm", "splitmix64", "state", serialised))) {
                Path file = crafted(2, splitRng, Map.of("model.zip", new byte[] {1}));
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> BertCheckpoint.loadLatest(file.getParent().toString(), conf, FP, 1000));
                assertMessage(e, file, "split_rng", "no Java-serialised objects");
            }
        }
        assertFalse(Tripwire.deserialised, "nothing was deserialised");
    }

    @Test
    void formatOneCheckpointIsRefusedAsNoLongerAccepted() throws Exception {
        String oldRng = Base64.getEncoder().encodeToString(serialise(new Random(5)));
        Path file = crafted(1, oldRng, Map.of("model.zip", new byte[] {1}));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BertCheckpoint.loadLatest(file.getParent().toString(), conf, FP, 1000));
        assertMessage(e, file, "format 1", "no longer accepted");
        Path gadget = crafted(1, Base64.getEncoder().encodeToString(serialise(new Tripwire())),
                Map.of("model.zip", new byte[] {1}));
        assertThrows(IllegalStateException.class,
                () -> BertCheckpoint.loadLatest(gadget.getParent().toString(), conf, FP, 1000));
        assertFalse(Tripwire.deserialised, "nothing was deserialised");
    }

    @Test
    void oversizedOrUnexpectedEntriesAreRefused() throws Exception {
        // state.json one byte past its limit (deflated, the file stays small: a zip bomb is caught the same way)
        Map<String, byte[]> big = new LinkedHashMap<>();
        byte[] spaces = new byte[(int) BertCheckpoint.STATE_JSON_LIMIT + 1];
        Arrays.fill(spaces, (byte) ' ');
        big.put("state.json", spaces);
        Path file = writeZip(tmp.resolve("a").resolve(BertCheckpoint.name(1)), big);
        assertTrue(Files.size(file) < 1 << 20, "deflated: " + Files.size(file));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BertCheckpoint.loadLatest(file.getParent().toString(), conf, FP, 1000));
        assertMessage(e, file, "'state.json'", "larger than its limit of " + BertCheckpoint.STATE_JSON_LIMIT);

        // best_params.bin larger than 4 bytes a parameter of this run's model
        Path params = crafted(2, null, Map.of("model.zip", new byte[] {1}, "best_params.bin", new byte[4 * 1000 + 1]));
        e = assertThrows(IllegalStateException.class,
                () -> BertCheckpoint.loadLatest(params.getParent().toString(), conf, FP, 1000));
        assertMessage(e, params, "'best_params.bin'", "larger than its limit of 4000");

        Path odd = crafted(2, null, Map.of("model.zip", new byte[] {1}, "payload.ser", serialise(new Tripwire())));
        e = assertThrows(IllegalStateException.class,
                () -> BertCheckpoint.loadLatest(odd.getParent().toString(), conf, FP, 1000));
        assertMessage(e, odd, "'payload.ser'", "unexpected entry");
        assertFalse(Tripwire.deserialised);
    }

    @Test
    void modelZipWithASerialisedPreprocessorIsRefusedUnread() throws Exception {
        BertConfig cfg = BertConfig.tiny(60).withSequence(16, 4);
        byte[] saved = BertSparkTrainer.bytes(o -> BertModelIO.save(BertModel.build(cfg), o));
        Map<String, byte[]> entries = unzip(saved);
        assertTrue(BertModelIO.ENTRIES.containsAll(entries.keySet()), entries.keySet().toString());
        entries.put("preprocessor.bin", serialise(new Tripwire()));
        byte[] evil = zip(entries);

        // the hazard: DL4J's own loader runs Java deserialisation on that entry
        try {
            org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(evil), true);
        } catch (RuntimeException expected) {
            // the object is no preprocessor; it was deserialised all the same
        }
        assertTrue(Tripwire.deserialised, "DL4J deserialises preprocessor.bin");
        Tripwire.deserialised = false;

        IOException e = assertThrows(IOException.class, () -> BertModelIO.load(new ByteArrayInputStream(evil)));
        assertTrue(e.getMessage().contains("'preprocessor.bin'"), e.getMessage());
        Path file = crafted(2, null, Map.of("model.zip", evil));
        UncheckedIOException u = assertThrows(UncheckedIOException.class,
                () -> BertCheckpoint.loadLatest(file.getParent().toString(), conf, FP, cfg.parameterCount()));
        assertMessage(u, file, "model.zip", "'preprocessor.bin'");
        assertFalse(Tripwire.deserialised, "nothing was deserialised");
        assertEquals(BertModel.build(cfg).numParams(), BertModelIO.load(new ByteArrayInputStream(saved)).numParams());
    }

    private static void assertMessage(Exception e, Path file, String... parts) {
        String m = e.getMessage();
        assertTrue(m.contains(file.getFileName().toString()), "names the file: " + m);
        for (String p : parts) assertTrue(m.contains(p), "says '" + p + "': " + m);
    }

    /** A checkpoint of the given format with a valid state.json around {@code splitRng}, in a folder of its own. */
    private Path crafted(int format, Object splitRng, Map<String, byte[]> others) throws IOException {
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("format", format);
        st.put("fingerprint", FP);
        st.put("rounds_done", 2);
        st.put("examples_seen", 16);
        st.put("train_seconds", 1.0);
        st.put("evaluations", 1);
        st.put("since_eval", 0);
        st.put("finished", false);
        st.put("best_validation", "NaN");
        st.put("best_evaluation", 0);
        st.put("split_rng", splitRng);
        st.put("rounds", List.of());
        st.put("log", List.of());
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("state.json", JSON.writeValueAsBytes(st));
        entries.putAll(others);
        return writeZip(Files.createTempDirectory(tmp, "crafted").resolve(BertCheckpoint.name(2)), entries);
    }

    private static Path writeZip(Path file, Map<String, byte[]> entries) throws IOException {
        Files.createDirectories(file.getParent());
        // Hadoop's local file system would check the rewritten file against the checksum of the saved one
        Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
        Files.write(file, zip(entries));
        return file;
    }

    private static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(b)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return b.toByteArray();
    }

    private static Map<String, byte[]> unzip(Path file) throws IOException {
        return unzip(Files.readAllBytes(file));
    }

    private static Map<String, byte[]> unzip(byte[] bytes) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) m.put(e.getName(), zip.readAllBytes());
        }
        return m;
    }

    private static byte[] serialise(Object o) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(o);
        }
        return b.toByteArray();
    }

    private static ComputationGraph trainedOnce(BertConfig cfg) {
        List<BertExample> ex = BertTestData.fourSyntheticExamples();
        ComputationGraph net = BertModel.build(cfg);
        net.fit(BertBatches.toMultiDataSet(ex, cfg));
        return net;
    }
}
