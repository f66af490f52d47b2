package dev.pretrain.model.bert;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex;
import org.deeplearning4j.nn.conf.graph.rnn.ReverseTimeSeriesVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Builds a BERT encoder with MLM and NSP pretraining heads (Devlin et al. 2019; layout of Google BERT
 * {@code modeling.py} + {@code run_pretraining.py}) as a DL4J {@link ComputationGraph}.
 *
 * <p>Graph inputs, in order (all float32, built by {@link BertBatches}):
 * <ol>
 *   <li>{@code input_ids [batch, seqLen]} token ids</li>
 *   <li>{@code segment_ids [batch, seqLen]} 0/1</li>
 *   <li>{@code input_mask [batch, 1, seqLen]} 1 = real token, 0 = padding (the attention key mask; carried as an
 *   extra channel through the blocks)</li>
 *   <li>{@code masked_lm_onehot [batch, maxPredictions, seqLen]} one-hot of masked_lm_positions</li>
 * </ol>
 * Outputs, in order: {@code mlm [batch, vocab, maxPredictions]} softmax over the vocab at each masked position,
 * {@code nsp [batch, 2]} softmax (index 1 = "B is random").
 *
 * <p>Vertices: token and segment {@link EmbeddingSequenceLayer}s (summed), {@link BertEmbeddingNorm} (+ learned
 * position embeddings, layer norm), a MergeVertex appending the input_mask channel, {@code numHiddenLayers} x
 * encoder blocks on {@code [b, hidden + 1, T]}: {@link BertFusedTransformerBlock} (hand-written forward/backward) when
 * {@link BertConfig#isFusedBlocks()}, else the SameDiff {@link BertTransformerBlock} (same function, parameter names,
 * shapes and flattened order, so parameter vectors and checkpoints carry over), MLM head (MergeVertex
 * with masked_lm_onehot, {@link BertMlmTransform} gathering only the masked positions, then a decoder
 * {@code hidden -> vocab} with output bias and sparse cross-entropy, masked_lm_weights as label mask: the fused
 * {@link BertMlmOutputLayer} when {@link BertConfig#isFusedMlmOutput()}, else an {@link RnnOutputLayer}; same parameters),
 * NSP head (pooler: the [CLS] state via ReverseTimeSeriesVertex + LastTimeStepVertex + SubsetVertex, dense + tanh,
 * then a 2-way softmax {@link OutputLayer}). Layer norms use ND4J's fused {@code layer_norm} (its epsilon, not
 * BERT's 1e-12).
 *
 * <p>Differences from Google BERT: the MLM decoder is NOT tied to the token embedding matrix (a separate
 * {@code [hidden, vocab]} weight); weights are N(0, 0.02^2) rather than truncated normal; dropout
 * ({@code hidden_dropout_prob}, {@code attention_probs_dropout_prob}) is not applied (the SameDiff blocks have
 * no train/inference switch in DL4J M2.1); gradient clipping is per layer (L2 norm 1.0) rather than global;
 * the learning rate follows Google BERT's warm-up + linear decay ({@link WarmupSchedule}), which
 * {@link BertSparkTrainer} carries across averaging rounds with a {@link RoundSchedule} per round on every layer
 * ({@link #setSchedule}).
 * Optimiser: Adam with decoupled weight decay ({@code weightDecay x lr x param}, not on biases/LN betas).
 */
public final class BertModel {
    /** Input names, in the order of {@link BertBatches} features. */
    public static final String[] INPUTS = {"input_ids", "segment_ids", "input_mask", "masked_lm_onehot"};
    /** Output names, in the order of {@link BertBatches} labels. */
    public static final String[] OUTPUTS = {"mlm", "nsp"};

    private BertModel() {
    }

    /** Builds and initialises the graph with {@link BertTrainingConfig#defaults()} optimiser settings. */
    public static ComputationGraph build(BertConfig config) {
        return build(config, BertTrainingConfig.defaults());
    }

    /**
     * Builds and initialises the graph; parameters are seeded by {@link BertConfig#getSeed()}.
     *
     * @throws IllegalArgumentException if the config is invalid
     */
    public static ComputationGraph build(BertConfig config, BertTrainingConfig training) {
        return build(config, training, 0);
    }

    /**
     * Builds and initialises the graph with Google BERT's learning-rate schedule: linear warm-up, then
     * linear decay to 0 at {@code totalSteps} (0: constant after warm-up).
     *
     * @throws IllegalArgumentException if the config is invalid
     */
    public static ComputationGraph build(BertConfig config, BertTrainingConfig training, int totalSteps) {
        config.validate();
        WarmupSchedule schedule = new WarmupSchedule(training.learningRate(), training.warmupSteps(), totalSteps);
        int v = config.getVocabSize();
        int h = config.getHiddenSize();
        int t = config.getMaxPositionEmbeddings();
        int p = config.getMaxPredictionsPerSeq();
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .gradientNormalization(GradientNormalization.ClipL2PerLayer)
                .gradientNormalizationThreshold(1.0)
                .weightDecay(training.weightDecay(), true)
                .weightDecayBias(0.0, true)
                .seed(config.getSeed())
                .dataType(DataType.FLOAT)
                .weightInit(new WeightInitDistribution(new NormalDistribution(0, SdOps.INIT_STD)))
                .updater(new Adam(schedule))
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder()
                .addInputs(INPUTS)
                .addLayer("token_embeddings", new EmbeddingSequenceLayer.Builder().nIn(v).nOut(h).inputLength(t)
                        .hasBias(false).build(), "input_ids")
                .addLayer("segment_embeddings", new EmbeddingSequenceLayer.Builder().nIn(config.getTypeVocabSize())
                        .nOut(h).inputLength(t).hasBias(false).build(), "segment_ids")
                .addVertex("embedding_sum", new ElementWiseVertex(ElementWiseVertex.Op.Add),
                        "token_embeddings", "segment_embeddings")
                .addLayer("embeddings", new BertEmbeddingNorm(h, t), "embedding_sum");
        // the input_mask travels as one extra channel: [b, h + 1, t]
        g.addVertex("embeddings_with_mask", new MergeVertex(), "embeddings", "input_mask");
        String prev = "embeddings_with_mask";
        for (int i = 0; i < config.getNumHiddenLayers(); i++) {
            String name = "layer_" + i;
            g.addLayer(name, config.isFusedBlocks()
                    ? new BertFusedTransformerBlock(h, config.getNumAttentionHeads(), config.getIntermediateSize(), t)
                    : new BertTransformerBlock(h, config.getNumAttentionHeads(), config.getIntermediateSize(), t), prev);
            prev = name;
        }
        g.addVertex("mlm_input", new MergeVertex(), prev, "masked_lm_onehot")
                .addLayer("mlm_transform", new BertMlmTransform(h, p), "mlm_input")
                .addLayer("mlm", config.isFusedMlmOutput() ? new BertMlmOutputLayer(h, v)
                        : new RnnOutputLayer.Builder(new LossSparseMCXENT()).nIn(h).nOut(v)
                        .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build(), "mlm_transform")
                // [CLS] = first time step: reverse the sequence, take its last step (no feature masks are used)
                .addVertex("reversed", new ReverseTimeSeriesVertex(), prev)
                .addVertex("cls_with_mask", new LastTimeStepVertex("input_ids"), "reversed")
                .addVertex("cls", new SubsetVertex(0, h - 1), "cls_with_mask")
                .addLayer("pooler", new DenseLayer.Builder().nIn(h).nOut(h).activation(Activation.TANH).build(), "cls")
                .addLayer("nsp", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(h).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "pooler")
                .setOutputs(OUTPUTS);
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }

    /**
     * Sets the learning-rate schedule of every layer's updater (weights and biases), the SameDiff layers
     * ({@link BertEmbeddingNorm}, {@link BertTransformerBlock}, {@link BertMlmTransform}) included, and rebuilds the
     * updater keeping its state (Adam moments). DL4J's own {@code ComputationGraph.setLearningRate} only reaches
     * {@code BaseLayer}s: a SameDiff layer's updater lives in {@code AbstractSameDiffLayer}, so without this the
     * SameDiff layers kept the schedule they were built with.
     *
     * @throws IllegalArgumentException if {@code schedule} is null
     */
    public static void setSchedule(ComputationGraph net, ISchedule schedule) {
        if (schedule == null) throw new IllegalArgumentException("BertModel.setSchedule: null schedule");
        for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
            if (l.conf().getLayer() instanceof AbstractSameDiffLayer sd) {
                setSchedule(sd.getUpdater(), schedule);
                setSchedule(sd.getBiasUpdater(), schedule);
            }
        }
        net.setLearningRate(schedule);   // the BaseLayers, then refreshes the updater blocks with their state
    }

    private static void setSchedule(IUpdater u, ISchedule schedule) {
        if (u != null && u.hasLearningRate()) u.setLrAndSchedule(Double.NaN, schedule);
    }

    /**
     * Adam's {@code {beta1, beta2}} of the first layer with an {@link Adam} updater, or {@code {0, 0}} when no layer
     * uses Adam (for {@link RoundSchedule}'s bias-correction compensation).
     */
    public static double[] adamBetas(ComputationGraph net) {
        for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
            for (String p : l.paramTable().keySet()) {
                if (l.conf().getLayer().getUpdaterByParam(p) instanceof Adam a) {
                    return new double[]{a.getBeta1(), a.getBeta2()};
                }
            }
        }
        return new double[]{0, 0};
    }
}
