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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The issue-5 variants on real text (Moby-Dick chapters, {@link MobyTokens}): ALBERT's sentence-order prediction,
 * RoBERTa's FULL-SENTENCES packing and dynamic masking ({@link DynamicMasker}), and LDDL length bins.
 */
class MlmVariantsTest {
  private static final int MAX_SEQ = 128;
  private static final int MAX_PRED = 20;
  private static MobyTokens moby;
  private static int[][] flat;
  private static Map<String, Integer> docIndex;

  @BeforeAll
  static void load() {
    moby = new MobyTokens(false);
    flat = new int[moby.docIds.size()][];
    docIndex = new HashMap<>();
    for (int i = 0; i < flat.length; i++) {
      flat[i] = moby.flat(i);
      docIndex.put(moby.docIds.get(i), i);
    }
  }

  /** |share - p| within 4.5 binomial standard deviations. */
  static void assertShare(double p, long hits, long n, String what) {
    double share = (double) hits / n;
    double tol = 4.5 * Math.sqrt(p * (1 - p) / n);
    assertTrue(Math.abs(share - p) <= tol, what + ": " + share + " (" + hits + "/" + n + "), expected " + p + " +- "
        + tol);
  }

  /** All start positions of needle in hay (at most 2 are needed to know it is not unique). */
  static List<Integer> occurrences(int[] hay, int[] needle, int max) {
    List<Integer> at = new ArrayList<>();
    int from = 0;
    while (at.size() < max) {
      int i = InstanceChecks.indexOf(hay, needle, from);
      if (i < 0) {
        break;
      }
      at.add(i);
      from = i + 1;
    }
    return at;
  }

  // ---------------- SOP ----------------

  @Test
  void sentenceOrderPairsComeFromOneDocumentAndSwappedOnesAreReallySwapped() {
    MaskedLmConfig cfg = MaskedLmConfig.defaults().withDupeFactor(10).withTask(PretrainingTask.SOP);
    GenerationStats st = new GenerationStats();
    List<PretrainingInstance> xs = new PretrainingDataGenerator(cfg, moby.ids).generate(moby.docIds, moby.documents,
        st);
    assertTrue(xs.size() > 15_000, "instances " + xs.size());
    long swapped = 0;
    long orderChecked = 0;
    for (PretrainingInstance x : xs) {
      int sep1 = InstanceChecks.assertPairLayout(x, moby.ids, MAX_SEQ, MAX_PRED, 0.15);
      int[] tok = InstanceChecks.original(x);
      int[] a = Arrays.copyOfRange(tok, 1, sep1);
      int[] b = Arrays.copyOfRange(tok, sep1 + 1, tok.length - 1);
      int[] doc = flat[docIndex.get(x.docId())];
      List<Integer> aAt = occurrences(doc, a, 2);
      List<Integer> bAt = occurrences(doc, b, 2);
      assertTrue(!aAt.isEmpty() && !bAt.isEmpty(), "A and B are both spans of the instance's document: " + x);
      boolean isSwapped = x.nextSentenceLabel() == 1;
      swapped += isSwapped ? 1 : 0;
      // first segment (in document order) then second: for label 1 that is B then A
      int[] first = isSwapped ? b : a;
      int[] second = isSwapped ? a : b;
      int firstAt = InstanceChecks.indexOf(doc, first, 0);
      boolean ordered = false;
      while (firstAt >= 0 && !ordered) {
        ordered = InstanceChecks.indexOf(doc, second, firstAt + first.length) >= 0;
        firstAt = InstanceChecks.indexOf(doc, first, firstAt + 1);
      }
      assertTrue(ordered, (isSwapped ? "swapped: A comes after B" : "in order: B comes after A")
          + " in the source document: " + x);
      if (aAt.size() == 1 && bAt.size() == 1) {
        // unambiguous spans: the order is exactly the label's
        orderChecked++;
        if (isSwapped) {
          assertTrue(aAt.get(0) >= bAt.get(0) + b.length, "swapped pair: A after B");
        } else {
          assertTrue(bAt.get(0) >= aAt.get(0) + a.length, "original order: B after A");
        }
      }
    }
    assertTrue(orderChecked > xs.size() * 0.9, "unambiguous pairs " + orderChecked);
    assertEquals(st.randomNext, swapped);
    assertEquals(0, st.forcedRandomNext, "SOP never draws a random document");
    assertTrue(st.splitSentenceChunks > 0, "one-sentence chunks are split: " + st);
    assertShare(0.5, swapped, xs.size(), "SOP swapped share");
    System.out.printf("SOP: %d instances, swapped %.4f, split one-sentence chunks %d, skipped %d%n", xs.size(),
        (double) swapped / xs.size(), st.splitSentenceChunks, st.skippedChunks);
  }

