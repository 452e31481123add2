package org.dl4jpgm.encoders.onnx;

import onnx.Onnx;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The ONNX graph edits that {@code samediff-import-onnx} 1.0.0-M2.1 needs to import real encoders, each its
 * own function (and {@link OnnxRewrite}), each tested on its own. None of them is specific to one model:
 * they match op patterns. See {@code docs/encoders.md} for the importer failure each one avoids.
 */
public final class OnnxGraphRewrites {

    /** Characters allowed in value and node names after {@link #sanitizeNames}. */
    private static final Pattern BAD_NAME_CHARS = Pattern.compile("[^A-Za-z0-9_./\\-]");
    /** Names of the form the importer gives its own ops. */
    private static final Pattern IMPORTER_LIKE = Pattern.compile("[a-z][a-z0-9]*_[0-9]+");

    private OnnxGraphRewrites() {
    }

    // ------------------------------------------------------------------ 1. Constant nodes -> initializers

    /**
     * Moves every {@code Constant} node into an initializer of the same name (the importer fails with a
     * NullPointerException on an {@code Unsqueeze} fed by a {@code Constant} node).
     */
    public static int constantsToInitializers(GraphProto.Builder g, ValueShapes shapes) {
        int changed = 0;
        for (int i = g.getNodeCount() - 1; i >= 0; i--) {
            NodeProto n = g.getNode(i);
            if (!"Constant".equals(n.getOpType())) {
                continue;
            }
            TensorProto t = constantValue(n);
            g.addInitializer(t.toBuilder().setName(n.getOutput(0)));
            g.removeNode(i);
            changed++;
        }
        return changed;
    }

    private static TensorProto constantValue(NodeProto n) {
        for (AttributeProto a : n.getAttributeList()) {
            switch (a.getName()) {
                case "value":
                    return a.getT();
                case "value_float":
                    return floatTensor(new long[0], a.getF());
                case "value_floats":
                    return floatTensor(new long[]{a.getFloatsCount()},
                            toFloatArray(a.getFloatsList()));
                case "value_int":
                    return longTensor(new long[0], a.getI());
                case "value_ints":
                    return longTensor(new long[]{a.getIntsCount()},
                            a.getIntsList().stream().mapToLong(Long::longValue).toArray());
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("constantsToInitializers: Constant node '" + n.getName()
                + "' has no value / value_float(s) / value_int(s) attribute; found "
                + n.getAttributeList().stream().map(AttributeProto::getName).toList());
    }

    // ------------------------------------------------------------------ 2. Reduce*: keepdims, axes

    /**
     * On every {@code Reduce*} node: writes the ONNX default {@code keepdims=1} explicitly (the importer
     * takes a missing attribute as 0) and rewrites negative {@code axes} as positive ones (they come back
     * scrambled otherwise). Needs the rank of each reduced input from {@code shapes} when axes are negative.
     */
    public static int reduceKeepDimsAndPositiveAxes(GraphProto.Builder g, ValueShapes shapes) {
        int changed = 0;
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            if (!n.getOpType().startsWith("Reduce")) {
                continue;
            }
            NodeProto.Builder nb = n.toBuilder();
            boolean touched = false;
            if (attribute(n, "keepdims") == null) {
                nb.addAttribute(intAttr("keepdims", 1));
                touched = true;
            }
            AttributeProto axes = attribute(n, "axes");
            if (axes != null && axes.getIntsList().stream().anyMatch(v -> v < 0)) {
                int rank = shapes.require(n.getInput(0), "reduceKeepDimsAndPositiveAxes").length;
                long[] pos = axes.getIntsList().stream().mapToLong(v -> v < 0 ? v + rank : v).toArray();
                replaceAttribute(nb, intsAttr("axes", pos));
                touched = true;
            }
            if (touched) {
                g.setNode(i, nb);
                changed++;
            }
        }
        return changed;
    }

    // ------------------------------------------------------------------ 3. Pow(x, 2) -> x * x

    /**
     * Rewrites {@code Pow(x, 2)} (exponent an initializer equal to 2) as {@code Mul(x, x)}: the importer
     * fails on {@code Pow} in its output shape calculation. Run after {@link #constantsToInitializers}.
     */
    public static int powSquareToMul(GraphProto.Builder g, ValueShapes shapes) {
        Map<String, TensorProto> inits = initializers(g);
        int changed = 0;
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            if (!"Pow".equals(n.getOpType()) || n.getInputCount() != 2) {
                continue;
            }
            TensorProto e = inits.get(n.getInput(1));
            if (e == null) {
                continue;
            }
            double[] v = toDoubles(e);
            if (v.length != 1 || v[0] != 2.0) {
                continue;
            }
            g.setNode(i, n.toBuilder().setOpType("Mul").clearInput()
                    .addInput(n.getInput(0)).addInput(n.getInput(0)));
            changed++;
        }
        if (changed > 0) {
            removeUnusedInitializers(g, shapes);
        }
        return changed;
    }

