package dev.pretrain.examples.mlm;

import dev.pretrain.corpus.ingest.DocIds;
import dev.pretrain.examples.Seeds;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
    if (config.wholeWordMasking() && isContinuation == null) {
      throw new IllegalArgumentException("wholeWordMasking needs the isContinuation flags of the vocabulary");
    }
    if (isContinuation != null && isContinuation.length != ids.vocabSize()) {
      throw new IllegalArgumentException("isContinuation has " + isContinuation.length + " entries, vocabSize is "
          + ids.vocabSize());
    }
    this.isContinuation = isContinuation == null ? null : isContinuation.clone();
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
    for (int k : order) {
      int[][] clean = nonEmptySentences(docIds.get(k), documents.get(k));
      if (clean.length == 0) {
        stats.emptyDocuments++;
        continue;
      }
      shardIds.add(docIds.get(k));
      docs.add(clean);
    }
    List<PretrainingInstance> out = new ArrayList<>();
    for (int dupe = 0; dupe < config.dupeFactor(); dupe++) {
      for (int d = 0; d < docs.size(); d++) {
        SplittableRandom rnd = new SplittableRandom(Seeds.of(config.seed(), shardIds.get(d), dupe));
        instancesFromDocument(docs, d, shardIds.get(d), rnd, out, stats);
      }
    }
    if (!shardIds.isEmpty()) {
      SplittableRandom shuffle = new SplittableRandom(Seeds.of(config.seed(), DocIds.contentHash(shardIds), -1));
      for (int i = out.size() - 1; i > 0; i--) {
        int j = shuffle.nextInt(i + 1);
        PretrainingInstance t = out.get(i);
        out.set(i, out.get(j));
        out.set(j, t);
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

  private void instancesFromDocument(List<int[][]> docs, int docIndex, String docId, SplittableRandom rnd,
                                     List<PretrainingInstance> out, GenerationStats stats) {
    int[][] document = docs.get(docIndex);
    int maxNumTokens = config.maxSeqLength() - 3;
    int targetSeqLength = maxNumTokens;
    stats.documentPasses++;
    if (rnd.nextDouble() < config.shortSeqProb()) {
      targetSeqLength = randint(rnd, 2, maxNumTokens);
      stats.shortTargetPasses++;
    }
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
        for (int j = 0; j < aEnd; j++) {
          a.addAll(chunk.get(j));
        }
        IntList b = new IntList();
        boolean randomNext;
        if (chunk.size() == 1 || rnd.nextDouble() < 0.5) {
          randomNext = true;
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
          randomNext = false;
          for (int j = aEnd; j < chunk.size(); j++) {
            b.addAll(chunk.get(j));
          }
        }
        stats.truncatedTokens += truncateSeqPair(a, b, maxNumTokens, rnd);
        out.add(makeInstance(a, b, randomNext, docId, rnd, stats));
        chunk.clear();
        chunkLength = 0;
      }
      i++;
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

  private PretrainingInstance makeInstance(IntList a, IntList b, boolean randomNext, String docId,
                                           SplittableRandom rnd, GenerationStats stats) {
    int maxLen = config.maxSeqLength();
    int n = a.size + b.size + 3;
    int[] tokens = new int[n];
    int[] segmentIds = new int[maxLen];
    int p = 0;
    tokens[p++] = ids.cls();
    for (int k = 0; k < a.size; k++) {
      tokens[p++] = a.get(k);
    }
    tokens[p++] = ids.sep();
    for (int k = 0; k < b.size; k++) {
      segmentIds[p] = 1;
      tokens[p++] = b.get(k);
    }
    segmentIds[p] = 1;
    tokens[p] = ids.sep();

    int[] output = tokens.clone();
    int[] positions = mask(tokens, output, rnd, stats);

    int[] inputIds = new int[maxLen];
    Arrays.fill(inputIds, ids.pad());
    System.arraycopy(output, 0, inputIds, 0, n);
    int[] inputMask = new int[maxLen];
    Arrays.fill(inputMask, 0, n, 1);
    int maxPred = config.maxPredictionsPerSeq();
    int[] mlmPositions = new int[maxPred];
    int[] mlmIds = new int[maxPred];
    float[] mlmWeights = new float[maxPred];
    for (int k = 0; k < positions.length; k++) {
      mlmPositions[k] = positions[k];
      mlmIds[k] = tokens[positions[k]];
      mlmWeights[k] = 1.0f;
    }
    stats.instances++;
    stats.tokens += n;
    if (randomNext) {
      stats.randomNext++;
    }
    return new PretrainingInstance(inputIds, inputMask, segmentIds, mlmPositions, mlmIds, mlmWeights,
        randomNext ? 1 : 0, docId);
  }

  /** Google's create_masked_lm_predictions on ids; writes into {@code output}, returns sorted positions. */
  private int[] mask(int[] tokens, int[] output, SplittableRandom rnd, GenerationStats stats) {
    // candidate groups: [start, end) ranges of positions
    int[] groupStart = new int[tokens.length];
    int[] groupEnd = new int[tokens.length];
    int groups = 0;
    int candidates = 0;
    for (int i = 0; i < tokens.length; i++) {
      int t = tokens[i];
      if (t == ids.cls() || t == ids.sep()) {
        continue;
      }
      candidates++;
      boolean joins = config.wholeWordMasking() && groups > 0 && isContinuation[t]
          && groupEnd[groups - 1] == i;
      if (joins) {
        groupEnd[groups - 1] = i + 1;
      } else {
        groupStart[groups] = i;
        groupEnd[groups] = i + 1;
        groups++;
      }
    }
    stats.candidates += candidates;
    int[] perm = new int[groups];
    for (int g = 0; g < groups; g++) {
      perm[g] = g;
    }
    for (int g = groups - 1; g > 0; g--) {
      int j = rnd.nextInt(g + 1);
      int tmp = perm[g];
      perm[g] = perm[j];
      perm[j] = tmp;
    }
    int numToPredict = Math.min(config.maxPredictionsPerSeq(),
        Math.max(1, (int) Math.rint(tokens.length * config.maskedLmProb())));
    int[] positions = new int[numToPredict];
    int count = 0;
    for (int k = 0; k < groups; k++) {
      if (count >= numToPredict) {
        break;
      }
      int g = perm[k];
      int size = groupEnd[g] - groupStart[g];
      if (count + size > numToPredict) {
        continue;
      }
      for (int idx = groupStart[g]; idx < groupEnd[g]; idx++) {
        int masked;
        if (rnd.nextDouble() < 0.8) {
          masked = ids.mask();
          stats.maskedAsMask++;
        } else if (rnd.nextDouble() < 0.5) {
          masked = tokens[idx];
          stats.maskedKept++;
        } else {
          masked = rnd.nextInt(ids.vocabSize());
          stats.maskedRandom++;
        }
        output[idx] = masked;
        positions[count++] = idx;
      }
    }
    stats.masked += count;
    int[] sorted = Arrays.copyOf(positions, count);
    Arrays.sort(sorted);
    return sorted;
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
