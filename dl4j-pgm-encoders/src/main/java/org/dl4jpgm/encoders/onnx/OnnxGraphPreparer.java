package org.dl4jpgm.encoders.onnx;

import onnx.Onnx;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The generic graph preparation pass: applies the {@link OnnxGraphRewrites} to any ONNX model, in an order
 * where each rewrite sees the constants as initializers, and measures value shapes ({@link OnnxShapeProbe})
 * for the rewrites that need them. Reports how often each rewrite applied.
 *
 * <p>Order: prune to the kept outputs, Constant nodes to initializers, Reshape allowzero, Pow(x,2) to Mul, zero bias for
 * bias-less Conv;
 * then shapes are measured on the sample inputs; then Reduce* keepdims/axes, Reduce* over all axes, Unsqueeze of scalars, batched
 * MatMul to 2-D, 1-D Conv to 2-D; names last.
 */
public final class OnnxGraphPreparer {

    /** Names of the rewrites, in the order {@link #prepare} applies them. */
    public static final List<String> REWRITES = List.of("pruneToOutputs", "constantsToInitializers",
            "dropReshapeAllowZero", "powSquareToMul", "convZeroBias", "reduceKeepDimsAndPositiveAxes", "reduceAllToExplicitAxes", "unsqueezeScalarToReshape",
            "matMulTo2d", "conv1dTo2d", "sanitizeNames", "renameImporterLikeNames");

    /** Graph outputs to keep; empty (the default) keeps all of them. */
    private Set<String> keepOutputs = Collections.emptySet();
    /** Rewrites not to apply (by name, see {@link #REWRITES}); empty by default. For diagnosis only. */
    private Set<String> skip = Collections.emptySet();

    private OnnxGraphPreparer() {
    }

    /** @return the graph outputs kept (empty: all) */
    public Set<String> getKeepOutputs() {
        return Collections.unmodifiableSet(keepOutputs);
    }

    /** @return a text that identifies this configuration (part of a converted graph's cache key) */
    public String signature() {
        return "prep-v1 rewrites=" + REWRITES + " keep=" + keepOutputs + " skip=" + skip;
    }

    /**
     * @param model        the model as exported (not modified)
     * @param sampleInputs one sample value per graph input, at the shapes the converted graph will run with
     *                     (every dimension but the first is fixed from these)
     * @return the prepared model and the number of changes per rewrite
     */
    public Result prepare(Onnx.ModelProto model, Map<String, INDArray> sampleInputs) {
        Onnx.GraphProto.Builder g = model.getGraph().toBuilder();
        Map<String, Integer> report = new LinkedHashMap<>();
        ValueShapes none = ValueShapes.empty();
        if (!keepOutputs.isEmpty()) {
            run(report, "pruneToOutputs", OnnxGraphRewrites.pruneToOutputs(keepOutputs), g, none);
        }
        run(report, "constantsToInitializers", OnnxGraphRewrites::constantsToInitializers, g, none);
        run(report, "dropReshapeAllowZero", OnnxGraphRewrites::dropReshapeAllowZero, g, none);
        run(report, "powSquareToMul", OnnxGraphRewrites::powSquareToMul, g, none);
        run(report, "convZeroBias", OnnxGraphRewrites::convZeroBias, g, none);
        ValueShapes shapes = OnnxShapeProbe.probe(model.toBuilder().setGraph(g.build()).build(), sampleInputs);
        run(report, "reduceKeepDimsAndPositiveAxes", OnnxGraphRewrites::reduceKeepDimsAndPositiveAxes, g, shapes);
        run(report, "reduceAllToExplicitAxes", OnnxGraphRewrites::reduceAllToExplicitAxes, g, shapes);
        run(report, "unsqueezeScalarToReshape", OnnxGraphRewrites::unsqueezeScalarToReshape, g, shapes);
        run(report, "matMulTo2d", OnnxGraphRewrites::matMulTo2d, g, shapes);
        run(report, "conv1dTo2d", OnnxGraphRewrites::conv1dTo2d, g, shapes);
        run(report, "sanitizeNames", OnnxGraphRewrites::sanitizeNames, g, shapes);
        run(report, "renameImporterLikeNames", OnnxGraphRewrites::renameImporterLikeNames, g, shapes);
        return new Result(model.toBuilder().setGraph(g.build()).build(), report);
    }

    private void run(Map<String, Integer> report, String name, OnnxRewrite r, Onnx.GraphProto.Builder g,
                     ValueShapes shapes) {
        if (!skip.contains(name)) {
            report.put(name, r.apply(g, shapes));
        }
    }

    /** A prepared model with the count of changes each rewrite made. */
    public static final class Result {
        private final Onnx.ModelProto model;
        private final Map<String, Integer> changes;

        Result(Onnx.ModelProto model, Map<String, Integer> changes) {
            this.model = model;
            this.changes = Collections.unmodifiableMap(changes);
        }

        /** @return the prepared model */
        public Onnx.ModelProto model() {
            return model;
        }

        /** @return rewrite name to number of changes, in the order applied */
        public Map<String, Integer> changes() {
            return changes;
        }
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link OnnxGraphPreparer}. */
    public static final class Builder {
        private final List<String> keep = new ArrayList<>();
        private final List<String> skip = new ArrayList<>();

        /** @param rewrites names (see {@link #REWRITES}) of rewrites not to apply, to see what each one fixes */
        public Builder skip(String... rewrites) {
            skip.addAll(List.of(rewrites));
            return this;
        }

        /** @param outputs graph outputs to keep; every other output and what only it needs is pruned */
        public Builder keepOutputs(String... outputs) {
            keep.addAll(List.of(outputs));
            return this;
        }

        /** @return the preparer; fails on a blank output name */
        public OnnxGraphPreparer build() {
            for (String k : keep) {
                if (k == null || k.isBlank()) {
                    throw new IllegalArgumentException("OnnxGraphPreparer: keepOutputs holds a blank name: " + keep);
                }
            }
            for (String k : skip) {
                if (!REWRITES.contains(k)) {
                    throw new IllegalArgumentException("OnnxGraphPreparer: skip names unknown rewrite '" + k
                            + "'; known: " + REWRITES);
                }
            }
            OnnxGraphPreparer p = new OnnxGraphPreparer();
            p.skip = new LinkedHashSet<>(skip);
            p.keepOutputs = new LinkedHashSet<>(keep);
            return p;
        }
    }
}