  // ---------------- FULL-SENTENCES ----------------

  /**
   * Length of the longest sentence of the document that {@code body} starts with, or of a piece of a long sentence
   * (sentences over {@code max_seq_length - 2} tokens are cut into pieces of that size); 0 if none.
   */
  static int longestLeadingSentence(int docIdx, int[] body) {
    int max = MAX_SEQ - 2;
    int best = 0;
    for (int[] s : moby.documents.get(docIdx)) {
      for (int from = 0; from < s.length; from += max) {
        int len = Math.min(max, s.length - from);
        if (len <= body.length && len > best && Arrays.equals(s, from, from + len, body, 0, len)) {
          best = len;
        }
      }
    }
    return best;
  }

  @Test
  void fullSentencesPackAcrossDocumentsWithoutWaste() {
    MaskedLmConfig cfg = MaskedLmConfig.defaults().withDupeFactor(2).withTask(PretrainingTask.FULL_SENTENCES);
    GenerationStats st = new GenerationStats();
    PretrainingDataGenerator gen = new PretrainingDataGenerator(cfg, moby.ids);
    List<PretrainingInstance> ordered = gen.inGenerationOrder(moby.docIds, moby.documents, st);
    long docTokens = Arrays.stream(flat).mapToLong(f -> f.length).sum();
    long bodyTokens = 0;
    long separators = 0;
    long padding = 0;
    for (int i = 0; i < ordered.size(); i++) {
      PretrainingInstance x = ordered.get(i);
      int n = x.length();
      int[] tok = InstanceChecks.original(x);
      assertTrue(n >= 3 && n <= MAX_SEQ);
      assertEquals(moby.ids.cls(), tok[0]);
      assertEquals(moby.ids.sep(), tok[n - 1]);
      assertEquals(0, x.nextSentenceLabel());
      assertTrue(Arrays.stream(x.segmentIds()).allMatch(v -> v == 0), "segment ids all 0");
      InstanceChecks.assertPredictions(x, moby.ids, MAX_PRED, 0.15);
      // the pieces between [SEP]s are spans of documents; the first starts with a sentence of docId
      int from = 1;
      for (int j = 1; j < n; j++) {
        if (tok[j] == moby.ids.sep()) {
          assertTrue(j > from, "no empty piece");
          int[] piece = Arrays.copyOfRange(tok, from, j);
          boolean found = false;
          for (int d = 0; d < flat.length && !found; d++) {
            found = InstanceChecks.indexOf(flat[d], piece, 0) >= 0;
          }
          assertTrue(found, "piece is a span of a document");
          if (j < n - 1) {
            separators++;
          }
          from = j + 1;
        }
      }
      int[] body = Arrays.copyOfRange(tok, 1, n - 1);
      assertTrue(longestLeadingSentence(docIndex.get(x.docId()), body) > 0, "starts with a sentence of its doc");
      bodyTokens += n - 2;
      boolean lastOfPass = i == ordered.size() - 1 || !dupeOf(ordered.get(i + 1)).equals(dupeOf(x));
      if (!lastOfPass) {
        padding += MAX_SEQ - n;
        // full: the next instance's first sentence (plus a document separator at most) did not fit
        PretrainingInstance next = ordered.get(i + 1);
        int[] nextBody = Arrays.copyOfRange(InstanceChecks.original(next), 1, next.length() - 1);
        int lead = longestLeadingSentence(docIndex.get(next.docId()), nextBody);
        assertTrue((n - 2) + 1 + lead > MAX_SEQ - 2,
            "instance " + i + " of length " + n + " could have taken the next sentence of length " + lead);
      }
    }
    assertEquals(2 * docTokens + st.documentSeparators, bodyTokens,
        "every token of every document once per pass, plus the separators");
    assertEquals(st.documentSeparators, separators);
    assertTrue(separators > 100, "documents are crossed: " + separators);
    double paddingShare = (double) padding / ((ordered.size() - 2) * (long) MAX_SEQ);
    // (the padding left is bounded per instance above: Moby-Dick's long sentences leave about 16%)
    System.out.printf("FULL-SENTENCES: %d instances, %d document separators, padding %.4f before the last%n",
        ordered.size(), separators, paddingShare);
    // generate() is the same instances, shuffled
    List<PretrainingInstance> shuffled = gen.generate(moby.docIds, moby.documents);
    assertEquals(new HashSet<>(ordered), new HashSet<>(shuffled));
    assertNotEquals(ordered, shuffled);
  }

  private static String dupeOf(PretrainingInstance x) {
    String id = x.instanceId();
    return id.substring(id.indexOf('/') + 1, id.lastIndexOf('/'));
  }

  // ---------------- dynamic masking ----------------

