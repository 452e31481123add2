package org.dl4jpgm.impl;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseBroadcastOp;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastDivOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.scalar.Pow;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.PowPairwise;
import org.nd4j.linalg.api.ops.impl.transforms.same.Negative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.deeplearning4j.nn.params.BatchNormalizationParamInitializer.BETA;
import static org.deeplearning4j.nn.params.BatchNormalizationParamInitializer.GAMMA;
import static org.deeplearning4j.nn.params.BatchNormalizationParamInitializer.GLOBAL_LOG_STD;
import static org.deeplearning4j.nn.params.BatchNormalizationParamInitializer.GLOBAL_MEAN;
import static org.deeplearning4j.nn.params.BatchNormalizationParamInitializer.GLOBAL_VAR;

/**
 * DL4J's {@code BatchNormalization} runtime whose forward and backward passes over features {@code [B, F]} run DL4J
 * 1.0.0-M2.1's own ops, in its order, on arrays kept between steps, each op bound once to its native arrays
 * ({@link DirectLegacy}, {@link DirectBroadcast#bindLegacy}, {@link DirectPairwise#bind}). The configuration is
 * {@link org.dl4jpgm.conf.BoundBatchNormalization}.
 *
 * <p>Why: DL4J's layer makes some forty small arrays per training step, each a shape info and a native buffer that
 * JavaCPP checks against the process's resident memory, and sends each op through ND4J's executioner: at the main
 * job's size ({@code [128, 192]}) that was 13-16 % of a PgM training step, far more than its arithmetic
 * (docs/performance.md, "DL4J's batch normalisation on bound ops").
 *
 * <p>Each op is the one DL4J runs (the same native function on operands of the same values; the reductions on
 * arrays of the same shape and strides, so the same order of summation), so outputs, gradients and the running
 * estimates' updates are the same bit for bit ({@code impl/BoundBatchNormalizationTest}). Where a pass is not of the
 * covered kind DL4J's own runs: inputs of another rank or not in 'c' order without gaps, a batch of one or a single
 * feature (DL4J takes other paths for vectors), a type other than float or double or other than the layer's,
 * {@code lockGammaBeta}, a DL4J helper (cuDNN, oneDNN) present, op plans switched off
 * ({@code -Dorg.dl4jpgm.opPlans=false}), and a backward pass after an inference forward pass (DL4J's forward pass
 * runs again first).
 *
 * <p>The batch variance is {@link ColumnVariance}, libnd4j's arithmetic in Java. In DL4J's training step the output
 * and the error passed back are the layer's own arrays, not copies in DL4J's workspaces ({@link OwnedArrays}).
 */
public class BoundBatchNormalizationRuntime extends BatchNormalization {

    /** How many batch sizes keep their bound arrays (a training size, its remainder, evaluation sizes). */
    private static final int SIZES_KEPT = 4;

    /** Bound passes per batch size, for the parameter arrays in {@link #boundTo}. */
    private final Map<Long, Passes> passes = new HashMap<>();
    /** The parameter arrays the passes are bound to (compared by identity). */
    private INDArray[] boundTo;
    /** What the last forward pass was: DL4J's own, bound in training, bound in inference. */
    private Forward lastForward = Forward.DL4J;
    /** Forward and backward passes run bound so far (for tests: that the bound passes ran at all). */
    private long boundPasses;

    private enum Forward { DL4J, BOUND_TRAINING, BOUND_INFERENCE }

