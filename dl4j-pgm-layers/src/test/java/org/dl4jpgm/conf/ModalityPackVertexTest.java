package org.dl4jpgm.conf;

import org.dl4jpgm.impl.OwnedArrays;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.dl4jpgm.testing.BitAssert.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ModalityPackGraphVertex} against the packing written out element by element: features, mask channels and zero
 * padding forward, each input's channels backward; vectors (one {@code concat}) and sequences of other lengths and
 * layouts (copies into views), with and without masks.
 */
class ModalityPackVertexTest {

    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();

    private static ModalityPackGraphVertex vertex(DataType type, InputType... in) {
        ModalityPackVertex conf = new ModalityPackVertex();
        conf.getOutputType(0, in);
        return (ModalityPackGraphVertex) conf.instantiate(null, "pack", 0, null, false, type);
    }

    /** Input m as {@code [B, D_m, S_m]} values, whatever its layout (S_m = 1 for a vector). */
    private static double ncw(INDArray x, RNNFormat f, int b, int d, int s) {
        if (x.rank() == 2) {
            return x.getDouble(b, d);
        }
        return f == RNNFormat.NWC ? x.getDouble(b, s, d) : x.getDouble(b, d, s);
    }

    private static long steps(INDArray x, RNNFormat f) {
        return x.rank() == 2 ? 1 : (f == RNNFormat.NWC ? x.size(1) : x.size(2));
    }

    private static long width(INDArray x, RNNFormat f) {
        return x.rank() == 2 || f == RNNFormat.NCW ? x.size(1) : x.size(2);
    }

    /** The packed array written out: features, then one mask channel per modality, zero after each S_m. */
    private static INDArray expected(INDArray[] x, RNNFormat[] f, INDArray[] masks, DataType type) {
        int mods = x.length;
        long batch = x[0].size(0);
        long total = 0;
        long steps = 1;
        for (int m = 0; m < mods; m++) {
            total += width(x[m], f[m]);
            steps = Math.max(steps, steps(x[m], f[m]));
        }
        INDArray out = Nd4j.zeros(type, batch, total + mods, steps);
        long o = 0;
        for (int m = 0; m < mods; m++) {
            long w = width(x[m], f[m]);
            for (int b = 0; b < batch; b++) {
                for (int s = 0; s < steps(x[m], f[m]); s++) {
                    for (int d = 0; d < w; d++) {
                        out.putScalar(new long[]{b, o + d, s}, ncw(x[m], f[m], b, d, s));
                    }
                    double mask = masks == null || masks[m] == null ? 1 : masks[m].getDouble(b, s);
                    out.putScalar(new long[]{b, total + m, s}, mask);
                }
            }
            o += w;
        }
        return out;
    }

    private static void assertPacksAndSplits(DataType type, INDArray[] x, RNNFormat[] f, INDArray[] masks,
                                             InputType[] types, String what) {
        ModalityPackGraphVertex v = vertex(type, types);
        v.setInputs(x);
        v.feedForwardMaskArrays(masks, masks == null ? null : MaskState.Active, (int) x[0].size(0));
        INDArray out = v.doForward(true, NO_WS);
        assertBitIdentical(expected(x, f, masks, type), out, what + ": the packed array");

        INDArray eps = Nd4j.rand(type, out.shape()).subi(0.5);
        v.setEpsilon(eps);
        INDArray[] errors = v.doBackward(false, NO_WS).getSecond();
        long o = 0;
        for (int m = 0; m < x.length; m++) {
            long w = width(x[m], f[m]);
            INDArray want = Nd4j.create(type, x[m].shape());
            for (int b = 0; b < x[m].size(0); b++) {
                for (int s = 0; s < steps(x[m], f[m]); s++) {
                    for (int d = 0; d < w; d++) {
                        double e = eps.getDouble(b, o + d, s);
                        if (x[m].rank() == 2) {
                            want.putScalar(new long[]{b, d}, e);
                        } else if (f[m] == RNNFormat.NWC) {
                            want.putScalar(new long[]{b, s, d}, e);
                        } else {
                            want.putScalar(new long[]{b, d, s}, e);
                        }
                    }
                }
            }
            assertBitIdentical(want, errors[m], what + ": the error of input " + m);
            o += w;
        }
    }