    // ------------------------------------------------------------------ 4. names

    /**
     * Renames every value and node whose name holds a character other than {@code [A-Za-z0-9_./-]}
     * (the importer cannot find names with {@code :}), replacing each such character by {@code _}
     * (see {@link #sanitizeName}). Fails if two names would collide.
     */
    public static int sanitizeNames(GraphProto.Builder g, ValueShapes shapes) {
        return renameValues(g, shapes, OnnxGraphRewrites::sanitizeName, "sanitizeNames");
    }

    /**
     * Renames every value whose name looks like one the importer generates for its own ops (lower-case
     * word, underscore, number: {@code conv2d_19}, {@code add_3}, {@code input_1}) by appending
     * {@code _onnx} (see {@link #avoidImporterName}): the importer names the ops it creates that way and
     * silently wires a graph value of the same name into them (openWakeWord's embedding model ends in a
     * value {@code conv2d_19}, which became the input of the importer's own concat).
     */
    public static int renameImporterLikeNames(GraphProto.Builder g, ValueShapes shapes) {
        return renameValues(g, shapes, OnnxGraphRewrites::avoidImporterName, "renameImporterLikeNames");
    }

    /** @return {@code name + "_onnx"} when name matches {@code [a-z][a-z0-9]*_[0-9]+}, else name */
    public static String avoidImporterName(String name) {
        return IMPORTER_LIKE.matcher(name).matches() ? name + "_onnx" : name;
    }

    /**
     * @return the name a value of the original ONNX graph has in the converted SameDiff graph (the composition
     * of {@link #sanitizeName} and {@link #avoidImporterName}, the two renaming rewrites)
     */
    public static String sameDiffName(String onnxName) {
        return avoidImporterName(sanitizeName(onnxName));
    }

