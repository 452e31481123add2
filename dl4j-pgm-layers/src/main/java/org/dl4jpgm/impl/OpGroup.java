package org.dl4jpgm.impl;

import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A group of a plan's ops that {@link OpPlan} runs as one Java loop after its first run, with the ops' own arithmetic
 * (the same values bit for bit): its members (op indices of the plan), the arrays its loop reads and those it can
 * write, each named as an argument of a member. The kinds: {@link LayerNormFusion} (a layer normalisation and its
 * gradient), {@link GeluFusion} (a GELU's gradient), {@link RunningSumFusion} (a running sum along the rows and its
 * gradient), {@link MaskedSumFusion} (the masked sum over a sequence's steps of a pooling layer's input),
 * {@link ProductAddFusion} (a matrix product and the add of a bias or residual after it).
 *
 * <p>Why: the ops of a layer normalisation or a GELU's gradient each run on a small array at the main job's sizes, a
 * few microseconds of native call around little arithmetic; one loop reads the group's inputs once and writes only
 * what other ops read (docs/performance.md, "Layer normalisation and GELU gradients as one loop each").
 *
 * <p>How a plan runs a group: its first run runs the ops themselves; then, where {@link #covers} the arrays of that
 * run, the members are skipped and the loop runs at the last member (in the plan's order), reading the inputs' arrays
 * of that run and writing the outputs that ops outside the group read. The plan checks that nothing outside the group
 * reads a member's output before that point and keeps the inputs' arrays from reuse until then
 * ({@code OpPlan.fuse}).
 */
abstract class OpGroup {

    /** An (op index, argument index) pair: an input or output of one op of the plan. */
    record Arg(int op, int index) {
    }

    /** The loop of a group, bound to its output arrays; its inputs are given at every run. */
    interface Loop {
        void run(INDArray[] in);

        /** The Java array that holds output i after a run (in 'c' order), for the loops that read it. */
        float[] values(int i);
    }

    final int[] members;
    final Arg[] inputs;
    final Arg[] outputs;

    OpGroup(int[] members, Arg[] inputs, Arg[] outputs) {
        this.members = members;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    /**
     * The groups of every kind among a plan's ops; none off the CPU backend, where the loops' views of host memory
     * would bypass the arrays' device copies ({@link HostMemory#addressable}).
     */
    static List<OpGroup> find(List<SameDiffOp> ops) {
        if (!HostMemory.hasNativeBuffers()) {
            return List.of();
        }
        OpMatcher m = OpMatcher.of(ops);
        List<OpGroup> groups = new ArrayList<>(LayerNormFusion.find(m));
        groups.addAll(GeluFusion.find(m));
        groups.addAll(RunningSumFusion.find(m));
        if (FastPathSwitch.on(OpPlan.MASKED_SUMS_PROPERTY)) {
            groups.addAll(MaskedSumFusion.find(m));
        }
        if (FastPathSwitch.on(OpPlan.PRODUCT_ADDS_PROPERTY)) {
            groups.addAll(ProductAddFusion.find(m));
        }
        return groups;
    }

    /** The groups {@code at} finds at each op index of the matcher's ops, in order. */
    static List<OpGroup> atEachOp(OpMatcher m, java.util.function.IntFunction<List<OpGroup>> at) {
        List<OpGroup> groups = new ArrayList<>();
        for (int k = 0; k < m.ops().size(); k++) {
            groups.addAll(at.apply(k));
        }
        return groups;
    }

    /**
     * The gradient ops of a sum or difference: their gradients are the incoming gradient (summed where an operand was
     * broadcast, negated for a difference's second operand), so their first two inputs are read for their shapes only
     * ({@link BroadcastGradient}, libnd4j's own ops alike).
     */
    static final Set<String> SUM_GRADIENTS = Set.of(BroadcastGradient.ADD, BroadcastGradient.SUBTRACT);

    /**
     * Whether input {@code index} of {@code op} is read for its shape only, not for its values: any input of an op of
     * {@link OpPlan#SHAPE_ONLY}, and the operands of a sum's gradient ({@link #SUM_GRADIENTS}; its third input, the
     * incoming gradient, is read for its values). A loop need not write an output that only such reads read.
     */
    static boolean readsShapeOnly(SameDiffOp op, int index) {
        String name = op.getOp().opName();
        List<String> in = op.getInputsToOp() == null ? List.of() : op.getInputsToOp();
        return OpPlan.SHAPE_ONLY.contains(name)
                || SUM_GRADIENTS.contains(name) && in.size() == 3 && index < 2 && !in.get(index).equals(in.get(2));
    }

    /** The op times' label. */
    abstract String label();

    /**
     * Whether the loop holds its outputs in Java arrays ({@link Loop#values}) that another group's loop may read
     * instead of the output arrays; false for a loop that writes its outputs in native memory only.
     */
    boolean javaValues() {
        return true;
    }

    /**
     * Whether the loop can read an input from another loop's Java array ({@code linked} in {@link #bind}) instead of
     * its array; false for a loop that reads its inputs' native memory only. Where it cannot, the producing loop
     * writes that output into its array.
     */
    boolean readsJavaValues() {
        return true;
    }

    /** A group of fewer ops for a plan where this one does not fit, or null. */
    OpGroup smaller() {
        return null;
    }

    /**
     * Whether the loop covers these arrays of the first run (the inputs' and outputs' arrays in the order of
     * {@link #inputs} and {@link #outputs}).
     */
    abstract boolean covers(INDArray[] in, INDArray[] out);

    /**
     * The loop bound to these output arrays, for inputs of the shapes of {@code in}: writes the outputs whose
     * {@code write} flag is set; reads input i from {@code linked[i]} where that is not null (the Java array of
     * another group's loop that computes it, {@link Loop#values}) instead of from its array.
     */
    abstract Loop bind(INDArray[] in, INDArray[] out, boolean[] write, float[][] linked);

    /** Matches ops by their names and the variables they read. */
    record OpMatcher(List<SameDiffOp> ops, Map<String, List<Integer>> readers) {

        /** The matcher of an op list: its variables' readers, once per input that reads them. */
        static OpMatcher of(List<SameDiffOp> ops) {
            Map<String, List<Integer>> readers = new HashMap<>();
            for (int k = 0; k < ops.size(); k++) {
                for (String in : ops.get(k).getInputsToOp() == null ? List.<String>of() : ops.get(k).getInputsToOp()) {
                    readers.computeIfAbsent(in, n -> new ArrayList<>()).add(k);
                }
            }
            return new OpMatcher(ops, readers);
        }

        String name(int k) {
            return ops.get(k).getOp().opName();
        }

        List<String> in(int k) {
            return ops.get(k).getInputsToOp() == null ? List.of() : ops.get(k).getInputsToOp();
        }

        String out(int k, int i) {
            List<String> o = ops.get(k).getOutputsOfOp();
            return o.size() > i ? o.get(i) : null;
        }

        /** The op that computes {@code variable}, or -1 (a placeholder, a parameter or a constant). */
        int producer(String variable) {
            for (int k = 0; k < ops.size(); k++) {
                if (ops.get(k).getOutputsOfOp().contains(variable)) {
                    return k;
                }
            }
            return -1;
        }

        /** The ops that read {@code variable}, in the plan's order. */
        List<Integer> readersOf(String variable) {
            return readers.getOrDefault(variable, List.of());
        }

        /** The first op reading {@code variable} named {@code opName} whose inputs are exactly {@code inputs}. */
        int reader(String variable, String opName, String... inputs) {
            for (int k : readersOf(variable)) {
                if (name(k).equals(opName) && in(k).equals(Arrays.asList(inputs))) {
                    return k;
                }
            }
            return -1;
        }

        /** The first op reading {@code variable} named {@code opName} with {@code arity} inputs. */
        int reader(String variable, String opName, int arity) {
            for (int k : readersOf(variable)) {
                if (name(k).equals(opName) && in(k).size() == arity) {
                    return k;
                }
            }
            return -1;
        }

        /**
         * The first op named {@code opName} of {@code arity} inputs reading {@code variable} whose first inputs are
         * {@code leading} (the others are what the matcher is after, e.g. a gradient op's incoming gradient), or -1.
         */
        int readerLeading(String variable, String opName, int arity, List<String> leading) {
            for (int k : readersOf(variable)) {
                if (name(k).equals(opName) && in(k).size() == arity
                        && in(k).subList(0, leading.size()).equals(leading)) {
                    return k;
                }
            }
            return -1;
        }

        /**
         * The first op named {@code opName} of two inputs reading {@code a} and one of {@code others} (in either order;
         * {@code a} twice where {@code others} holds {@code a}), or -1: a product or sum, commutative bit for bit.
         */
        int commutativeReader(String opName, String a, List<String> others) {
            for (int k : readersOf(a)) {
                List<String> in = in(k);
                if (name(k).equals(opName) && in.size() == 2 && in.contains(a)
                        && others.contains(in.get(in.indexOf(a) == 0 ? 1 : 0))) {
                    return k;
                }
            }
            return -1;
        }

        /** The input of two-input op k that is not {@code known}. */
        String other(int k, String known) {
            return in(k).get(in(k).indexOf(known) == 0 ? 1 : 0);
        }

        /**
         * The two {@code add}s of {@code (start + t) + u}, {@code t} and {@code u} the two {@code terms} in either
         * order (SameDiff's sum of a variable's gradient terms), as their op indices, or null.
         */
        int[] sumOfBoth(String start, List<String> terms) {
            int first = commutativeReader("add", start, terms);
            if (first < 0) {
                return null;
            }
            String u = terms.get(terms.indexOf(other(first, start)) == 0 ? 1 : 0);
            int second = commutativeReader("add", out(first, 0), List.of(u));
            return second < 0 ? null : new int[]{first, second};
        }
    }

    /** Whether an array is float and of E elements along its last axis, its other axes (if any) 1. */
    static boolean alongLastAxis(INDArray a, long e) {
        return a.dataType() == DataType.FLOAT && a.rank() >= 1 && a.size(a.rank() - 1) == e && a.length() == e;
    }

    /** Whether a loop can take this array: float, not empty, and of no more elements than a Java array holds. */
    static boolean loopSized(INDArray a) {
        return a.dataType() == DataType.FLOAT && a.length() > 0 && a.length() <= Integer.MAX_VALUE;
    }

    /** Whether an array is float and of this shape. */
    static boolean sameShape(INDArray a, long[] shape) {
        return a.dataType() == DataType.FLOAT && Arrays.equals(a.shape(), shape);
    }

    /** Whether the plan's own output arrays can be written in place: float, contiguous, addressable. */
    static boolean writable(INDArray[] out) {
        for (INDArray a : out) {
            if (a.dataType() != DataType.FLOAT || !OpPlan.contiguousC(a) || !HostMemory.addressable(a)) {
                return false;
            }
        }
        return true;
    }

    /** Writes {@code from} into a float array that {@link #covers} checked contiguous. */
    static Runnable writer(float[] from, INDArray a) {
        FloatBuffer to = HostMemory.floats(a);
        int offset = (int) a.offset();
        return () -> to.put(offset, from, 0, from.length);
    }

    /**
     * A loop's inputs as Java arrays: the linked arrays of other loops where given, else the arrays' values, read into
     * arrays of the lengths given, from a view of their native memory kept while the same array comes again (the
     * plan's own arrays, the parameters), or from a packed copy of an array that is not contiguous.
     */
    static final class Inputs {
        private final float[][] into;
        private final float[][] linked;
        private final INDArray[] last;
        private final FloatBuffer[] buffers;
        private final int[] offsets;
        private final float[][] values;

        Inputs(int[] lengths, float[][] linked) {
            this.into = new float[lengths.length][];
            this.linked = linked;
            this.last = new INDArray[lengths.length];
            this.buffers = new FloatBuffer[lengths.length];
            this.offsets = new int[lengths.length];
            this.values = new float[lengths.length][];
            for (int i = 0; i < lengths.length; i++) {
                into[i] = linked[i] != null ? null : new float[lengths[i]];
                values[i] = linked[i] != null ? linked[i] : into[i];
            }
        }

        /** The values of {@code arrays} (by index; linked ones are not read), valid until the next call. */
        float[][] read(INDArray[] arrays) {
            for (int i = 0; i < into.length; i++) {
                if (into[i] == null) {
                    continue;
                }
                INDArray a = arrays[i];
                if (a != last[i]) {
                    last[i] = a;
                    boolean direct = OpPlan.contiguousC(a) && HostMemory.addressable(a);
                    buffers[i] = direct ? HostMemory.floats(a) : null;
                    offsets[i] = (int) a.offset();
                }
                if (buffers[i] != null) {
                    buffers[i].get(offsets[i], into[i], 0, into[i].length);
                } else {
                    INDArray packed = a.dup('c');
                    HostMemory.floats(packed).get((int) packed.offset(), into[i], 0, into[i].length);
                }
            }
            return values;
        }
    }

    /** The write steps of the outputs whose flag is set, from these Java arrays. */
    static List<Runnable> writers(float[][] from, INDArray[] out, boolean[] write) {
        List<Runnable> w = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            if (write[i]) {
                w.add(writer(from[i], out[i]));
            }
        }
        return w;
    }
}