  @Test
  void dynamicMaskingWritesUnmaskedInstancesAndMasksPerEpoch() throws Exception {
    MaskedLmConfig cfg = MaskedLmConfig.defaults().withDupeFactor(2).withMasking(MaskingMode.DYNAMIC);
    List<PretrainingInstance> raw = new PretrainingDataGenerator(cfg, moby.ids).generate(moby.docIds,
        moby.documents);
    assertTrue(raw.size() > 4000);
    Set<String> instanceIds = new HashSet<>();
    for (PretrainingInstance x : raw) {
      assertEquals(0, x.numPredictions(), "written unmasked");
      assertTrue(Arrays.stream(x.maskedLmPositions()).allMatch(v -> v == 0));
      for (int i = 0; i < x.length(); i++) {
        assertNotEquals(moby.ids.mask(), x.inputIds()[i]);
      }
      assertTrue(instanceIds.add(x.instanceId()), "unique instance id " + x.instanceId());
    }
    DynamicMasker masker = new DynamicMasker(cfg, moby.ids, null);
    DynamicMasker copy = roundTrip(masker);
    long masked = 0;
    long asMask = 0;
    long kept = 0;
    long random = 0;
    long sameAcrossEpochs = 0;
    long checked = 0;
    for (int epoch = 0; epoch < 3; epoch++) {
      for (PretrainingInstance x : raw) {
        PretrainingInstance m = masker.mask(x, epoch);
        InstanceChecks.assertPairLayout(m, moby.ids, MAX_SEQ, MAX_PRED, 0.15);
        assertArrayEquals(x.inputIds(), padded(InstanceChecks.original(m), x),
            "masked_lm_ids restore the unmasked input");
        if (epoch == 0 && checked < 2000) {
          checked++;
          assertEquals(m, copy.mask(x, 0), "same seed, instance and epoch: same mask");
          PretrainingInstance next = masker.mask(x, 1);
          if (Arrays.equals(m.maskedLmPositions(), next.maskedLmPositions())) {
            sameAcrossEpochs++;
          }
        }
        for (int k = 0; k < m.numPredictions(); k++) {
          int shown = m.inputIds()[m.maskedLmPositions()[k]];
          masked++;
          if (shown == m.maskedLmIds()[k]) {
            kept++;
          } else if (shown == moby.ids.mask()) {
            asMask++;
          } else {
            random++;
          }
        }
      }
    }
    // positions coincide across epochs only for very short instances (few candidates)
    assertTrue(sameAcrossEpochs < checked / 20, "same positions in epochs 0 and 1: " + sameAcrossEpochs);
    double keptP = 0.1 + 0.1 / moby.ids.vocabSize(); // a random id equal to the original counts as kept
    assertShare(0.8, asMask, masked, "[MASK]");
    assertShare(keptP, kept, masked, "kept");
    assertShare(0.1 - 0.1 / moby.ids.vocabSize(), random, masked, "random id");
    // a different seed gives different masks
    DynamicMasker other = new DynamicMasker(cfg.withSeed(7), moby.ids, null);
    assertNotEquals(positions(masker, raw.subList(0, 20)), positions(other, raw.subList(0, 20)));
    System.out.printf("dynamic: %d masked over 3 epochs: [MASK] %.4f kept %.4f random %.4f; same positions in "
        + "epochs 0/1: %d of %d%n", masked, (double) asMask / masked, (double) kept / masked,
        (double) random / masked, sameAcrossEpochs, checked);
  }

  private static String positions(DynamicMasker m, List<PretrainingInstance> xs) {
    StringBuilder b = new StringBuilder();
    for (PretrainingInstance x : xs) {
      b.append(Arrays.toString(m.mask(x, 0).maskedLmPositions()));
    }
    return b.toString();
  }

  /** The unmasked tokens padded like the instance. */
  private static int[] padded(int[] tokens, PretrainingInstance like) {
    int[] p = like.inputIds().clone();
    System.arraycopy(tokens, 0, p, 0, tokens.length);
    return p;
  }

  @Test
  void dynamicAndStaticInstancesHaveTheSameLayoutAndUnmaskedStructureForSop() {
    // dynamic mode only skips the mask draws: same task logic, labels and segment layout
    MaskedLmConfig cfg = MaskedLmConfig.defaults().withTask(PretrainingTask.SOP).withMasking(MaskingMode.DYNAMIC);
    List<PretrainingInstance> raw = new PretrainingDataGenerator(cfg, moby.ids).generate(moby.docIds,
        moby.documents);
    long swapped = raw.stream().filter(x -> x.nextSentenceLabel() == 1).count();
    assertShare(0.5, swapped, raw.size(), "SOP swapped share (dynamic)");
    DynamicMasker masker = new DynamicMasker(cfg, moby.ids, null);
    for (PretrainingInstance x : raw) {
      PretrainingInstance m = masker.mask(x, 3);
      assertArrayEquals(x.segmentIds(), m.segmentIds());
      InstanceChecks.assertPairLayout(m, moby.ids, MAX_SEQ, MAX_PRED, 0.15);
    }
  }

