package dev.pretrain.examples.mlm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PretrainingDataGeneratorTest {
  private static final int MAX_SEQ = 128;
  private static final int MAX_PRED = 20;
  private static MobyTokens moby;
  private static MaskedLmConfig config;
  private static GenerationStats stats;
  private static List<PretrainingInstance> instances;

  @BeforeAll
  static void generate() {
    moby = new MobyTokens(false);
    config = MaskedLmConfig.defaults().withDupeFactor(10);
    stats = new GenerationStats();
    instances = new PretrainingDataGenerator(config, moby.ids).generate(moby.docIds, moby.documents, stats);
  }

  private static int[] original(PretrainingInstance x) {
    return InstanceChecks.original(x);
  }

  private static int indexOf(int[] hay, int[] needle, int from) {
    return InstanceChecks.indexOf(hay, needle, from);
  }

  @Test
  void structureOfEveryInstance() {
    assertTrue(instances.size() >= 20_000, "instances " + instances.size());
    assertEquals(stats.instances, instances.size());
    for (PretrainingInstance x : instances) {
      InstanceChecks.assertPairLayout(x, moby.ids, MAX_SEQ, MAX_PRED, 0.15);
    }
  }

  @Test
  void maskingShares() {
    long candidates = 0;
    long masked = 0;
    long asMask = 0;
    long kept = 0;
    long random = 0;
    for (PretrainingInstance x : instances) {
      candidates += x.length() - 3;
      for (int k = 0; k < x.numPredictions(); k++) {
        int shown = x.inputIds()[x.maskedLmPositions()[k]];
        masked++;
        if (shown == moby.ids.mask()) {
          asMask++;
        } else if (shown == x.maskedLmIds()[k]) {
          kept++;
        } else {
          random++;
        }
      }
    }
    double share = (double) masked / candidates;
    assertEquals(0.15, share, 0.01, "masked share of candidates");
    assertEquals(0.8, (double) asMask / masked, 0.005);
    assertEquals(0.1, (double) kept / masked, 0.005);
    assertEquals(0.1, (double) random / masked, 0.005);
    assertEquals(stats.masked, masked);
    assertEquals(stats.candidates, candidates);
    System.out.printf("MLM: %d instances, masked %.4f of candidates, [MASK] %.4f kept %.4f random %.4f%n",
        instances.size(), share, (double) asMask / masked, (double) kept / masked, (double) random / masked);
  }

  @Test
  void nextSentenceAndShortSequenceShares() {
    long randomNext = instances.stream().filter(x -> x.nextSentenceLabel() == 1).count();
    assertEquals(stats.randomNext, randomNext);
    // coin flip for chunks of >= 2 sentences; one-sentence chunks are always random next (Google)
    double coin = (double) (randomNext - stats.forcedRandomNext) / (instances.size() - stats.forcedRandomNext);
    assertEquals(0.5, coin, 0.015, "NSP coin");
    double overall = (double) randomNext / instances.size();
    assertTrue(overall >= 0.49 && overall < 0.6, "random-next share " + overall);
    double shortShare = (double) stats.shortTargetPasses / stats.documentPasses;
    assertEquals(135 * 10, stats.documentPasses);
    assertEquals(0.1, shortShare, 0.035, "short target share of document passes");
    long shortInstances = instances.stream().filter(x -> x.length() < MAX_SEQ / 2).count();
    System.out.printf("NSP: random-next %.4f (coin %.4f, forced %d); short targets %.4f of %d passes; "
            + "instances under %d tokens %.4f; %s%n", overall, coin, stats.forcedRandomNext, shortShare,
        stats.documentPasses, MAX_SEQ / 2, (double) shortInstances / instances.size(), stats);
  }

  @Test
  void actualNextSegmentsFollowAInTheSameDocumentAndRandomOnesComeFromOthers() {
    Map<String, Integer> docIndex = new HashMap<>();
    for (int i = 0; i < moby.docIds.size(); i++) {
      docIndex.put(moby.docIds.get(i), i);
    }
    int[][] flat = new int[moby.docIds.size()][];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = moby.flat(i);
    }
    int checkedRandom = 0;
    for (PretrainingInstance x : instances) {
      int[] tok = original(x);
      int sep1 = 1;
      while (tok[sep1] != moby.ids.sep()) {
        sep1++;
      }
      int[] a = Arrays.copyOfRange(tok, 1, sep1);
      int[] b = Arrays.copyOfRange(tok, sep1 + 1, tok.length - 1);
      int d = docIndex.get(x.docId());
      int aAt = indexOf(flat[d], a, 0);
      assertTrue(aAt >= 0, "A is a contiguous span of its document");
      if (x.nextSentenceLabel() == 0) {
        assertTrue(indexOf(flat[d], b, aAt + a.length) >= 0, "B follows A in the same document");
      } else if (checkedRandom < 300) {
        checkedRandom++;
        boolean elsewhere = false;
        for (int o = 0; o < flat.length && !elsewhere; o++) {
          elsewhere = o != d && indexOf(flat[o], b, 0) >= 0;
        }
        assertTrue(elsewhere, "random B comes from another document of the shard");
      }
    }
  }

  @Test
  void deterministicAndIndependentOfTaskPartitioning() throws Exception {
    PretrainingDataGenerator gen = new PretrainingDataGenerator(config.withDupeFactor(1), moby.ids);
    int half = moby.docIds.size() / 2;
    List<String> ids1 = moby.docIds.subList(0, half);
    List<int[][]> docs1 = moby.documents.subList(0, half);
    List<String> ids2 = moby.docIds.subList(half, moby.docIds.size());
    List<int[][]> docs2 = moby.documents.subList(half, moby.docIds.size());

    // one task generating shard 1 then shard 2 with one instance
    List<PretrainingInstance> s1 = gen.generate(ids1, docs1);
    List<PretrainingInstance> s2 = gen.generate(ids2, docs2);
    // another task: a deserialized copy (as on a Spark executor), shards in the other order, docs shuffled
    PretrainingDataGenerator copy = roundTrip(gen);
    List<Integer> perm = new ArrayList<>();
    for (int i = 0; i < ids2.size(); i++) {
      perm.add(i);
    }
    Collections.shuffle(perm, new Random(5));
    List<String> ids2p = new ArrayList<>();
    List<int[][]> docs2p = new ArrayList<>();
    for (int i : perm) {
      ids2p.add(ids2.get(i));
      docs2p.add(docs2.get(i));
    }
    assertEquals(s2, copy.generate(ids2p, docs2p));
    assertEquals(s1, copy.generate(ids1, docs1));
    assertEquals(s1, new PretrainingDataGenerator(config.withDupeFactor(1), moby.ids).generate(ids1, docs1));
    // a different seed gives different masks
    assertNotEquals(s1, new PretrainingDataGenerator(config.withDupeFactor(1).withSeed(1), moby.ids)
        .generate(ids1, docs1));
    // the dupe-0 pass of a dupe-10 run is the same (per-(doc, dupe) seeds), so dupe-1 output is a subset
    var all = new java.util.HashSet<>(instances);
    assertTrue(all.containsAll(gen.generate(moby.docIds, moby.documents)));
  }

  private static PretrainingDataGenerator roundTrip(PretrainingDataGenerator g) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(g);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (PretrainingDataGenerator) in.readObject();
    }
  }

  @Test
  void wholeWordMaskingMasksAllPiecesOfAWord() {
    MobyTokens pieces = new MobyTokens(true);
    boolean[] cont = PretrainingDataGenerator.continuationFlags(pieces.vocab);
    PretrainingDataGenerator gen = new PretrainingDataGenerator(
        MaskedLmConfig.defaults().withWholeWordMasking(true).withDupeFactor(2), pieces.ids, cont);
    List<PretrainingInstance> xs = gen.generate(pieces.docIds, pieces.documents);
    assertTrue(xs.size() > 3000);
    long multiPieceWordsMasked = 0;
    long predictions = 0;
    long candidates = 0;
    for (PretrainingInstance x : xs) {
      int[] tok = original(x);
      int m = x.numPredictions();
      boolean[] isMasked = new boolean[tok.length];
      for (int k = 0; k < m; k++) {
        isMasked[x.maskedLmPositions()[k]] = true;
      }
      for (int i = 2; i < tok.length - 1; i++) {
        boolean continues = cont[tok[i]] && tok[i - 1] != pieces.ids.sep() && tok[i - 1] != pieces.ids.cls();
        if (continues) {
          assertEquals(isMasked[i - 1], isMasked[i], "pieces of one word masked together at " + i);
          if (isMasked[i]) {
            multiPieceWordsMasked++;
          }
        }
      }
      assertTrue(m <= Math.min(MAX_PRED, Math.max(1, (int) Math.rint(tok.length * 0.15))));
      predictions += m;
      candidates += tok.length - 3;
    }
    assertTrue(multiPieceWordsMasked > 1000, "multi-piece words masked " + multiPieceWordsMasked);
    assertEquals(0.15, (double) predictions / candidates, 0.015);
    assertThrows(IllegalArgumentException.class,
        () -> new PretrainingDataGenerator(MaskedLmConfig.defaults().withWholeWordMasking(true), pieces.ids));
  }

  @Test
  void truncateSeqPairTrimsTheLongerSide() {
    PretrainingDataGenerator.IntList a = new PretrainingDataGenerator.IntList();
    PretrainingDataGenerator.IntList b = new PretrainingDataGenerator.IntList();
    a.addAll(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    b.addAll(new int[] {11, 12, 13});
    int removed = PretrainingDataGenerator.truncateSeqPair(a, b, 8, new SplittableRandom(3));
    assertEquals(5, removed);
    assertEquals(5, a.size);
    assertEquals(3, b.size);
    int first = a.get(0);
    for (int i = 0; i < a.size; i++) {
      assertEquals(first + i, a.get(i), "a contiguous span remains");
    }
    PretrainingDataGenerator.IntList c = new PretrainingDataGenerator.IntList();
    PretrainingDataGenerator.IntList d = new PretrainingDataGenerator.IntList();
    c.addAll(new int[] {1, 2});
    d.addAll(new int[] {3, 4});
    PretrainingDataGenerator.truncateSeqPair(c, d, 3, new SplittableRandom(3));
    assertEquals(2, c.size, "ties trim B");
    assertEquals(1, d.size);
  }

  @Test
  void edgeCasesAndErrors() {
    SpecialIds ids = new SpecialIds(0, 1, 2, 3, 10);
    MaskedLmConfig small = new MaskedLmConfig(5, 1, 0.15, 0.1, 1, 1, false);
    PretrainingDataGenerator gen = new PretrainingDataGenerator(small, ids);
    GenerationStats st = new GenerationStats();
    // one document with one sentence: random next falls back to the same document after 10 tries
    List<PretrainingInstance> xs = gen.generate(List.of("only", "empty"),
        List.of(new int[][] {{4, 5, 6}}, new int[][] {{}}), st);
    assertEquals(1, xs.size());
    assertEquals(1, st.emptyDocuments);
    PretrainingInstance x = xs.get(0);
    assertEquals(5, x.length());
    assertEquals(1, x.nextSentenceLabel());
    assertEquals(1, x.numPredictions());
    assertArrayEquals(new int[] {0, 0, 0, 1, 1}, x.segmentIds());
    assertThrows(IllegalArgumentException.class, () -> gen.generate(List.of("d"), List.<int[][]>of(new int[][] {{4, 10}})));
    assertThrows(IllegalArgumentException.class, () -> gen.generate(List.of("d", "e"), List.<int[][]>of(new int[][] {{4}})));
    assertThrows(IllegalArgumentException.class, () -> new MaskedLmConfig(4, 1, 0.15, 0.1, 1, 1, false));
    assertThrows(IllegalArgumentException.class, () -> new SpecialIds(0, 1, 2, 30, 10));
    assertTrue(gen.generate(List.of(), List.of()).isEmpty());
    assertEquals(new MaskedLmConfig(128, 20, 0.15, 0.1, 1, 12345L, false), MaskedLmConfig.defaults());
  }
}
