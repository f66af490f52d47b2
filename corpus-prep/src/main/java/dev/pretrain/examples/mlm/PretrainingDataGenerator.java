package dev.pretrain.examples.mlm;

import dev.pretrain.corpus.ingest.DocIds;
import dev.pretrain.examples.Seeds;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Makes BERT masked-LM / next-sentence-prediction instances from documents of token-id sentences,
 * following {@code create_instances_from_document}, {@code truncate_seq_pair} and
 * {@code create_masked_lm_predictions} of Google BERT's {@code create_pretraining_data.py}
 * (google-research/bert; Devlin et al. 2019):
 * <ul>
 *   <li>{@code max_num_tokens = max_seq_length - 3}; per document pass the target length is
 *       {@code max_num_tokens}, or with probability {@code short_seq_prob} a uniform int in
 *       {@code [2, max_num_tokens]} (drawn once per document and duplicate, as Google does);</li>
 *   <li>sentences are accumulated into a chunk until it reaches the target length or the document
 *       ends; {@code a_end} is uniform in {@code [1, chunk size - 1]} (1 for a one-sentence chunk);</li>
 *   <li>with probability 0.5, or always for a one-sentence chunk, B is random: a random other document
 *       of the shard (up to 10 tries to avoid the same one), from a random sentence on, until it
 *       reaches {@code target - len(A)}; the unused chunk sentences are put back;</li>
 *   <li>{@code truncate_seq_pair}: while {@code len(A)+len(B) > max_num_tokens}, drop the first or
 *       last token (p = 0.5) of the longer one (B on ties);</li>
 *   <li>[CLS] A [SEP] B [SEP], segment ids 0 / 1;</li>
 *   <li>masking: candidates are all positions except [CLS]/[SEP], shuffled;
 *       {@code num_to_predict = min(max_predictions_per_seq, max(1, round(len(tokens) * masked_lm_prob)))}
 *       (round half to even, as Python 3, over the length with [CLS]/[SEP]); 80% [MASK], 10% kept,
 *       10% a uniform random id in {@code [0, vocabSize)}; positions sorted ascending;</li>
 *   <li>whole-word masking: a token whose vocabulary string starts with {@code ##} joins the group of
 *       the token before it, groups are masked together and a group that would exceed
 *       {@code num_to_predict} is skipped. Deviation: a {@code ##} piece right after [CLS]/[SEP]
 *       (front truncation can cut a word) starts its own group instead of joining the word across
 *       the separator.</li>
 * </ul>
 *
 * <p>Variants ({@link MaskedLmConfig#task()}, {@link MaskedLmConfig#masking()}): {@link PretrainingTask#SOP}
 * follows ALBERT's {@code create_pretraining_data.py} with {@code random_next_sentence=False} (B is always the
 * rest of the chunk, swapped with p = 0.5, label 1 = swapped); {@link PretrainingTask#FULL_SENTENCES} packs
 * consecutive sentences across documents as RoBERTa does (see {@code fullSentencesPass});
 * {@link MaskingMode#DYNAMIC} writes the instances unmasked for {@link DynamicMasker}. The default (NSP, static)
 * draws exactly the random numbers it always did, so its output is unchanged.
 *
 * <p>Sharding and determinism: {@link #generate} sees one shard (its documents are the only source
 * of random B segments). Documents are ordered by docId (stable) inside {@code generate}, every
 * random choice of a document pass comes from {@code new SplittableRandom(Seeds.of(seed, docId, dupe))},
 * and the final shuffle of the shard's instances (Google shuffles its instances too) is seeded from
 * {@code seed} and the docIds. The output is therefore a function of the shard's contents only, never
 * of how shards are grouped into Spark tasks or of the input order. Google's global shuffle of all
 * documents is replaced by the docId order (docIds are content hashes, so this order is already
 * arbitrary). Sentences of length 0 and documents without sentences are ignored.
 *
 * <p>Immutable, thread-safe, serializable.
 */
public final class PretrainingDataGenerator implements Serializable {
  private static final long serialVersionUID = 1L;

  private final MaskedLmConfig config;
  private final SpecialIds ids;
  private final boolean[] isContinuation;

  /** A generator without whole-word masking information ({@code config.wholeWordMasking()} must be false). */
  public PretrainingDataGenerator(MaskedLmConfig config, SpecialIds ids) {
    this(config, ids, null);
  }

  /**
   * @param isContinuation indexed by token id: true for WordPiece continuation pieces ({@code ##...}),
   *     see {@link #continuationFlags(List)}; required when {@code config.wholeWordMasking()}
   * @throws IllegalArgumentException if whole-word masking is on without flags, or the flags do not
   *     cover the vocabulary
   */
  public PretrainingDataGenerator(MaskedLmConfig config, SpecialIds ids, boolean[] isContinuation) {
    this.config = Objects.requireNonNull(config, "config");
    this.ids = Objects.requireNonNull(ids, "ids");
    checkContinuationFlags(config, ids, isContinuation);
    this.isContinuation = isContinuation == null ? null : isContinuation.clone();
  }

  /**
   * Checks the {@code isContinuation} flags given with a config (shared with {@link DynamicMasker}).
   *
   * @throws IllegalArgumentException if whole-word masking is on without flags, or the flags do not
   *     cover the vocabulary
   */
  static void checkContinuationFlags(MaskedLmConfig config, SpecialIds ids, boolean[] isContinuation) {
    if (config.wholeWordMasking() && isContinuation == null) {
      throw new IllegalArgumentException("wholeWordMasking needs the isContinuation flags of the vocabulary");
    }
    if (isContinuation != null && isContinuation.length != ids.vocabSize()) {
      throw new IllegalArgumentException("isContinuation has " + isContinuation.length + " entries, vocabSize is "
          + ids.vocabSize());
    }
  }

  /** {@code ##}-prefixed tokens of a vocabulary listed by id. */
  public static boolean[] continuationFlags(List<String> vocab) {
    boolean[] f = new boolean[vocab.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = vocab.get(i).startsWith("##");
    }
    return f;
  }

  public MaskedLmConfig config() {
    return config;
  }

  public SpecialIds ids() {
    return ids;
  }

  /** {@link #generate(List, List, GenerationStats)} without statistics. */
  public List<PretrainingInstance> generate(List<String> docIds, List<int[][]> documents) {
    return generate(docIds, documents, new GenerationStats());
  }

  /**
   * Instances of one shard.
   *
   * @param docIds    document ids, parallel to {@code documents}
   * @param documents per document its sentences, each an int array of token ids in {@code [0, vocabSize)}
   * @param stats     counters to add to
   * @return {@code dupeFactor} passes over all documents, shuffled (seeded)
   * @throws IllegalArgumentException if the lists differ in size, a docId is null, or a token id is out of range
   */
  public List<PretrainingInstance> generate(List<String> docIds, List<int[][]> documents, GenerationStats stats) {
    List<PretrainingInstance> out = new ArrayList<>();
    iterate(docIds, documents, stats).forEachRemaining(out::add);
    return out;
  }

  /**
   * The instances of {@link #generate(List, List, GenerationStats)}, in the same order, expanded to padded
   * {@link PretrainingInstance}s one at a time: the shard is held in a compact unpadded form (about a third of the
   * padded size), which bounds the memory of a Spark task. All statistics are filled before this returns.
   */
  public Iterator<PretrainingInstance> iterate(List<String> docIds, List<int[][]> documents, GenerationStats stats) {
    Shard shard = shard(docIds, documents, stats);
    List<Compact> out = passes(shard, stats);
    if (!shard.ids.isEmpty()) {
      SplittableRandom shuffle = new SplittableRandom(Seeds.of(config.seed(), DocIds.contentHash(shard.ids), -1));
      for (int i = out.size() - 1; i > 0; i--) {
        int j = shuffle.nextInt(i + 1);
        Compact t = out.get(i);
        out.set(i, out.get(j));
        out.set(j, t);
      }
    }
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < out.size();
      }

      @Override
      public PretrainingInstance next() {
        if (next >= out.size()) {
          throw new java.util.NoSuchElementException();
        }
        Compact c = out.set(next++, null); // release as we go
        return expand(c);
      }
    };
  }

  /**
   * The {@code dupeFactor} passes in generation order, before the final shuffle (package-private, for tests that
   * check what follows what).
   */
  List<PretrainingInstance> inGenerationOrder(List<String> docIds, List<int[][]> documents, GenerationStats stats) {
    List<PretrainingInstance> out = new ArrayList<>();
    for (Compact c : passes(shard(docIds, documents, stats), stats)) {
      out.add(expand(c));
    }
    return out;
  }

  /**
   * A shard's non-empty documents in docId order; {@code keys} name them in instance ids: the docId, with
   * {@code #n} appended for the n-th repeat of a docId (exact duplicates share their content-hash id).
   */
  private record Shard(List<String> ids, List<int[][]> docs, List<String> keys) {}

  private Shard shard(List<String> docIds, List<int[][]> documents, GenerationStats stats) {
    if (docIds.size() != documents.size()) {
      throw new IllegalArgumentException(docIds.size() + " docIds but " + documents.size() + " documents");
    }
    Integer[] order = new Integer[docIds.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
      Objects.requireNonNull(docIds.get(i), "docId of document " + i);
    }
    Arrays.sort(order, Comparator.comparing(docIds::get));
    List<String> shardIds = new ArrayList<>();
    List<int[][]> docs = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    int repeat = 0;
    for (int k : order) {
      int[][] clean = nonEmptySentences(docIds.get(k), documents.get(k));
      if (clean.length == 0) {
        stats.emptyDocuments++;
        continue;
      }
      String id = docIds.get(k);
      repeat = !shardIds.isEmpty() && shardIds.get(shardIds.size() - 1).equals(id) ? repeat + 1 : 0;
      shardIds.add(id);
      docs.add(clean);
      keys.add(repeat == 0 ? id : id + "#" + repeat);
    }
    return new Shard(shardIds, docs, keys);
  }

  private List<Compact> passes(Shard shard, GenerationStats stats) {
    List<Compact> out = new ArrayList<>();
    for (int dupe = 0; dupe < config.dupeFactor(); dupe++) {
      if (config.task() == PretrainingTask.FULL_SENTENCES) {
        fullSentencesPass(shard, dupe, out, stats);
        continue;
      }
      for (int d = 0; d < shard.docs.size(); d++) {
        SplittableRandom rnd = new SplittableRandom(Seeds.of(config.seed(), shard.ids.get(d), dupe));
        instancesFromDocument(shard.docs, d, shard.ids.get(d), shard.keys.get(d), dupe, rnd, out, stats);
      }
    }
    return out;
  }

  private int[][] nonEmptySentences(String docId, int[][] doc) {
    if (doc == null) {
      return new int[0][];
    }
    List<int[]> kept = new ArrayList<>(doc.length);
    for (int[] s : doc) {
      if (s == null || s.length == 0) {
        continue;
      }
      for (int t : s) {
        if (t < 0 || t >= ids.vocabSize()) {
          throw new IllegalArgumentException("document " + docId + ": token id " + t + " outside [0, "
              + ids.vocabSize() + ")");
        }
      }
      kept.add(s);
    }
    return kept.toArray(new int[0][]);
  }

  /** randint(a, b) of Python: uniform in [a, b], both inclusive. */
  private static int randint(SplittableRandom rnd, int a, int b) {
    return a + rnd.nextInt(b - a + 1);
  }

  /**
   * Google's {@code create_instances_from_document} (NSP), or ALBERT's with {@code random_next_sentence=False}
   * (SOP): for SOP, B is always the rest of the chunk and the pair is swapped with probability 0.5 (label 1).
   * Deviation for SOP: ALBERT falls back to a random other document for a one-sentence chunk (label 1); here the
   * sentence is cut at a uniform token boundary into two consecutive segments instead (a one-token chunk gives no
   * instance), so that every SOP pair comes from one document.
   */
  private void instancesFromDocument(List<int[][]> docs, int docIndex, String docId, String key, int dupe,
                                     SplittableRandom rnd, List<Compact> out, GenerationStats stats) {
    int[][] document = docs.get(docIndex);
    int maxNumTokens = config.maxSeqLength() - 3;
    int targetSeqLength = maxNumTokens;
    stats.documentPasses++;
    if (rnd.nextDouble() < config.shortSeqProb()) {
      targetSeqLength = randint(rnd, 2, maxNumTokens);
      stats.shortTargetPasses++;
    }
    boolean sop = config.task() == PretrainingTask.SOP;
    int k = 0;
    List<int[]> chunk = new ArrayList<>();
    int chunkLength = 0;
    int i = 0;
    while (i < document.length) {
      int[] segment = document[i];
      chunk.add(segment);
      chunkLength += segment.length;
      if (i == document.length - 1 || chunkLength >= targetSeqLength) {
        int aEnd = chunk.size() >= 2 ? randint(rnd, 1, chunk.size() - 1) : 1;
        IntList a = new IntList();
        IntList b = new IntList();
        boolean label;
        boolean emit = true;
        if (sop) {
          if (chunk.size() == 1) {
            int[] only = chunk.get(0);
            if (only.length < 2) {
              stats.skippedChunks++;
              emit = false;
            } else {
              int cut = randint(rnd, 1, only.length - 1);
              a.addAll(Arrays.copyOfRange(only, 0, cut));
              b.addAll(Arrays.copyOfRange(only, cut, only.length));
              stats.splitSentenceChunks++;
            }
          } else {
            for (int j = 0; j < aEnd; j++) {
              a.addAll(chunk.get(j));
            }
            for (int j = aEnd; j < chunk.size(); j++) {
              b.addAll(chunk.get(j));
            }
          }
          label = emit && rnd.nextDouble() < 0.5;
          if (label) {
            IntList t = a;
            a = b;
            b = t;
          }
        } else {
          for (int j = 0; j < aEnd; j++) {
            a.addAll(chunk.get(j));
          }
          if (chunk.size() == 1 || rnd.nextDouble() < 0.5) {
            label = true;
            if (chunk.size() == 1) {
              stats.forcedRandomNext++;
            }
            int targetB = targetSeqLength - a.size;
            int r = docIndex;
            for (int t = 0; t < 10; t++) {
              r = randint(rnd, 0, docs.size() - 1);
              if (r != docIndex) {
                break;
              }
            }
            int[][] randomDoc = docs.get(r);
            int start = randint(rnd, 0, randomDoc.length - 1);
            for (int j = start; j < randomDoc.length; j++) {
              b.addAll(randomDoc[j]);
              if (b.size >= targetB) {
                break;
              }
            }
            i -= chunk.size() - aEnd; // put the unused segments back
          } else {
            label = false;
            for (int j = aEnd; j < chunk.size(); j++) {
              b.addAll(chunk.get(j));
            }
          }
        }
        if (emit) {
          stats.truncatedTokens += truncateSeqPair(a, b, maxNumTokens, rnd);
          out.add(pairInstance(a, b, label, docId, key, dupe, k++, rnd, stats));
        }
        chunk.clear();
        chunkLength = 0;
      }
      i++;
    }
  }

  /**
   * One RoBERTa FULL-SENTENCES pass over the shard: documents in a seeded order (sorted by
   * {@code Seeds.of(seed, docId, dupe)}, so every duplicate pass packs differently), their sentences appended to
   * the current instance while {@code [CLS] + tokens + [SEP]} fits in {@code max_seq_length}; when the next
   * sentence would not fit, the instance is closed and the sentence starts the next one. Crossing into the next
   * document appends one [SEP] first (RoBERTa's extra separator between documents; dropped when the instance
   * closes right at the boundary). A sentence longer than {@code max_seq_length - 2} is cut into consecutive
   * pieces. {@code short_seq_prob} is not used (RoBERTa always fills the sequence). The masks come from one
   * random stream per (shard, duplicate).
   */
  private void fullSentencesPass(Shard shard, int dupe, List<Compact> out, GenerationStats stats) {
    int n = shard.docs.size();
    if (n == 0) {
      return;
    }
    long[] keys = new long[n];
    Integer[] order = new Integer[n];
    for (int d = 0; d < n; d++) {
      keys[d] = Seeds.of(config.seed(), shard.ids.get(d), dupe);
      order[d] = d;
    }
    Arrays.sort(order, (x, y) -> keys[x] != keys[y] ? Long.compare(keys[x], keys[y]) : Integer.compare(x, y));
    SplittableRandom rnd = new SplittableRandom(Seeds.of(config.seed(), DocIds.contentHash(shard.ids), dupe));
    int maxNumTokens = config.maxSeqLength() - 2;
    int[] perDoc = new int[n];
    IntList buf = new IntList();
    int startDoc = -1;
    boolean pendingSeparator = false;
    for (int d : order) {
      stats.documentPasses++;
      for (int[] sentence : shard.docs.get(d)) {
        if (sentence.length > maxNumTokens) {
          stats.splitLongSentences++;
        }
        for (int from = 0; from < sentence.length; from += maxNumTokens) {
          int len = Math.min(maxNumTokens, sentence.length - from);
          int separator = pendingSeparator && buf.size > 0 ? 1 : 0;
          if (buf.size > 0 && buf.size + separator + len > maxNumTokens) {
            out.add(singleInstance(buf, shard.ids.get(startDoc), shard.keys.get(startDoc), dupe, perDoc[startDoc]++,
                rnd, stats));
            buf = new IntList();
            separator = 0;
          }
          if (buf.size == 0) {
            startDoc = d;
          }
          if (separator == 1) {
            buf.addAll(new int[] {ids.sep()});
            stats.documentSeparators++;
          }
          pendingSeparator = false;
          buf.addAll(from == 0 && len == sentence.length ? sentence
              : Arrays.copyOfRange(sentence, from, from + len));
        }
      }
      pendingSeparator = true;
    }
    if (buf.size > 0) {
      out.add(singleInstance(buf, shard.ids.get(startDoc), shard.keys.get(startDoc), dupe, perDoc[startDoc]++, rnd,
          stats));
    }
  }

  /** Google's truncate_seq_pair; returns the number of tokens removed. */
  static int truncateSeqPair(IntList a, IntList b, int maxNumTokens, SplittableRandom rnd) {
    int removed = 0;
    while (a.size + b.size > maxNumTokens) {
      IntList longer = a.size > b.size ? a : b;
      if (rnd.nextDouble() < 0.5) {
        longer.removeFirst();
      } else {
        longer.removeLast();
      }
      removed++;
    }
    return removed;
  }

  /** [CLS] A [SEP] B [SEP], segment ids 0 up to the first [SEP], 1 after. */
  private Compact pairInstance(IntList a, IntList b, boolean label, String docId, String key, int dupe, int k,
                               SplittableRandom rnd, GenerationStats stats) {
    int n = a.size + b.size + 3;
    int[] tokens = new int[n];
    int p = 0;
    tokens[p++] = ids.cls();
    for (int j = 0; j < a.size; j++) {
      tokens[p++] = a.get(j);
    }
    int boundary = p;
    tokens[p++] = ids.sep();
    for (int j = 0; j < b.size; j++) {
      tokens[p++] = b.get(j);
    }
    tokens[p] = ids.sep();
    return masked(tokens, boundary, label, docId, key, dupe, k, rnd, stats);
  }

  /** [CLS] tokens [SEP], all segment ids 0, label 0. */
  private Compact singleInstance(IntList body, String docId, String key, int dupe, int k, SplittableRandom rnd,
                                 GenerationStats stats) {
    int n = body.size + 2;
    int[] tokens = new int[n];
    tokens[0] = ids.cls();
    for (int j = 0; j < body.size; j++) {
      tokens[j + 1] = body.get(j);
    }
    tokens[n - 1] = ids.sep();
    return masked(tokens, n - 1, false, docId, key, dupe, k, rnd, stats);
  }

  /** Applies the static masks (or none with dynamic masking) and counts the instance. */
  private Compact masked(int[] tokens, int boundary, boolean label, String docId, String key, int dupe, int k,
                         SplittableRandom rnd, GenerationStats stats) {
    int[] positions;
    int[] lmIds;
    int[] output;
    if (config.masking() == MaskingMode.STATIC) {
      output = tokens.clone();
      positions = MaskedLmPredictions.create(tokens, output, config.maxPredictionsPerSeq(), config.maskedLmProb(),
          ids, config.wholeWordMasking() ? isContinuation : null, rnd, stats);
      lmIds = new int[positions.length];
      for (int j = 0; j < positions.length; j++) {
        lmIds[j] = tokens[positions[j]];
      }
    } else {
      output = tokens;
      positions = new int[0];
      lmIds = positions;
    }
    stats.instances++;
    stats.tokens += tokens.length;
    if (label) {
      stats.randomNext++;
    }
    return new Compact(output, positions, lmIds, boundary, label, docId, key, dupe, k);
  }

  /**
   * An instance before padding: the (masked) tokens, masked positions and original ids, the position of the
   * [SEP] that closes segment 0.
   */
  private record Compact(int[] tokens, int[] positions, int[] lmIds, int boundary, boolean label, String docId,
                         String key, int dupe, int k) {}

  /** Pads a compact instance like Google's {@code write_instance_to_example_files}. */
  private PretrainingInstance expand(Compact c) {
    int maxLen = config.maxSeqLength();
    int n = c.tokens.length;
    int[] inputIds = new int[maxLen];
    Arrays.fill(inputIds, ids.pad());
    System.arraycopy(c.tokens, 0, inputIds, 0, n);
    int[] inputMask = new int[maxLen];
    Arrays.fill(inputMask, 0, n, 1);
    int[] segmentIds = new int[maxLen];
    Arrays.fill(segmentIds, c.boundary + 1, n, 1);
    int maxPred = config.maxPredictionsPerSeq();
    int[] mlmPositions = new int[maxPred];
    int[] mlmIds = new int[maxPred];
    float[] mlmWeights = new float[maxPred];
    System.arraycopy(c.positions, 0, mlmPositions, 0, c.positions.length);
    System.arraycopy(c.lmIds, 0, mlmIds, 0, c.lmIds.length);
    Arrays.fill(mlmWeights, 0, c.positions.length, 1.0f);
    return new PretrainingInstance(inputIds, inputMask, segmentIds, mlmPositions, mlmIds, mlmWeights,
        c.label ? 1 : 0, c.docId, PretrainingInstance.instanceId(c.key, c.dupe, c.k));
  }

  /** Minimal growable int deque for A/B segments (front removal is O(1)). */
  static final class IntList {
    private int[] data = new int[64];
    private int head;
    int size;

    void addAll(int[] xs) {
      if (head + size + xs.length > data.length) {
        int[] d = new int[Math.max(data.length * 2, size + xs.length + 16)];
        System.arraycopy(data, head, d, 0, size);
        data = d;
        head = 0;
      }
      System.arraycopy(xs, 0, data, head + size, xs.length);
      size += xs.length;
    }

    int get(int i) {
      return data[head + i];
    }

    void removeFirst() {
      head++;
      size--;
    }

    void removeLast() {
      size--;
    }
  }
}