    private static int renameValues(GraphProto.Builder g, ValueShapes shapes,
                                    java.util.function.UnaryOperator<String> fn, String rewrite) {
        Set<String> all = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            all.addAll(n.getInputList());
            all.addAll(n.getOutputList());
        }
        g.getInitializerList().forEach(t -> all.add(t.getName()));
        g.getInputList().forEach(v -> all.add(v.getName()));
        g.getOutputList().forEach(v -> all.add(v.getName()));
        Map<String, String> rename = new HashMap<>();
        for (String s : all) {
            String t = fn.apply(s);
            if (!t.equals(s)) {
                if (all.contains(t)) {
                    throw new IllegalStateException(rewrite + ": renaming '" + s + "' to '" + t
                            + "' collides with an existing value of that name");
                }
                rename.put(s, t);
            }
        }
        Set<String> targets = new HashSet<>(rename.values());
        if (targets.size() != rename.size()) {
            throw new IllegalStateException(rewrite + ": two names map to the same sanitized name: " + rename);
        }
        int changed = rename.size();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            NodeProto.Builder nb = n.toBuilder().clearInput().clearOutput();
            n.getInputList().forEach(s -> nb.addInput(rename.getOrDefault(s, s)));
            n.getOutputList().forEach(s -> nb.addOutput(rename.getOrDefault(s, s)));
            String nn = fn.apply(n.getName());
            if (!nn.equals(n.getName())) {
                nb.setName(nn);
                changed++;
            }
            g.setNode(i, nb);
        }
        for (int i = 0; i < g.getInitializerCount(); i++) {
            String s = g.getInitializer(i).getName();
            g.setInitializer(i, g.getInitializer(i).toBuilder().setName(rename.getOrDefault(s, s)));
        }
        for (int i = 0; i < g.getInputCount(); i++) {
            String s = g.getInput(i).getName();
            g.setInput(i, g.getInput(i).toBuilder().setName(rename.getOrDefault(s, s)));
        }
        for (int i = 0; i < g.getOutputCount(); i++) {
            String s = g.getOutput(i).getName();
            g.setOutput(i, g.getOutput(i).toBuilder().setName(rename.getOrDefault(s, s)));
        }
        for (int i = g.getValueInfoCount() - 1; i >= 0; i--) {
            String s = g.getValueInfo(i).getName();
            g.setValueInfo(i, g.getValueInfo(i).toBuilder().setName(rename.getOrDefault(s, s)));
        }
        for (Map.Entry<String, String> e : rename.entrySet()) {
            long[] s = shapes.get(e.getKey());
            if (s != null) {
                shapes.put(e.getValue(), s);
            }
        }
        return changed;
    }

    /** @return {@code name} with every character outside {@code [A-Za-z0-9_./-]} replaced by {@code _} */
    public static String sanitizeName(String name) {
        return BAD_NAME_CHARS.matcher(name).replaceAll("_");
    }

    // ------------------------------------------------------------------ 5. MatMul rank >= 3 x rank 2

    /**
     * Rewrites {@code MatMul(A [d0, .., dk, K], B [K, N])} with rank(A) >= 3 as
     * {@code Reshape(MatMul(Reshape(A, [-1, K]), B), [-1, d1, .., dk, N])}: the importer's shape calculation
     * fails on the batched form. The dimensions d1..dk are taken from {@code shapes}, so they are fixed
     * (the first one stays free); this matches SameDiff, which fixes every dimension but the batch.
     */
    public static int matMulTo2d(GraphProto.Builder g, ValueShapes shapes) {
        int changed = 0;
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            if (!"MatMul".equals(n.getOpType())) {
                continue;
            }
            long[] a = shapes.get(n.getInput(0));
            long[] b = shapes.get(n.getInput(1));
            if (a == null || b == null || a.length < 3 || b.length != 2) {
                continue;
            }
            String base = n.getOutput(0);
            String flatShape = uniqueName(g, base + "_2d_in_shape");
            String flat = uniqueName(g, base + "_2d_in");
            String mm = uniqueName(g, base + "_2d");
            String outShape = uniqueName(g, base + "_2d_out_shape");
            long[] back = new long[a.length];
            back[0] = -1;
            System.arraycopy(a, 1, back, 1, a.length - 2);
            back[a.length - 1] = b[1];
            g.addInitializer(longTensor(new long[]{2}, -1, a[a.length - 1]).toBuilder().setName(flatShape));
            g.addInitializer(longTensor(new long[]{back.length}, back).toBuilder().setName(outShape));
            NodeProto r1 = NodeProto.newBuilder().setOpType("Reshape").setName(n.getName() + "_2d_in")
                    .addInput(n.getInput(0)).addInput(flatShape).addOutput(flat).build();
            NodeProto m = n.toBuilder().clearInput().clearOutput().addInput(flat).addInput(n.getInput(1))
                    .addOutput(mm).build();
            NodeProto r2 = NodeProto.newBuilder().setOpType("Reshape").setName(n.getName() + "_2d_out")
                    .addInput(mm).addInput(outShape).addOutput(base).build();
            g.setNode(i, r1);
            g.addNode(i + 1, m);
            g.addNode(i + 2, r2);
            long rows = 1;
            for (int d = 0; d < a.length - 1; d++) {
                rows *= a[d];
            }
            shapes.put(flat, new long[]{rows, a[a.length - 1]});
            shapes.put(mm, new long[]{rows, b[1]});
            i += 2;
            changed++;
        }
        return changed;
    }

    // ------------------------------------------------------------------ 6. Unsqueeze(scalar) -> Reshape

    /**
     * Rewrites an {@code Unsqueeze} of a rank-0 value as a {@code Reshape} to {@code [1, .., 1]} (one 1 per
     * axis): the importer's {@code Unsqueeze(Gather(Shape(x)))} yields {@code [1, 1]} and breaks the
     * {@code Concat} that builds a shape from it.
     */
    public static int unsqueezeScalarToReshape(GraphProto.Builder g, ValueShapes shapes) {
        Map<String, TensorProto> inits = initializers(g);
        int changed = 0;
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            if (!"Unsqueeze".equals(n.getOpType()) || shapes.rank(n.getInput(0)) != 0) {
                continue;
            }
            int nAxes;
            AttributeProto axes = attribute(n, "axes");
            if (axes != null) {
                nAxes = axes.getIntsCount();
            } else if (n.getInputCount() > 1 && inits.containsKey(n.getInput(1))) {
                nAxes = toDoubles(inits.get(n.getInput(1))).length;
            } else {
                continue;
            }
            long[] target = new long[nAxes];
            Arrays.fill(target, 1);
            String shapeName = uniqueName(g, n.getOutput(0) + "_reshape_shape");
            g.addInitializer(longTensor(new long[]{nAxes}, target).toBuilder().setName(shapeName));
            g.setNode(i, NodeProto.newBuilder().setOpType("Reshape").setName(n.getName())
                    .addInput(n.getInput(0)).addInput(shapeName).addOutput(n.getOutput(0)));
            changed++;
        }
        if (changed > 0) {
            removeUnusedInitializers(g, shapes);
        }
        return changed;
    }

    // ------------------------------------------------------------------ 7. Reshape allowzero

    /**
     * Drops the {@code allowzero} attribute of {@code Reshape} (the importer fails on it). Only done where
     * that keeps the meaning: {@code allowzero=0}, or a constant target shape without zeros; otherwise fails.
     */
    public static int dropReshapeAllowZero(GraphProto.Builder g, ValueShapes shapes) {
        Map<String, TensorProto> inits = initializers(g);
        int changed = 0;
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            AttributeProto az = attribute(n, "allowzero");
            if (!"Reshape".equals(n.getOpType()) || az == null) {
                continue;
            }
            if (az.getI() != 0) {
                TensorProto target = inits.get(n.getInput(1));
                if (target == null || Arrays.stream(toDoubles(target)).anyMatch(v -> v == 0)) {
                    throw new IllegalStateException("dropReshapeAllowZero: Reshape '" + n.getName()
                            + "' has allowzero=1 with a target shape that is not a constant free of zeros;"
                            + " dropping the attribute would change its meaning");
                }
            }
            NodeProto.Builder nb = n.toBuilder();
            for (int k = nb.getAttributeCount() - 1; k >= 0; k--) {
                if ("allowzero".equals(nb.getAttribute(k).getName())) {
                    nb.removeAttribute(k);
                }
            }
            g.setNode(i, nb);
            changed++;
        }
        return changed;
    }

    // ------------------------------------------------------------------ 8. pruning

    /**
     * @param keep the graph outputs to keep
     * @return a rewrite that removes every other graph output, then every node, initializer and value info
     * that no kept output depends on (for MiniLM: the pooler, whose {@code Gather} and {@code Gemm} the
     * importer cannot handle)
     */
    public static OnnxRewrite pruneToOutputs(Set<String> keep) {
        return (g, shapes) -> {
            Set<String> present = new HashSet<>();
            g.getOutputList().forEach(v -> present.add(v.getName()));
            if (!present.containsAll(keep)) {
                Set<String> missing = new HashSet<>(keep);
                missing.removeAll(present);
                throw new IllegalArgumentException("pruneToOutputs: outputs " + missing
                        + " are not graph outputs; the graph has " + present);
            }
            int changed = 0;
            for (int i = g.getOutputCount() - 1; i >= 0; i--) {
                if (!keep.contains(g.getOutput(i).getName())) {
                    g.removeOutput(i);
                    changed++;
                }
            }
            Map<String, Integer> producer = new HashMap<>();
            for (int i = 0; i < g.getNodeCount(); i++) {
                for (String o : g.getNode(i).getOutputList()) {
                    producer.put(o, i);
                }
            }
            Set<Integer> live = new HashSet<>();
            Deque<String> todo = new ArrayDeque<>(keep);
            Set<String> seen = new HashSet<>();
            while (!todo.isEmpty()) {
                String v = todo.pop();
                if (!seen.add(v)) {
                    continue;
                }
                Integer p = producer.get(v);
                if (p != null && live.add(p)) {
                    todo.addAll(g.getNode(p).getInputList());
                }
            }
            for (int i = g.getNodeCount() - 1; i >= 0; i--) {
                if (!live.contains(i)) {
                    g.removeNode(i);
                    changed++;
                }
            }
            changed += removeUnusedInitializers(g, shapes);
            return changed;
        };
    }

    /** Removes initializers and value infos that no node, graph input or output refers to. */
    public static int removeUnusedInitializers(GraphProto.Builder g, ValueShapes shapes) {
        Set<String> used = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            used.addAll(n.getInputList());
            used.addAll(n.getOutputList());
        }
        g.getOutputList().forEach(v -> used.add(v.getName()));
        int changed = 0;
        for (int i = g.getInitializerCount() - 1; i >= 0; i--) {
            if (!used.contains(g.getInitializer(i).getName())) {
                g.removeInitializer(i);
                changed++;
            }
        }
        for (int i = g.getValueInfoCount() - 1; i >= 0; i--) {
            if (!used.contains(g.getValueInfo(i).getName())) {
                g.removeValueInfo(i);
            }
        }
        return changed;
    }

    // ------------------------------------------------------------------ 9. Conv 1-D -> Conv 2-D

    /**
     * Rewrites a 1-D {@code Conv} (input {@code [B, C, W]}, constant weight {@code [O, C/g, K]}) as a 2-D one
     * on {@code [B, C, 1, W]} with weight {@code [O, C/g, 1, K]}, reshaping the output back to
     * {@code [-1, O, W']} ({@code W'} from {@code shapes}): the importer maps every Conv to conv2d and fails
     * reading the second kernel dimension of a 1-D one. Found on openWakeWord's melspectrogram (STFT as Conv).
     */
    public static int conv1dTo2d(GraphProto.Builder g, ValueShapes shapes) {
        Map<String, TensorProto> inits = initializers(g);
        int changed = 0;
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            if (!"Conv".equals(n.getOpType())) {
                continue;
            }
            long[] x = shapes.get(n.getInput(0));
            long[] y = shapes.get(n.getOutput(0));
            TensorProto w = inits.get(n.getInput(1));
            if (x == null || y == null || x.length != 3 || w == null || w.getDimsCount() != 3) {
                continue;
            }
            String w2 = uniqueName(g, n.getInput(1) + "_2d");
            TensorProto.Builder wb = w.toBuilder().setName(w2).clearDims()
                    .addDims(w.getDims(0)).addDims(w.getDims(1)).addDims(1).addDims(w.getDims(2));
            g.addInitializer(wb);
            String inShape = uniqueName(g, n.getOutput(0) + "_2d_in_shape");
            String in2 = uniqueName(g, n.getOutput(0) + "_2d_in");
            String out2 = uniqueName(g, n.getOutput(0) + "_2d");
            String outShape = uniqueName(g, n.getOutput(0) + "_2d_out_shape");
            g.addInitializer(longTensor(new long[]{4}, -1, x[1], 1, x[2]).toBuilder().setName(inShape));
            g.addInitializer(longTensor(new long[]{3}, -1, y[1], y[2]).toBuilder().setName(outShape));
            NodeProto.Builder conv = NodeProto.newBuilder().setOpType("Conv").setName(n.getName())
                    .addInput(in2).addInput(w2).addOutput(out2);
            if (n.getInputCount() > 2) {
                conv.addInput(n.getInput(2));
            }
            for (AttributeProto a : n.getAttributeList()) {
                switch (a.getName()) {
                    case "kernel_shape":
                        conv.addAttribute(intsAttr("kernel_shape", 1, a.getInts(0)));
                        break;
                    case "strides":
                        conv.addAttribute(intsAttr("strides", 1, a.getInts(0)));
                        break;
                    case "dilations":
                        conv.addAttribute(intsAttr("dilations", 1, a.getInts(0)));
                        break;
                    case "pads":
                        conv.addAttribute(intsAttr("pads", 0, a.getInts(0), 0, a.getInts(1)));
                        break;
                    default:
                        conv.addAttribute(a);
                }
            }
            g.setNode(i, NodeProto.newBuilder().setOpType("Reshape").setName(n.getName() + "_2d_in")
                    .addInput(n.getInput(0)).addInput(inShape).addOutput(in2));
            g.addNode(i + 1, conv);
            g.addNode(i + 2, NodeProto.newBuilder().setOpType("Reshape").setName(n.getName() + "_2d_out")
                    .addInput(out2).addInput(outShape).addOutput(n.getOutput(0)));
            shapes.put(in2, new long[]{x[0], x[1], 1, x[2]});
            shapes.put(out2, new long[]{y[0], y[1], 1, y[2]});
            i += 2;
            changed++;
        }
        if (changed > 0) {
            removeUnusedInitializers(g, shapes);
        }
        return changed;
    }

    // ------------------------------------------------------------------ 10. Reduce over all axes

    /**
     * Gives every {@code Reduce*} node without axes (a reduction over all axes) its axes explicitly, with
     * {@code keepdims=1}; where it had {@code keepdims=0}, a {@code Reshape} to a scalar follows. The importer
     * crashes natively (heap corruption) on ReduceMax over all axes with keepdims=0 (openWakeWord's
     * melspectrogram). Needs the rank of each reduced input from {@code shapes}.
     */
    public static int reduceAllToExplicitAxes(GraphProto.Builder g, ValueShapes shapes) {
        int changed = 0;
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            if (!n.getOpType().startsWith("Reduce") || attribute(n, "axes") != null || n.getInputCount() > 1) {
                continue;
            }
            int rank = shapes.require(n.getInput(0), "reduceAllToExplicitAxes").length;
            long[] axes = new long[rank];
            for (int d = 0; d < rank; d++) {
                axes[d] = d;
            }
            AttributeProto kd = attribute(n, "keepdims");
            boolean keep = kd == null || kd.getI() != 0;
            NodeProto.Builder nb = n.toBuilder();
            replaceAttribute(nb, intsAttr("axes", axes));
            replaceAttribute(nb, intAttr("keepdims", 1));
            if (keep) {
                g.setNode(i, nb);
            } else {
                String out = n.getOutput(0);
                String kept = uniqueName(g, out + "_kept");
                String scalarShape = uniqueName(g, out + "_scalar_shape");
                g.addInitializer(longTensor(new long[]{0}).toBuilder().setName(scalarShape));
                nb.setOutput(0, kept);
                g.setNode(i, nb);
                g.addNode(i + 1, NodeProto.newBuilder().setOpType("Reshape").setName(n.getName() + "_scalar")
                        .addInput(kept).addInput(scalarShape).addOutput(out));
                long[] ones = new long[rank];
                Arrays.fill(ones, 1);
                shapes.put(kept, ones);
                i++;
            }
            changed++;
        }
        return changed;
    }

    // ------------------------------------------------------------------ 11. Conv without bias

    /**
     * Gives every {@code Conv} without a bias input an explicit zero bias (one per output channel, from its
     * constant weight {@code [O, ...]}): the importer builds a cyclic, wrong graph for a bias-less Conv
     * (openWakeWord's embedding model, last layer).
     */
    public static int convZeroBias(GraphProto.Builder g, ValueShapes shapes) {
        Map<String, TensorProto> inits = initializers(g);
        int changed = 0;
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            if (!"Conv".equals(n.getOpType()) || n.getInputCount() > 2) {
                continue;
            }
            TensorProto w = inits.get(n.getInput(1));
            if (w == null) {
                throw new IllegalStateException("convZeroBias: Conv '" + n.getName() + "' has no bias and its"
                        + " weight '" + n.getInput(1) + "' is not a constant, so the bias size is unknown");
            }
            String bias = uniqueName(g, n.getInput(1) + "_zero_bias");
            g.addInitializer(floatTensor(new long[]{w.getDims(0)}, new float[(int) w.getDims(0)]).toBuilder()
                    .setName(bias));
            g.setNode(i, n.toBuilder().addInput(bias));
            changed++;
        }
        return changed;
    }

    // ------------------------------------------------------------------ helpers

    /** @return the attribute of that name, or null */
    public static AttributeProto attribute(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private static void replaceAttribute(NodeProto.Builder nb, AttributeProto a) {
        for (int k = 0; k < nb.getAttributeCount(); k++) {
            if (nb.getAttribute(k).getName().equals(a.getName())) {
                nb.setAttribute(k, a);
                return;
            }
        }
        nb.addAttribute(a);
    }

    /** @return an INT attribute */
    public static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    /** @return an INTS attribute */
    public static AttributeProto intsAttr(String name, long... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            b.addInts(x);
        }
        return b.build();
    }

    /** @return the initializers by name */
    public static Map<String, TensorProto> initializers(GraphProto.Builder g) {
        Map<String, TensorProto> m = new HashMap<>();
        g.getInitializerList().forEach(t -> m.put(t.getName(), t));
        return m;
    }

    /** @return a FLOAT tensor (raw data, little endian) */
    public static TensorProto floatTensor(long[] dims, float... v) {
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            bb.putFloat(x);
        }
        TensorProto.Builder b = TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(org.nd4j.shade.protobuf.ByteString.copyFrom(bb.array()));
        for (long d : dims) {
            b.addDims(d);
        }
        return b.build();
    }

    /** @return an INT64 tensor (raw data, little endian) */
    public static TensorProto longTensor(long[] dims, long... v) {
        ByteBuffer bb = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            bb.putLong(x);
        }
        TensorProto.Builder b = TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64.getNumber())
                .setRawData(org.nd4j.shade.protobuf.ByteString.copyFrom(bb.array()));
        for (long d : dims) {
            b.addDims(d);
        }
        return b.build();
    }

    /** @return the values of a FLOAT, DOUBLE, INT32 or INT64 tensor as doubles */
    public static double[] toDoubles(TensorProto t) {
        long count = 1;
        for (long d : t.getDimsList()) {
            count *= d;
        }
        int n = (int) count;
        double[] out = new double[n];
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean hasRaw = !t.getRawData().isEmpty();
        TensorProto.DataType type = TensorProto.DataType.forNumber(t.getDataType());
        for (int i = 0; i < n; i++) {
            switch (type) {
                case FLOAT:
                    out[i] = hasRaw ? raw.getFloat(4 * i) : t.getFloatData(i);
                    break;
                case DOUBLE:
                    out[i] = hasRaw ? raw.getDouble(8 * i) : t.getDoubleData(i);
                    break;
                case INT32:
                    out[i] = hasRaw ? raw.getInt(4 * i) : t.getInt32Data(i);
                    break;
                case INT64:
                    out[i] = hasRaw ? raw.getLong(8 * i) : t.getInt64Data(i);
                    break;
                default:
                    throw new IllegalArgumentException("toDoubles: tensor '" + t.getName()
                            + "' has data type " + type + "; expected FLOAT, DOUBLE, INT32 or INT64");
            }
        }
        return out;
    }

    private static float[] toFloatArray(List<Float> l) {
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = l.get(i);
        }
        return f;
    }

    private static String uniqueName(GraphProto.Builder g, String want) {
        Set<String> names = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            names.addAll(n.getOutputList());
        }
        g.getInitializerList().forEach(t -> names.add(t.getName()));
        g.getInputList().forEach(v -> names.add(v.getName()));
        String s = want;
        for (int k = 1; names.contains(s); k++) {
            s = want + "_" + k;
        }
        return s;
    }
}