  @Test
  void dynamicWholeWordMaskingAndErrors() {
    MobyTokens pieces = new MobyTokens(true);
    boolean[] cont = PretrainingDataGenerator.continuationFlags(pieces.vocab);
    MaskedLmConfig cfg = MaskedLmConfig.defaults().withWholeWordMasking(true).withMasking(MaskingMode.DYNAMIC);
    List<PretrainingInstance> raw = new PretrainingDataGenerator(cfg, pieces.ids, cont).generate(pieces.docIds,
        pieces.documents);
    DynamicMasker masker = new DynamicMasker(cfg, pieces.ids, cont);
    long together = 0;
    for (PretrainingInstance x : raw) {
      PretrainingInstance m = masker.mask(x, 0);
      boolean[] isMasked = new boolean[x.length()];
      for (int k = 0; k < m.numPredictions(); k++) {
        isMasked[m.maskedLmPositions()[k]] = true;
      }
      int[] tok = InstanceChecks.original(m);
      for (int i = 2; i < tok.length - 1; i++) {
        if (cont[tok[i]] && tok[i - 1] != pieces.ids.sep() && tok[i - 1] != pieces.ids.cls()) {
          assertEquals(isMasked[i - 1], isMasked[i], "pieces of one word masked together");
          together += isMasked[i] ? 1 : 0;
        }
      }
    }
    assertTrue(together > 100, "multi-piece words masked: " + together);
    assertThrows(IllegalArgumentException.class, () -> new DynamicMasker(cfg, pieces.ids, null));
    assertThrows(IllegalArgumentException.class,
        () -> masker.mask(new int[] {1, 2}, new int[] {1}, "x", 0));
    assertThrows(IllegalArgumentException.class,
        () -> masker.mask(new int[] {0, 0}, new int[] {0, 0}, "x", 0));
  }

  @Test
  void repeatedDocIdsStillGetUniqueInstanceIds() {
    // exact duplicates share their content-hash doc_id; their instance ids must still differ
    MaskedLmConfig cfg = MaskedLmConfig.defaults().withMasking(MaskingMode.DYNAMIC).withDupeFactor(2);
    List<String> ids = List.of(moby.docIds.get(0), moby.docIds.get(0), moby.docIds.get(1));
    List<int[][]> docs = List.of(moby.documents.get(0), moby.documents.get(0), moby.documents.get(1));
    List<PretrainingInstance> xs = new PretrainingDataGenerator(cfg, moby.ids).generate(ids, docs);
    Set<String> seen = new HashSet<>();
    for (PretrainingInstance x : xs) {
      assertTrue(seen.add(x.instanceId()), "unique " + x.instanceId());
    }
    assertTrue(seen.stream().anyMatch(id -> id.startsWith(moby.docIds.get(0) + "#1/")), "second copy is #1");
  }

  // ---------------- options ----------------

  @Test
  void optionValuesParseAndLengthBinsCoverEveryLength() {
    assertEquals(PretrainingTask.FULL_SENTENCES, PretrainingTask.parse("full_sentences"));
    assertEquals(PretrainingTask.FULL_SENTENCES, PretrainingTask.parse("Full-Sentences"));
    assertEquals(PretrainingTask.SOP, PretrainingTask.parse("sop"));
    assertEquals(MaskingMode.DYNAMIC, MaskingMode.parse("dynamic"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretrainingTask.parse("mlm"));
    assertTrue(e.getMessage().contains("nsp, sop or full_sentences"));
    assertThrows(IllegalArgumentException.class, () -> MaskingMode.parse("sometimes"));
    assertEquals(MaskedLmConfig.defaults(), MaskedLmConfig.defaults().withTask(PretrainingTask.NSP)
        .withMasking(MaskingMode.STATIC));
    // bins of 32 over lengths 1..128: 0..3, each holds exactly its 32 lengths
    assertEquals(4, LengthBins.count(128, 32));
    int[] perBin = new int[4];
    for (int len = 1; len <= 128; len++) {
      int b = LengthBins.of(len, 32);
      assertTrue(len >= LengthBins.lower(b, 32) && len <= LengthBins.upper(b, 32));
      perBin[b]++;
    }
    assertArrayEquals(new int[] {32, 32, 32, 32}, perBin);
    assertEquals(3, LengthBins.count(129, 64));
    assertThrows(IllegalArgumentException.class, () -> LengthBins.of(10, 0));
  }

  private static DynamicMasker roundTrip(DynamicMasker g) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(g);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (DynamicMasker) in.readObject();
    }
  }
}
