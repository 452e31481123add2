package org.dl4jpgm.fusion;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.ModalPartitionerBlock;
import org.dl4jpgm.blocks.PgmBlock;
import org.dl4jpgm.blocks.PgmOptions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PartitionStatistics#perExample}: the features against the layer's own output, the first iteration's gates
 * against a plain computation of Eq. 1 from the layer's parameters, the hard shares against {@link
 * PartitionStatistics#compute}.
 */
class PartitionFeaturesTest {

    private static final int D = 4;
    private static final int EXAMPLES = 12;

    /** Two sequence modalities (widths 5 and 3, S = 4, b padded for some examples) straight into PgM, N = 2. */
    private static Object[] trainedGraph(boolean partitioner) {
        PgmOptions opts = FusionFixtures.smallPgm(LearnerMode.SEQUENCE, 2, GateGradient.STRAIGHT_THROUGH).toBuilder()
                .usePartitioner(partitioner).build();
        FusionFixtures.Classifier c = FusionFixtures.pgmClassifier(opts, 7);
        ComputationGraph g = c.graph();
        Fused f = c.fused();
        MultiDataSetIterator data = FusionFixtures.data(EXAMPLES, 5, 3, DataType.FLOAT, true);
        g.fit(data);   // moves the gate biases away from their initial 0
        data.reset();
        return new Object[]{g, f, data};
    }

    @Test
    void featuresAreTheLayersOutputAndFirstGatesFollowEquationOne() {
        Object[] t = trainedGraph(true);
        ComputationGraph g = (ComputationGraph) t[0];
        Fused f = (Fused) t[1];
        MultiDataSetIterator data = (MultiDataSetIterator) t[2];
        List<PartitionStatistics.ModalityFeatures> fs = PartitionStatistics.perExample(g, f.pgmVertex(), data);
        assertEquals(2, fs.size());

        // the layer's own forward pass: [B, 2MD + 3], u_1 .. u_M then p_1 .. p_M
        INDArray layerOut = concatRows(g, f.pgmVertex(), data);
        Map<String, INDArray> params = g.getVertex(f.pgmVertex()).paramTable(false);
        long[] widths = {FusionFixtures.WIDTH_A, FusionFixtures.WIDTH_B};
        int checkedSteps = 0;
        for (int m = 0; m < 2; m++) {
            PartitionStatistics.ModalityFeatures mf = fs.get(m);
            assertEquals(2, mf.uniGates().size(), "one gate per iteration");
            assertArrayEquals(new long[]{EXAMPLES, D}, mf.uni().shape());
            assertArrayEquals(new long[]{EXAMPLES, D}, mf.lastPairedGate().shape());
            INDArray uLayer = layerOut.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(m * D, (m + 1) * D));
            INDArray pLayer = layerOut.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(2 * D + m * D, 2 * D + (m + 1) * D));
            assertEquals(uLayer, mf.uni(), "u_" + m + ": the same ops as the layer's, bit for bit");
            assertEquals(pLayer, mf.paired(), "p_" + m + ": the same ops as the layer's, bit for bit");

