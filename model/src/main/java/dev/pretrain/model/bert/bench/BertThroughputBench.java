package dev.pretrain.model.bert.bench;

import dev.pretrain.model.bert.BertBatches;
import dev.pretrain.model.bert.BertConfig;
import dev.pretrain.model.bert.BertExample;
import dev.pretrain.model.bert.BertFusedBlockLayer;
import dev.pretrain.model.bert.BertModel;
import dev.pretrain.model.bert.BertTrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training throughput of {@link BertModel} (MLM + NSP, Adam, one {@code fit} per step) on random batches, in the
 * conventions of the PyTorch peer {@code ../shared/peers/torch_bert_mini.py}: BERT-mini by default (L4 H256 A4
 * FFN1024, vocab 30522, seq 128, batch 32), every position a real token (no padding), 19 masked positions per
 * sequence (round(0.15 x 128), the peer's count), uniform random token ids, segments split at a random point,
 * random NSP labels. Threads: set {@code OMP_NUM_THREADS} (and the BLAS thread variables) before starting the JVM.
 *
 * <p>FLOPs per sequence (the peer's analytic count; forward + backward = 3 x forward matmul FLOPs):
 * {@code S x (6 L (4 H^2 + 2 H F) + 12 L S H) + 6 P (H^2 + H V) + 6 (H^2 + 2 H)}; 27.5 MFLOP per token for BERT-mini
 * with P = 19. Before timing, a BLAS sgemm of the encoder's FFN shape ({@code [B S, H] x [H, F]}) is timed through
 * ND4J (thread CPU time) to give this core's practical matmul rate; MFU is quoted against it.
 *
 * <p>Usage: {@code BertThroughputBench [--blocks samediff|fused] [--mlm fused|dl4j] [--layers 4] [--hidden 256] [--heads 4]
 * [--ffn 1024] [--vocab 30522] [--seq 128] [--batch 32] [--predictions 19] [--warmup 3] [--steps 10]
 * [--repeat 1]}. Prints {@code RESULT bert_throughput ...} with seq/s, tokens/s, GFLOP/s, ms/step, gemm GFLOP/s
 * and MFU, and the same per process CPU-second ({@code seq/cpu_s}: timed sequences / CPU seconds of this process
 * over the timed steps; the figure to compare when other processes share the cores); with {@code -Dbert.fused.profile=true} also the fused blocks' time per stage
 * ({@code PROFILE stage=... ms/step=...}). {@code --mlm}: the MLM decoder, {@link dev.pretrain.model.bert.BertMlmOutputLayer}
 * (fused, default) or DL4J's RnnOutputLayer ({@code dl4j}).
 */
public final class BertThroughputBench {
    private BertThroughputBench() {
    }

    public static void main(String[] args) {
        System.out.println("bench natives: " + dev.pretrain.model.natives.Nd4jNatives.select().describe());
        String blocks = "samediff";
        String mlm = "fused";
        int layers = 4, hidden = 256, heads = 4, ffn = 1024, vocab = 30522, seq = 128, batch = 32, preds = 19;
        int warmup = 3, steps = 10, repeat = 1;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--blocks" -> blocks = v;
                case "--mlm" -> mlm = v;
                case "--layers" -> layers = Integer.parseInt(v);
                case "--hidden" -> hidden = Integer.parseInt(v);
                case "--heads" -> heads = Integer.parseInt(v);
                case "--ffn" -> ffn = Integer.parseInt(v);
                case "--vocab" -> vocab = Integer.parseInt(v);
                case "--seq" -> seq = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--predictions" -> preds = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--steps" -> steps = Integer.parseInt(v);
                case "--repeat" -> repeat = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("BertThroughputBench: unknown argument " + args[i]);
            }
            i++;
        }
        if (!blocks.equals("samediff") && !blocks.equals("fused")) {
            throw new IllegalArgumentException("BertThroughputBench: --blocks must be samediff or fused, got " + blocks);
        }
        if (!mlm.equals("fused") && !mlm.equals("dl4j")) {
            throw new IllegalArgumentException("BertThroughputBench: --mlm must be fused or dl4j, got " + mlm);
        }
        BertConfig cfg = BertConfig.mini(vocab);
        cfg.setNumHiddenLayers(layers);
        cfg.setHiddenSize(hidden);
        cfg.setNumAttentionHeads(heads);
        cfg.setIntermediateSize(ffn);
        cfg = cfg.withSequence(seq, preds).withFusedBlocks(blocks.equals("fused"))
                .withFusedMlmOutput(mlm.equals("fused"));
        BertTrainingConfig d = BertTrainingConfig.defaults();
        ComputationGraph net = BertModel.build(cfg, new BertTrainingConfig(batch, 1, 1, 1, 1e-4, d.weightDecay(), 0, 1));

        Random rnd = new Random(1);
        List<MultiDataSet> data = new ArrayList<>();
        for (int b = 0; b < 4; b++) data.add(BertBatches.toMultiDataSet(randomBatch(rnd, batch, seq, preds, vocab), cfg));

        double flopsSeq = flopsPerSequence(layers, hidden, ffn, seq, preds, vocab);
        double gemm = gemmGflops(batch * seq, hidden, ffn);
        System.out.printf("bench blocks=%s mlm=%s L=%d H=%d A=%d FFN=%d V=%d S=%d B=%d P=%d params=%d threads(OMP)=%s "
                        + "FLOPs/token=%.2fM FLOPs/step=%.1fG sgemm[%dx%dx%d]=%.1f GFLOP/cpu_s backend=%s%n",
                blocks, mlm, layers, hidden, heads, ffn, vocab, seq, batch, preds, net.numParams(),
                System.getenv().getOrDefault("OMP_NUM_THREADS", "?"), flopsSeq / seq / 1e6, flopsSeq * batch / 1e9,
                batch * seq, hidden, ffn, gemm, Nd4j.getExecutioner().getEnvironmentInformation().getProperty("blas.vendor", "?"));

        for (int i = 0; i < warmup; i++) net.fit(data.get(i % data.size()));
        BertFusedBlockLayer.resetProfile();
        double best = 0, worst = Double.MAX_VALUE, bestCpu = 0;
        long totalSteps = 0;
        for (int r = 0; r < repeat; r++) {
            long c0 = processCpuNanos();
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) net.fit(data.get(i % data.size()));
            double dt = (System.nanoTime() - t0) / 1e9;
            double cpu = (processCpuNanos() - c0) / 1e9;
            totalSteps += steps;
            double seqs = steps * (double) batch / dt;
            best = Math.max(best, seqs);
            worst = Math.min(worst, seqs);
            bestCpu = Math.max(bestCpu, steps * (double) batch / cpu);
            System.out.printf("run %d: %d steps in %.2fs (process CPU %.2fs)  %.0f ms/step  seq/s=%.2f seq/cpu_s=%.2f "
                            + "tokens/s=%.0f GFLOP/s=%.1f loss=%.3f%n", r + 1, steps, dt, cpu, dt / steps * 1000, seqs,
                    steps * (double) batch / cpu, seqs * seq, seqs * flopsSeq / 1e9, net.score());
        }
        for (Map.Entry<String, Long> e : BertFusedBlockLayer.profile().entrySet()) {
            System.out.printf("PROFILE stage=\"%s\" ms/step=%.1f%n", e.getKey(), e.getValue() / 1e6 / totalSteps);
        }
        double gf = best * flopsSeq / 1e9;
        System.out.printf("RESULT bert_throughput blocks=%s mlm=%s L=%d H=%d A=%d FFN=%d V=%d S=%d B=%d P=%d best_seq/s=%.2f "
                        + "best_tokens/s=%.0f best_GFLOP/s=%.1f ms/step=%.0f min/max_seq/s=%.2f/%.2f sgemm_GFLOP/s=%.1f "
                        + "MFU_vs_sgemm=%.2f best_seq/cpu_s=%.2f GFLOP/cpu_s=%.1f MFU_cpu_vs_sgemm=%.2f%n", blocks, mlm, layers, hidden, heads,
                ffn, vocab, seq, batch, preds, best, best * seq, gf, batch / best * 1000, worst, best, gemm, gf / gemm,
                bestCpu, bestCpu * flopsSeq / 1e9, bestCpu * flopsSeq / 1e9 / gemm);
    }

    /** CPU time of this process (all threads), ns; robust to other processes sharing the machine. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The peer's analytic FLOP count per sequence (see the class comment). */
    static double flopsPerSequence(int l, int h, int f, int s, int p, int v) {
        double enc = (double) l * (4.0 * h * h + 2.0 * h * f);
        double perToken = 6 * enc + 6.0 * 2 * l * s * h;
        return perToken * s + 6.0 * p * ((double) h * h + (double) h * v) + 6.0 * ((double) h * h + 2.0 * h);
    }

    /**
     * GFLOP per CPU-second of ND4J's sgemm for [m, k] x [k, n] (best of 5 after 2 warm-ups; thread CPU time, as ND4J
     * runs it on the calling thread with one OpenMP thread).
     */
    static double gemmGflops(int m, int k, int n) {
        INDArray a = Nd4j.rand(DataType.FLOAT, m, k);
        INDArray b = Nd4j.rand(DataType.FLOAT, k, n);
        INDArray c = Nd4j.create(DataType.FLOAT, m, n);
        java.lang.management.ThreadMXBean tm = java.lang.management.ManagementFactory.getThreadMXBean();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 7; i++) {
            long t0 = tm.getCurrentThreadCpuTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            double dt = (tm.getCurrentThreadCpuTime() - t0) / 1e9;
            if (i >= 2) best = Math.min(best, dt);
        }
        return 2.0 * m * k * n / best / 1e9;
    }

    /** Random full-length pretraining instances (no padding), as the peer's batches. */
    static List<BertExample> randomBatch(Random rnd, int batch, int seq, int preds, int vocab) {
        List<BertExample> out = new ArrayList<>();
        for (int e = 0; e < batch; e++) {
            int[] ids = new int[seq];
            int[] mask = new int[seq];
            int[] seg = new int[seq];
            int split = 1 + rnd.nextInt(seq - 1);
            for (int i = 0; i < seq; i++) {
                ids[i] = rnd.nextInt(vocab);
                mask[i] = 1;
                seg[i] = i >= split ? 1 : 0;
            }
            // preds distinct positions (partial Fisher-Yates)
            int[] perm = new int[seq];
            for (int i = 0; i < seq; i++) perm[i] = i;
            int[] pos = new int[preds];
            int[] lab = new int[preds];
            float[] w = new float[preds];
            for (int i = 0; i < preds; i++) {
                int j = i + rnd.nextInt(seq - i);
                int tmp = perm[i];
                perm[i] = perm[j];
                perm[j] = tmp;
                pos[i] = perm[i];
                lab[i] = rnd.nextInt(vocab);
                w[i] = 1f;
            }
            out.add(new BertExample(ids, mask, seg, pos, lab, w, rnd.nextInt(2)));
        }
        return out;
    }
}