    public BoundBatchNormalizationRuntime(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        Passes p = passesFor(input);
        if (p == null) {
            lastForward = Forward.DL4J;
            return super.activate(training, workspaceMgr);
        }
        p.forward(input, training);
        boundPasses++;
        lastForward = training ? Forward.BOUND_TRAINING : Forward.BOUND_INFERENCE;
        if (training ? OwnedArrays.lendable(workspaceMgr, ArrayType.ACTIVATIONS)
                : OwnedArrays.lendableInInference(workspaceMgr)) {
            return p.out;   // the backward pass does not read it; in inference only the next layers of the call do
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, input.shape(), 'c');
        DirectLegacy.copy(p.out, out).run();
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        Passes p = lastForward == Forward.BOUND_TRAINING ? passesFor(input) : null;
        if (p == null || !Arrays.equals(epsilon.shape(), input.shape()) || epsilon.dataType() != dataType
                || !packed(epsilon)) {
            if (lastForward != Forward.DL4J) {
                // DL4J's backward pass reads the arrays its own forward pass keeps (out of workspaces here: the
                // activations' one may be closed during the backward pass)
                super.activate(lastForward == Forward.BOUND_TRAINING, LayerWorkspaceMgr.noWorkspaces());
            }
            lastForward = Forward.DL4J;
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        p.backward(epsilon);
        boundPasses++;
        lastForward = Forward.DL4J;
        Gradient g = new DefaultGradient();
        g.setGradientFor(GAMMA, gradientViews.get(GAMMA));
        g.setGradientFor(BETA, gradientViews.get(BETA));
        g.setGradientFor(GLOBAL_MEAN, gradientViews.get(GLOBAL_MEAN));
        g.setGradientFor(varianceKey(), gradientViews.get(varianceKey()));
        if (OwnedArrays.lendable(workspaceMgr, ArrayType.ACTIVATION_GRAD)) {
            return new Pair<>(g, p.dxhat);
        }
        INDArray next = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, epsilon.shape(), 'c');
        DirectLegacy.copy(p.dxhat, next).run();
        return new Pair<>(g, next);
    }

    /** The parameter of the running variance: log10 of the deviation ({@code useLogStd}) or the variance. */
    private String varianceKey() {
        return layerConf().isUseLogStd() ? GLOBAL_LOG_STD : GLOBAL_VAR;
    }

    /** Forward and backward passes run bound so far. */
    long boundPasses() {
        return boundPasses;
    }

    /** The bound passes for {@code x}'s batch size, or null where DL4J's own pass runs (see the class comment). */
    private Passes passesFor(INDArray x) {
        org.deeplearning4j.nn.conf.layers.BatchNormalization c = layerConf();
        if (!OpPlans.enabled() || !HostMemory.hasNativeBuffers() || getHelper() != null || c.isLockGammaBeta()
                || x.rank() != 2 || x.size(0) < 2 || x.size(1) < 2 || x.size(1) != c.getNOut()
                || x.dataType() != dataType || (dataType != DataType.FLOAT && dataType != DataType.DOUBLE)
                || !packed(x)) {
            return null;
        }
        INDArray[] arrays = {getParam(GAMMA), getParam(BETA), getParam(GLOBAL_MEAN), getParam(varianceKey())};
        if (!OpPlan.sameArrays(boundTo, arrays)) {
            passes.clear();
            boundTo = arrays;
        }
        if (passes.size() >= SIZES_KEPT && !passes.containsKey(x.size(0))) {
            passes.clear();
        }
        return passes.computeIfAbsent(x.size(0), b -> new Passes(b, x.size(1)));
    }