    @Test
    void vectorsPackAsFeaturesThenMaskColumns() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            Nd4j.getRandom().setSeed(11);
            INDArray[] x = {Nd4j.randn(type, 5, 3), Nd4j.randn(type, 5, 2), Nd4j.randn(type, 5, 4)};
            RNNFormat[] f = {RNNFormat.NCW, RNNFormat.NCW, RNNFormat.NCW};
            InputType[] types = {InputType.feedForward(3), InputType.feedForward(2), InputType.feedForward(4)};
            assertPacksAndSplits(type, x, f, null, types, type + ", no masks");
            INDArray missing = Nd4j.createFromArray(new double[][]{{1}, {0}, {1}, {1}, {0}}).castTo(DataType.DOUBLE);
            assertPacksAndSplits(type, x, f, new INDArray[]{null, missing, Nd4j.ones(DataType.FLOAT, 5, 1)}, types,
                    type + ", masks of another type on two inputs");
            // a second minibatch of another size: the ones column follows the batch
            INDArray[] small = {Nd4j.randn(type, 2, 3), Nd4j.randn(type, 2, 2), Nd4j.randn(type, 2, 4)};
            assertPacksAndSplits(type, small, f, null, types, type + ", a batch of 2");
        }
    }

    /**
     * In DL4J's training step (its backward workspace for the errors) the errors of vector inputs are the vertex's own
     * arrays, not copies in the workspace ({@code impl/OwnedArrays}); each backward pass writes them again: from a new
     * error array, from the same array with new values, and for another batch size.
     */
    @Test
    void vectorErrorsLentToTheTrainingStepFollowEachError() {
        DataType type = DataType.FLOAT;
        Nd4j.getRandom().setSeed(5);
        InputType[] types = {InputType.feedForward(3), InputType.feedForward(2)};
        ModalityPackGraphVertex v = vertex(type, types);
        LayerWorkspaceMgr training = LayerWorkspaceMgr.builder()
                .with(ArrayType.ACTIVATION_GRAD, OwnedArrays.BACKWARD_ERRORS + "1",
                        WorkspaceConfiguration.builder().build())
                .build();
        int[] batches = {5, 5, 5, 2};
        INDArray eps = null;
        for (int i = 0; i < batches.length; i++) {
            int batch = batches[i];
            v.setInputs(new INDArray[]{Nd4j.randn(type, batch, 3), Nd4j.randn(type, batch, 2)});
            // the third pass: the second's error array with new values
            eps = i == 2 ? eps.assign(Nd4j.rand(type, batch, 7, 1)) : Nd4j.rand(type, batch, 7, 1);
            v.setEpsilon(eps);
            INDArray[] errors;
            try (MemoryWorkspace ws = training.notifyScopeEntered(ArrayType.ACTIVATION_GRAD)) {
                errors = v.doBackward(false, training).getSecond();
            }
            assertBitIdentical(eps.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3), NDArrayIndex.point(0)),
                    errors[0], "batch " + batch + ": the error of input 0");
            assertBitIdentical(eps.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 5), NDArrayIndex.point(0)),
                    errors[1], "batch " + batch + ": the error of input 1");
            for (INDArray e : errors) {
                assertFalse(e.isAttached(), "the vertex's own array, not a copy in the workspace");
            }
        }
    }

    @Test
    void sequencesOfOtherLengthsAndLayoutsPadWithZeros() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            Nd4j.getRandom().setSeed(12);
            INDArray[] x = {Nd4j.randn(type, 4, 3, 5), Nd4j.randn(type, 4, 2, 2), Nd4j.randn(type, 4, 6)};
            x[1] = x[1].permute(0, 2, 1).dup('c');   // NWC [B, S, D]
            RNNFormat[] f = {RNNFormat.NCW, RNNFormat.NWC, RNNFormat.NCW};
            InputType[] types = {InputType.recurrent(3, 5, RNNFormat.NCW), InputType.recurrent(2, 2, RNNFormat.NWC),
                    InputType.feedForward(6)};
            assertPacksAndSplits(type, x, f, null, types, type + ", no masks");
            INDArray m0 = Nd4j.createFromArray(new double[][]{{1, 1, 1, 0, 0}, {1, 1, 1, 1, 1}, {1, 0, 0, 0, 0},
                    {1, 1, 0, 0, 0}});
            INDArray m1 = Nd4j.createFromArray(new double[][]{{1, 1}, {1, 0}, {1, 1}, {0, 0}});
            assertPacksAndSplits(type, x, f, new INDArray[]{m0, m1, null}, types, type + ", step masks");
        }
    }

    @Test
    void aVectorMaskOfTheWrongShapeIsNamed() {
        ModalityPackGraphVertex v = vertex(DataType.FLOAT, InputType.feedForward(3), InputType.feedForward(2));
        v.setInputs(new INDArray[]{Nd4j.rand(DataType.FLOAT, 4, 3), Nd4j.rand(DataType.FLOAT, 4, 2)});
        v.feedForwardMaskArrays(new INDArray[]{Nd4j.ones(DataType.FLOAT, 4, 2), null}, MaskState.Active, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.doForward(false, NO_WS));
        assertTrue(e.getMessage().contains("the mask of input 0 has shape [4, 2], expected [4, 1]"), e.getMessage());
    }
}