            // iteration 1 reads I_m only: g_u = 1 - cumsum(softmax(I W_u + b_u)), g_p = cumsum(softmax(I W_p + b_p)),
            // then the mean over valid steps, all in plain Java
            ModalPartitionerBlock part = new ModalPartitionerBlock(PgmBlock.PARTITIONER_PREFIX + m, D, 1);
            double[][] wu = params.get(part.key(ModalPartitionerBlock.W_UNI)).toDoubleMatrix();
            double[] bu = params.get(part.key(ModalPartitionerBlock.B_UNI)).toDoubleVector();
            double[][] wp = params.get(part.key(ModalPartitionerBlock.W_PAIRED)).toDoubleMatrix();
            double[] bp = params.get(part.key(ModalPartitionerBlock.B_PAIRED)).toDoubleVector();
            double[][] pw = params.get(PgmBlock.PROJ_W + m).toDoubleMatrix();
            double[] pb = params.get(PgmBlock.PROJ_B + m).toDoubleVector();
            int row = 0;
            data.reset();
            while (data.hasNext()) {
                MultiDataSet ds = data.next();
                INDArray x = ds.getFeatures(m);
                INDArray mask = ds.getFeaturesMaskArray(m);
                for (int b = 0; b < x.size(0); b++, row++) {
                    double[] sumU = new double[D];
                    double[] sumP = new double[D];
                    int valid = 0;
                    for (int s = 0; s < x.size(2); s++) {
                        if (mask.getDouble(b, s) == 0) {
                            continue;
                        }
                        valid++;
                        double[] in = new double[D];
                        for (int j = 0; j < D; j++) {
                            in[j] = pb[j];
                            for (int c = 0; c < widths[m]; c++) {
                                in[j] += x.getDouble(b, c, s) * pw[c][j];
                            }
                        }
                        double[] cu = cumSoftmax(affine(in, wu, bu));
                        double[] cp = cumSoftmax(affine(in, wp, bp));
                        for (int j = 0; j < D; j++) {
                            sumU[j] += 1 - cu[j];
                            sumP[j] += cp[j];
                        }
                    }
                    for (int j = 0; j < D; j++) {
                        assertEquals(sumU[j] / valid, mf.uniGates().get(0).getDouble(row, j), 1e-5,
                                "g_u modality " + m + " example " + row + " channel " + j);
                        assertEquals(sumP[j] / valid, mf.pairedGates().get(0).getDouble(row, j), 1e-5,
                                "g_p modality " + m + " example " + row + " channel " + j);
                    }
                    checkedSteps += valid;
                }
            }
            assertEquals(EXAMPLES, row);
        }
        assertTrue(checkedSteps < 2 * EXAMPLES * FusionFixtures.SEQ, "some steps were padding: " + checkedSteps);
    }

    @Test
    void withoutPartitionerOnlyFeatures() {
        Object[] t = trainedGraph(false);
        ComputationGraph g = (ComputationGraph) t[0];
        Fused f = (Fused) t[1];
        MultiDataSetIterator data = (MultiDataSetIterator) t[2];
        List<PartitionStatistics.ModalityFeatures> fs = PartitionStatistics.perExample(g, f.pgmVertex(), data);
        INDArray layerOut = concatRows(g, f.pgmVertex(), data);
        for (int m = 0; m < 2; m++) {
            assertTrue(fs.get(m).uniGates().isEmpty() && fs.get(m).pairedGates().isEmpty());
            INDArray pLayer = layerOut.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(2 * D + m * D, 2 * D + (m + 1) * D));
            assertEquals(0.0, fs.get(m).paired().sub(pLayer).amaxNumber().doubleValue(), 1e-5, "p_" + m);
        }
    }

    private static INDArray concatRows(ComputationGraph g, String vertex, MultiDataSetIterator data) {
        List<INDArray> rows = new ArrayList<>();
        data.reset();
        while (data.hasNext()) {
            MultiDataSet ds = data.next();
            g.setLayerMaskArrays(ds.getFeaturesMaskArrays(), null);
            rows.add(g.feedForward(ds.getFeatures(), false, false).get(vertex).dup());
            g.clearLayerMaskArrays();
        }
        data.reset();
        return Nd4j.concat(0, rows.toArray(new INDArray[0]));
    }

    /** {@code x W + b} for {@code x: [D]}, {@code W: [D, T]}. */
    private static double[] affine(double[] x, double[][] w, double[] b) {
        double[] out = b.clone();
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < out.length; j++) {
                out[j] += x[i] * w[i][j];
            }
        }
        return out;
    }

    private static double[] cumSoftmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            e[i] = Math.exp(z[i] - max);
            sum += e[i];
        }
        double run = 0;
        for (int i = 0; i < z.length; i++) {
            run += e[i] / sum;
            e[i] = run;
        }
        return e;
    }
}