    /** 'c' order without gaps: the layout DL4J's layer works on where it makes its own arrays. */
    private static boolean packed(INDArray a) {
        return a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a) && a.elementWiseStride() == 1;
    }

    /**
     * The arrays of one batch size and the passes bound to them. Names as in DL4J's layer; B the batch, F the
     * features. Comments give DL4J's statement each step stands for.
     */
    private final class Passes {

        /** The input, the centred input, the standardised input, the output: {@code [B, F]}. */
        final INDArray x;
        final INDArray xMu;
        final INDArray xHat;
        final INDArray out;
        /** The error, {@code dL/dxHat} (then the error passed back), a product: {@code [B, F]}. */
        final INDArray eps;
        final INDArray dxhat;
        final INDArray product;
        /** Batch statistics {@code [F]} as DL4J's {@code mean(0)} and {@code var(false, 0)} give them. */
        final INDArray mean;
        final INDArray var;
        final INDArray std;
        final INDArray stdPow;
        /** The inference statistics, shaped as the parameters, from the running estimates. */
        final INDArray runningVar;
        final INDArray runningStd;
        final INDArray shifted;
        /** Row sums {@code [1, F]} and their combinations; the running variance's terms shaped as the parameters. */
        final INDArray dLdVar;
        final INDArray dxmu1;
        final INDArray dxmu2;
        final INDArray tens;
        final INDArray vari;
        final INDArray varip1;
        final INDArray scaledVar;

        final List<Runnable> training = new ArrayList<>();
        final List<Runnable> inference = new ArrayList<>();
        final List<Runnable> backward = new ArrayList<>();
        /** The copies of the input and the error into {@link #x} and {@link #eps}, bound to the arrays DL4J gives. */
        final BoundCopies inputCopy = new BoundCopies();
        final BoundCopies errorCopy = new BoundCopies();
        /** Views made for the bound calls, kept as long as the calls. */
        final List<INDArray> views = new ArrayList<>();
        /** The gradient views {@link #backward} is bound to (compared by identity); null before the first. */
        INDArray[] gradientsBoundTo;

        Passes(long b, long f) {
            long[] v = getParam(GLOBAL_MEAN).shape();   // [F] or [1, F], by the version that made the parameters
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                x = Nd4j.create(dataType, b, f);
                xMu = Nd4j.create(dataType, b, f);
                xHat = Nd4j.create(dataType, b, f);
                out = Nd4j.create(dataType, b, f);
                eps = Nd4j.create(dataType, b, f);
                dxhat = Nd4j.create(dataType, b, f);
                product = Nd4j.create(dataType, b, f);
                mean = Nd4j.create(dataType, f);
                var = Nd4j.create(dataType, f);
                std = Nd4j.create(dataType, f);
                stdPow = Nd4j.create(dataType, f);
                runningVar = Nd4j.create(dataType, v);
                runningStd = Nd4j.create(dataType, v);
                shifted = Nd4j.create(dataType, v);
                dLdVar = Nd4j.create(dataType, 1, f);
                dxmu1 = Nd4j.create(dataType, 1, f);
                dxmu2 = Nd4j.create(dataType, 1, f);
                tens = Nd4j.valueArrayOf(v, 10.0, dataType);
                vari = Nd4j.create(dataType, v);
                varip1 = Nd4j.create(dataType, v);
                scaledVar = Nd4j.create(dataType, f);
            }
            bindTraining();
            bindInference();
        }

        void forward(INDArray input, boolean train) {
            inputCopy.copy(input, x);
            for (Runnable r : train ? training : inference) {
                r.run();
            }
        }

        void backward(INDArray epsilon) {
            INDArray[] views = {gradientViews.get(GAMMA), gradientViews.get(BETA), gradientViews.get(GLOBAL_MEAN),
                    gradientViews.get(varianceKey())};
            if (!OpPlan.sameArrays(gradientsBoundTo, views)) {
                // the gradient views exist from the first backward pass on (DL4J sets them when it flattens them)
                backward.clear();
                bindBackward(x.size(0));
                gradientsBoundTo = views;
            }
            errorCopy.copy(epsilon, eps);   // bound once where the layer after hands over the same array
            for (Runnable r : backward) {
                r.run();
            }
        }

        /** DL4J's {@code preOutput} in training, rank 2. */
        private void bindTraining() {
            org.deeplearning4j.nn.conf.layers.BatchNormalization c = layerConf();
            List<Runnable> s = training;
            s.add(legacy(new Mean(x, mean, false, 0)));                         // mean = x.mean(0)
            Runnable columnVariance = ColumnVariance.bind(x, var);              // var = x.var(false, 0)
            s.add(columnVariance != null ? columnVariance : legacy(new Variance(x, var, false, false, 0)));
            s.add(legacy(new ScalarAdd(var, null, std, c.getEps())));           // std = sqrt(dup(var).addi(eps))
            s.add(legacy(new Sqrt(std, std)));
            normalise(s, mean, std);
        }

        /** DL4J's {@code preOutput} in inference, rank 2: the running estimates. */
        private void bindInference() {
            org.deeplearning4j.nn.conf.layers.BatchNormalization c = layerConf();
            List<Runnable> s = inference;
            INDArray variance;
            if (c.isUseLogStd()) {
                // var = pow(valueArrayOf(10.0), log10s); var.muli(var)
                s.add(legacy(new PowPairwise(tens, getParam(GLOBAL_LOG_STD), runningVar)));
                s.add(DirectPairwise.bind("multiply", runningVar, runningVar, runningVar));
                variance = runningVar;
            } else {
                variance = getParam(GLOBAL_VAR);
            }
            s.add(legacy(new ScalarAdd(variance, null, shifted, c.getEps())));  // std = sqrt(var.add(eps))
            s.add(legacy(new Sqrt(shifted, runningStd)));
            normalise(s, getParam(GLOBAL_MEAN), runningStd);
        }

        /** {@code xMu = x.subRowVector(mean); xHat = xMu.divRowVector(std); xHat.mulRowVector(gamma).addiRowVector(beta)}. */
        private void normalise(List<Runnable> s, INDArray m, INDArray sd) {
            s.add(DirectBroadcast.bindLegacy(new BroadcastSubOp(x, m, xMu, 1)));
            s.add(DirectBroadcast.bindLegacy(new BroadcastDivOp(xMu, sd, xHat, 1)));
            s.add(DirectBroadcast.bindLegacy(new BroadcastMulOp(xHat, getParam(GAMMA), out, 1)));
            s.add(DirectBroadcast.bindLegacy(new BroadcastAddOp(out, getParam(BETA), out, 1)));
        }

        /** DL4J's {@code backpropGradient}, rank 2, after a training forward pass (whose mean and var it reads). */
        private void bindBackward(long batchSize) {
            org.deeplearning4j.nn.conf.layers.BatchNormalization c = layerConf();
            List<Runnable> s = backward;
            INDArray gamma = getParam(GAMMA);
            INDArray dGamma = gradientViews.get(GAMMA);
            INDArray dBeta = gradientViews.get(BETA);
            // dBeta = epsilon.sum(true, 0); dGamma = epsilon.mul(xHat).sum(true, 0) (DL4J assigns both to the views)
            s.add(legacy(new Sum(eps, dBeta, true, 0)));
            s.add(DirectPairwise.bind("multiply", eps, xHat, product));
            s.add(legacy(new Sum(product, dGamma, true, 0)));
            // dxhat = epsilon.mulRowVector(gamma)
            s.add(DirectBroadcast.bindLegacy(new BroadcastMulOp(eps, gamma, dxhat, 1)));
            // dLdVar = dxhat.mul(xMu).sum(true, 0).muli(-0.5).muli(pow(std, -3.0, true))
            s.add(DirectPairwise.bind("multiply", dxhat, xMu, product));
            s.add(legacy(new Sum(product, dLdVar, true, 0)));
            s.add(legacy(new ScalarMultiplication(dLdVar, null, dLdVar, -0.5)));
            s.add(legacy(new Pow(std, stdPow, -3.0)));
            s.add(elementwise("multiply", dLdVar, stdPow, dLdVar));
            // dxmu1 = dxhat.sum(true, 0).divi(std).negi()
            s.add(legacy(new Sum(dxhat, dxmu1, true, 0)));
            s.add(elementwise("divide", dxmu1, std, dxmu1));
            s.add(legacy(new Negative(dxmu1, dxmu1)));
            // dxmu2 = xMu.sum(true, 0).muli(-2.0 / batchSize).muli(dLdVar)
            s.add(legacy(new Sum(xMu, dxmu2, true, 0)));
            s.add(legacy(new ScalarMultiplication(dxmu2, null, dxmu2, -2.0 / batchSize)));
            s.add(DirectPairwise.bind("multiply", dxmu2, dLdVar, dxmu2));
            // dLdmu = dxmu1.addi(dxmu2)
            s.add(DirectPairwise.bind("add", dxmu1, dxmu2, dxmu1));
            // dLdx = dxhat.diviRowVector(std).addi(xMu.muliRowVector(dLdVar.muli(2.0 / batchSize)))
            //        .addiRowVector(dLdmu.muli(1.0 / batchSize))
            s.add(DirectBroadcast.bindLegacy(new BroadcastDivOp(dxhat, std, dxhat, 1)));
            s.add(legacy(new ScalarMultiplication(dLdVar, null, dLdVar, 2.0 / batchSize)));
            s.add(DirectBroadcast.bindLegacy(new BroadcastMulOp(xMu, dLdVar, product, 1)));
            s.add(DirectPairwise.bind("add", dxhat, product, dxhat));
            s.add(legacy(new ScalarMultiplication(dxmu1, null, dxmu1, 1.0 / batchSize)));
            s.add(DirectBroadcast.bindLegacy(new BroadcastAddOp(dxhat, dxmu1, dxhat, 1)));
            // the running estimates' "gradients": SubOp(globalMean, batchMean, view).muli(1 - decay)
            double decay = c.getDecay();
            INDArray dMean = gradientViews.get(GLOBAL_MEAN);
            s.add(elementwise("subtract", getParam(GLOBAL_MEAN), mean, dMean));
            s.add(legacy(new ScalarMultiplication(dMean, null, dMean, 1 - decay)));
            if (c.isUseLogStd()) {
                // vari = 10^log10s, squared; varip1 = vari.mul(decay).addi(batchVar.mul(1 - decay));
                // DivOp(vari, varip1, view); log(view); view.muli(ONE_ON_2LOGE_10)
                INDArray dLogStd = gradientViews.get(GLOBAL_LOG_STD);
                s.add(legacy(new PowPairwise(tens, getParam(GLOBAL_LOG_STD), vari)));
                s.add(DirectPairwise.bind("multiply", vari, vari, vari));
                s.add(legacy(new ScalarMultiplication(vari, null, varip1, decay)));
                s.add(legacy(new ScalarMultiplication(var, null, scaledVar, 1 - decay)));
                s.add(elementwise("add", varip1, scaledVar, varip1));
                s.add(DirectPairwise.bind("divide", vari, varip1, dLogStd));
                s.add(legacy(new Log(dLogStd, dLogStd)));
                s.add(legacy(new ScalarMultiplication(dLogStd, null, dLogStd, ONE_ON_2LOGE_10)));
            } else {
                // SubOp(globalVar, batchVar, view).muli(1 - decay)
                INDArray dVar = gradientViews.get(GLOBAL_VAR);
                s.add(elementwise("subtract", getParam(GLOBAL_VAR), var, dVar));
                s.add(legacy(new ScalarMultiplication(dVar, null, dVar, 1 - decay)));
            }
        }

        /**
         * Custom op {@code op} of vectors of one length ({@code [F]}, {@code [1, F]}) into {@code z}, elementwise as
         * DL4J's broadcast of them computes it: each operand taken in {@code z}'s shape (a view, the same elements).
         */
        private Runnable elementwise(String op, INDArray a, INDArray b, INDArray z) {
            return DirectPairwise.bind(op, like(a, z), like(b, z), z);
        }

        private INDArray like(INDArray v, INDArray z) {
            if (java.util.Arrays.equals(v.shape(), z.shape())) {
                return v;
            }
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                INDArray view = v.reshape(z.shape());
                views.add(view);   // the bound call holds its native buffer, not the array
                return view;
            }
        }
    }

    /** A legacy op as a bound native call, or through ND4J's executioner where it has no direct form. */
    private static Runnable legacy(BaseOp op) {
        Runnable direct = DirectLegacy.bind(op);
        return direct != null ? direct : executed(op);
    }

    /** An op run through ND4J's executioner on the arrays it was made with. */
    private static Runnable executed(BaseOp op) {
        return () -> Nd4j.getExecutioner().exec(op);
    }
}
