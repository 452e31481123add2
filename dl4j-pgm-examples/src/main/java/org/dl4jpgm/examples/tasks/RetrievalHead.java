package org.dl4jpgm.examples.tasks;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.StackVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.TrainingSettings;
import org.dl4jpgm.fusion.Fused;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Cross-modal retrieval's use of PgM: the retrieval representation of an item of modality m is PgM's own per-modality
 * output, {@code e_m = [u_m ; p_m]} (uni-modal and paired-modal features ũ_m(N), p̃_m(N) of Eq. 3-7 after the N
 * iterations, masked mean over steps; [B, 2D]; or u_m or p_m alone, {@link Embedding}), cut out of the PgM vertex
 * with {@code SubsetVertex}es. PgM processes each modality on its own up to there (per-modality projection and
 * partitioner, learners and decoder shared but applied per modality; modalities meet only in the head, Eq. 13), so an
 * image's representation does not depend on the text it is paired with: retrieval does not leak the pair.
 *
 * <p>Category supervision (the paper trains CR on Wikipedia's 10 categories, Table 1): besides the joint head
 * ({@code out}, Eq. 14) this adds one softmax classifier shared by all modalities on the e_m, so that image and
 * text representations of a category land in the same region of one space (the shared-classifier idea of deep
 * supervised cross-modal retrieval; Rasiwasia et al. 2010's semantic matching ranks by such category posteriors). DL4J
 * cannot share a layer's weights between two inputs, so the e_m are stacked along the batch ({@code StackVertex},
 * [M * B, W]) into the one classifier, whose labels are the category one-hots repeated M times ([M * B, K], per-example
 * label mask [M * B, 1] of ones, 1 = keep) — added to each batch by {@link #labels()}. The task loss L_T is then the
 * joint head's cross-entropy plus the shared classifier's (averaged over the M * B rows).
 */
public final class RetrievalHead implements ExperimentRunner.OutputExtension {

    /** Which of PgM's per-modality features form the retrieval representation. */
    public enum Embedding {
        /** {@code [u_m ; p_m]}, [B, 2D] (default). */
        BOTH,
        /** The uni-modal features u_m, [B, D]. */
        UNI,
        /** The paired-modal features p_m, [B, D]. */
        PAIRED
    }

    /** Name prefix of the per-modality representation vertices ({@code retrievalEmbed_<modality>}). */
    public static final String EMBED_PREFIX = "retrievalEmbed_";
    /** Name of the shared classifier (a network output after {@code out}). */
    public static final String OUTPUT = "retrievalOut";

    private final Embedding embedding;
    private final int classes;
    private int modalityCount;
    private List<String> embeddingVertices = List.of();

    /**
     * @param embedding which features form the representation
     * @param classes   number of categories K
     */
    public RetrievalHead(Embedding embedding, int classes) {
        this.embedding = embedding;
        this.classes = classes;
    }

    @Override
    public List<String> addOutputs(ComputationGraphConfiguration.GraphBuilder b, Fused fused, List<String> modalities,
                                   TrainingSettings options) {
        if (fused.pgmVertex() == null) {
            throw new IllegalArgumentException("RetrievalHead: expected PgM (or one of its ablations) as the fusion, "
                    + "whose per-modality features are the retrieval representations; found a baseline without them");
        }
        int m = modalities.size();
        int d = options.getWidth();
        List<String> names = new ArrayList<>();
        for (int k = 0; k < m; k++) {
            String name = EMBED_PREFIX + modalities.get(k);
            String u = "retrievalU_" + modalities.get(k);
            String p = "retrievalP_" + modalities.get(k);
            // PgM layer channels: u_1..u_M in [0, MD), p_1..p_M in [MD, 2MD) (PgmLayer); SubsetVertex is inclusive
            switch (embedding) {
                case UNI -> b.addVertex(name, new SubsetVertex(k * d, (k + 1) * d - 1), fused.pgmVertex());
                case PAIRED -> b.addVertex(name, new SubsetVertex((m + k) * d, (m + k + 1) * d - 1),
                        fused.pgmVertex());
                default -> {
                    b.addVertex(u, new SubsetVertex(k * d, (k + 1) * d - 1), fused.pgmVertex());
                    b.addVertex(p, new SubsetVertex((m + k) * d, (m + k + 1) * d - 1), fused.pgmVertex());
                    b.addVertex(name, new MergeVertex(), u, p);
                }
            }
            names.add(name);
        }
        b.addVertex("retrievalStack", new StackVertex(), names.toArray(new String[0]));
        b.addLayer(OUTPUT, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                .activation(Activation.SOFTMAX).build(), "retrievalStack");
        this.modalityCount = m;
        this.embeddingVertices = Collections.unmodifiableList(names);
        return List.of(OUTPUT);
    }

    /** The per-modality representation vertices, in modality order (set by {@link #addOutputs}). */
    public List<String> embeddingVertices() {
        return embeddingVertices;
    }

    @Override
    public MultiDataSetPreProcessor labels() {
        return mds -> {
            INDArray y = mds.getLabels(0);
            long batch = y.size(0);
            INDArray[] copies = new INDArray[modalityCount];
            java.util.Arrays.fill(copies, y);
            mds.setLabels(new INDArray[]{y, Nd4j.vstack(copies)});
            mds.setLabelsMaskArray(new INDArray[]{Nd4j.ones(y.dataType(), batch, 1),
                    Nd4j.ones(y.dataType(), modalityCount * batch, 1)});
        };
    }
}
