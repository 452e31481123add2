package org.dl4jpgm.impl;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.RandomOp;
import org.nd4j.linalg.api.ops.ReduceOp;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.impl.layers.ExternalErrorsFunction;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The ops of a SameDiff graph that compute a fixed list of variables, in dependency order, with the output arrays of
 * every op allocated once: a cheaper way than {@code SameDiff.output} / {@code calculateGradients} to run the same
 * ops again and again on placeholders of the same shapes (a training loop with a fixed minibatch size).
 *
 * <p>SameDiff's {@code InferenceSession} does, for every op of every call, dependency bookkeeping, an output-shape
 * calculation (a native call), an allocation through its memory manager and JavaCPP's memory check; at the main job's
 * sizes that is more than half of a PgM training step (docs/performance.md, "Where a step's time goes"). A plan does
 * the bookkeeping and the shape calculations once, at the first {@link #run}, and keeps the arrays: a run is one
 * {@code Nd4j.exec} per op, on an op context that keeps its arrays from the last run where they are the same arrays.
 * The ops, their arguments and their input arrays are the ones the session would use, so the results are the same bit
 * for bit ({@code impl/OpPlanTest}, {@code fusion/OpPlanTrainingTest}).
 *
 * <p>Twelve kinds of op that libnd4j or ND4J runs slowly or needlessly, a plan runs another way with the same result
 * (unless {@value #REWRITES_PROPERTY} is {@code false}; docs/performance.md, "Where the op compute goes"):
 * <ul>
 *   <li>an op whose outputs depend on its inputs' shapes only ({@link #SHAPE_ONLY}: {@code shape_of},
 *       {@code zeroslike}, ...): run at the first run only, its arrays kept (a plan's shapes are fixed);</li>
 *   <li>the gradient of a broadcast {@code multiply} or {@code divide}, and of a broadcast {@code add} or
 *       {@code subtract} whose sums run over leading axes (a bias's): elementwise ops and a sum, over leading axes
 *       as column sums in Java ({@link BroadcastGradient}, {@link ColumnSums}; bit for bit,
 *       {@code impl/BroadcastGradientTest}, {@code impl/ColumnSumsTest});</li>
 *   <li>the gradient of a {@code sigmoid} whose output the plan computes before it: from that output, without the
 *       sigmoid again ({@link SigmoidGradient}; bit for bit, {@code impl/SigmoidGradientTest});</li>
 *   <li>{@code add}, {@code subtract}, {@code multiply}, {@code divide} and {@code multiply_bp} on arrays of one
 *       shape and type: the legacy pairwise transform the custom op runs, called directly ({@link DirectPairwise};
 *       bit for bit, {@code impl/DirectPairwiseTest}); the first four with the second input broadcast: ND4J's
 *       legacy broadcast op, called directly ({@link DirectBroadcast}; bit for bit,
 *       {@code impl/DirectBroadcastTest});</li>
 *   <li>{@code matmul} and {@code matmul_bp} of float matrices: {@code cblas_sgemm} calls into the OpenBLAS ND4J
 *       uses ({@link DirectGemm}; bit for bit, {@code impl/DirectGemmTest});</li>
 *   <li>legacy transforms, scalar ops and reductions of one input ({@code sigmoid}, {@code mul_scalar},
 *       {@code reduce_mean}, ...), after a first run through ND4J's executioner: the native call it makes, made
 *       directly ({@link DirectLegacy}; bit for bit, {@code impl/DirectLegacyTest});</li>
 *   <li>the gradient of a sum or a mean over some axes ({@code reduce_sum_bp}, {@code reduce_mean_bp}): ND4J's
 *       legacy broadcast copy or product along the other axes, called directly ({@link ReductionGradient}; bit for
 *       bit, {@code impl/ReductionGradientTest});</li>
 *   <li>ops that only move elements ({@code permute}, {@code strided_slice}, {@code stack}, {@code unstack} and the
 *       gradients of the slice and of {@code concat}) on arrays other than placeholders: copies between views of
 *       their arrays, each checked against the custom op when it is made ({@link ViewCopy};
 *       {@code impl/ViewCopyTest});</li>
 *   <li>{@code permute} and {@code strided_slice} of a placeholder whose view is runs of consecutive elements: bulk
 *       copies of those runs in Java, checked the same way ({@link StridedCopy}; {@code impl/StridedCopyTest});</li>
 *   <li>any other custom op, after a first run through ND4J's executioner: the native call it makes on the op's
 *       context, made directly ({@link DirectCustomOp}; bit for bit, {@code impl/DirectCustomOpTest});</li>
 *   <li>a gradient op whose incoming gradient is zero by construction (behind a {@code stop_gradient}): zeros
 *       written;</li>
 *   <li>a reshape in 'c' order: a view of its input instead of a copy.</li>
 * </ul>
 * And groups of ops: the ops of a layer normalisation, those of its gradient, those of a GELU's gradient and those of
 * a running sum along a matrix's rows and of its gradient, each group run as one Java loop with the ops' arithmetic
 * from the second run on ({@link OpGroup}, {@link LayerNormFusion}, {@link GeluFusion}, {@link RunningSumFusion}; bit
 * for bit, {@code impl/LayerNormFusionTest}, {@code impl/GeluFusionTest}, {@code impl/RunningSumFusionTest}), and a
 * matrix product with the {@code add} of a bias or residual after it as one product onto that operand
 * ({@link ProductAddFusion}; bit for bit where a probe of the shape agrees, {@code impl/ProductAddFusionTest}), unless
 * {@value #FUSIONS_PROPERTY} is {@code false}.
 *
 * <p>What a plan does not run, {@link #of} refuses (returns null), and the caller keeps SameDiff's session: control
 * flow, tensor arrays, {@code Invoke}, views, assignments, control dependencies, legacy reductions whose axes or
 * scalar ops whose scalar are given as an array argument, random ops (a plan runs independent ops in another order
 * than the session, which would draw other random numbers) and ops whose output shape depends on the values of their
 * inputs ({@link #VALUE_SHAPED}: a plan computes output shapes once). A plan is bound to the shapes of the
 * placeholders it was first run with; {@link #fits} tells whether it can run others. A later placeholder array of
 * another layout than the first run's (a 'f'-order array where the first was in 'c' order) is copied into the first
 * run's layout before the ops run: the direct calls chosen at the first run read memory in that order.
 *
 * <p>A plan of a gradient can run in two parts ({@link #of(SameDiff, List, String, String)}): the ops that do not
 * read the incoming error (the forward pass, which a training step runs anyway to get the layer's output), then the
 * rest, once the error is known. A training step then computes its forward pass once, where SameDiff's
 * {@code calculateGradients} computes it again (a third of the matrix products of a PgM step at the paper's sizes;
 * docs/performance.md, "The forward pass once per step").
 *
 * <p>The arrays a run returns belong to the plan and are overwritten by the next run: copy what must outlive it. Not
 * thread-safe.
 */
public final class OpPlan {

    /**
     * System property that switches off ({@code false}) the plan's substitutions for slow libnd4j ops: broadcast
     * gradients ({@link BroadcastGradient}), sigmoid gradients from the forward output ({@link SigmoidGradient}),
     * elementwise ops, matrix products, reductions' gradients, legacy ops and other custom ops as direct calls
     * ({@link DirectPairwise}, {@link DirectBroadcast}, {@link DirectGemm}, {@link ReductionGradient},
     * {@link DirectLegacy}, {@link DirectCustomOp}), ops that move elements as copies between views
     * ({@link ViewCopy}), gradient ops behind a {@code stop_gradient} (zeros written), ops of shapes only and reshapes
     * as views. Every op then runs as SameDiff's session would run it.
     */
    public static final String REWRITES_PROPERTY = "org.dl4jpgm.opPlans.rewrites";

    /**
     * System property that switches off ({@code false}) only the groups of ops run as one loop each
     * ({@link OpGroup}); {@link #REWRITES_PROPERTY} {@code false} switches them off too.
     */
    public static final String FUSIONS_PROPERTY = "org.dl4jpgm.opPlans.fusions";

    /**
     * System property that switches off ({@code false}) only the sums of a weight's gradients accumulated in its
     * products ({@link GradientAccumulation}); {@link #REWRITES_PROPERTY} {@code false} switches them off too.
     */
    public static final String ACCUMULATION_PROPERTY = "org.dl4jpgm.opPlans.accumulation";

    /**
     * System property that switches off ({@code false}) only the matrix products run with the {@code add} after them
     * as one product onto its other operand ({@link ProductAddFusion}); {@link #FUSIONS_PROPERTY} {@code false}
     * switches them off too.
     */
    public static final String PRODUCT_ADDS_PROPERTY = "org.dl4jpgm.opPlans.productAdds";

    /**
     * System property that switches off ({@code false}) only the masked sums over a sequence's steps run as one loop
     * over a pooling layer's input ({@link MaskedSumFusion}); {@link #FUSIONS_PROPERTY} {@code false} switches them
     * off too.
     */
    public static final String MASKED_SUMS_PROPERTY = "org.dl4jpgm.opPlans.maskedSums";

    /**
     * System property that switches off ({@code false}) only the loops written with the JDK's Vector API: the
     * {@code exp} and {@code sigmoid} ops computed in Java ({@link VectorExp}) and the layer normalisation's loops
     * along a row ({@link RowKernels}); {@link #REWRITES_PROPERTY} {@code false} switches off the first with every
     * rewrite, {@link #FUSIONS_PROPERTY} the second with the groups.
     */
    public static final String VECTOR_API_PROPERTY = "org.dl4jpgm.opPlans.vectorApi";

    /** Ops whose output shape depends on the values of their inputs, not only on their shapes. */
    static final Set<String> VALUE_SHAPED = Set.of("where", "where_np", "unique", "unique_with_counts",
            "boolean_mask", "dynamic_partition", "dynamic_stitch", "listdiff", "range", "fill", "non_max_suppression",
            "non_max_suppression_v3", "non_max_suppression_overlaps", "sequence_mask", "bincount",
            "compare_and_bitpack", "split_v", "broadcast_to", "tile");

    /**
     * Ops whose outputs depend on the shapes of their inputs only, not on their values; a plan, whose shapes are
     * fixed, runs them once.
     */
    static final Set<String> SHAPE_ONLY = Set.of("shape_of", "shapes_of", "size", "rank", "zeroslike", "ones_as");

    /** Op names the session runs by kind, not as plain ops. */
    private static final Set<String> SESSION_ONLY = Set.of("assign", "create_view", "invoke", "identity", "enter",
            "exit", "merge", "switch", "next_iteration", "loop_cond");

    private final SameDiff sd;
    private final List<String> outputs;
    private final List<SameDiffOp> ops;
    /** The variables and constants the ops read, looked up at every run (parameters are updated in place). */
    private final Set<String> leaves;
    /**
     * Every variable a run reads or writes has a slot in {@link #values}: per op, the slots of its inputs and outputs,
     * resolved once, so that a run passes arrays by index and not by name (a hash lookup per argument).
     */
    private final Map<String, Integer> slotOf = new HashMap<>();
    private final int[][] inSlots;
    private final int[][] outSlots;
    private final String[] leafNames;
    private final int[] leafSlots;
    /** The slots of {@link #outputs}, in their order (looked up once, not by name at every run). */
    private final int[] outputSlots;
    /** Per op with a {@link #sigmoidOutput}: its slot (else -1). */
    private final int[] sigmoidSlots;
    /** Per op, its output arrays, allocated at the first run. */
    private INDArray[][] results;
    private OpContext[] contexts;
    /** Whether the plan substitutes cheaper equivalents for slow ops ({@link #REWRITES_PROPERTY}). */
    private final boolean rewrites;
    /**
     * Per op: a gradient op whose incoming gradient (its last input) is zero by construction: the output of a
     * {@code zeroslike} (what SameDiff differentiates a {@code stop_gradient} into) or of another such op. A
     * gradient op is linear in its incoming gradient, so its outputs are zero: the plan writes zeros instead of
     * running it (a {@code reduce_max_bp} behind a softmax's held maximum took about 430 us at the main job's sizes).
     */
    private final boolean[] zeroGradient;
    /**
     * Per op: its outputs depend on its inputs' shapes only ({@link #SHAPE_ONLY}) and none is an output of the plan
     * (a caller may write into those): it runs at the first run only, and its arrays are never reused.
     */
    private final boolean[] shapeOnly;
    /**
     * Per op: a reshape in 'c' order, which the plan runs as a view of its input where the input is contiguous in 'c'
     * order (all of the plan's own arrays are), not as libnd4j's copy. Its output shares its input's memory, so that
     * memory is not reused for another output before the reshape's last reader ({@link #storage}).
     */
    private final boolean[] viewReshape;
    /** Per view reshape: the output shape (from the first run), the input it last viewed, and that view. */
    private final long[][] viewShapes;
    private final INDArray[] viewSources;
    private final INDArray[] views;
    /** Per op, the input arrays its context holds (identity compared: the same arrays need not be set again). */
    private INDArray[][] contextInputs;
    /**
     * An op that the plan runs another way ({@link BroadcastGradient}, {@link SigmoidGradient},
     * {@link DirectPairwise}): the prefix of its name in the op times, and the computation on the op's input and
     * output arrays.
     */
    private record Rewrite(String label, BiConsumer<INDArray[], INDArray[]> body) {
    }

    /** The op times' prefix of broadcast elementwise ops run as a {@link DirectBroadcast}. */
    private static final String DIRECT_BROADCAST = "direct broadcast ";

    /** The op times' prefix of reductions' gradients run as a {@link ReductionGradient}. */
    private static final String SPREAD = "broadcast spread ";

    /** The op times' prefix of ops that move elements, run as a {@link ViewCopy}. */
    private static final String COPIES = "view copies ";

    /** The op times' prefix of ops that move elements of a placeholder, run as a {@link StridedCopy}. */
    private static final String RUN_COPIES = "run copies ";

    /** The op times' prefix of products whose weight gradient accumulates into a sum ({@link GradientAccumulation}). */
    private static final String ACCUMULATED = "blas accumulated ";

    /** The op times' prefix of legacy ops run as a {@link DirectLegacy}. */
    private static final String DIRECT_LEGACY = "legacy direct ";
    /** The op times' prefix of legacy ops run as a {@link VectorExp}. */
    private static final String VECTOR_EXP = "vector ";

    /**
     * Groups of ops run as one Java loop each after the first run ({@link OpGroup}): per op, the group whose
     * last op (in the plan's order) it is, else null; and whether it is another member of an active group (not run).
     */
    private final OpGroup[] fusedAt;
    private final boolean[] fusedAway;
    /** Per op: whether it is a member of a group (found when the plan is made; a member of one group only). */
    private final boolean[] grouped;
    /**
     * Per group, by its last op: per output of its loop, the ops outside the group that read it (op, input index; -1
     * for a sigmoid gradient reading its forward output) and whether the caller reads it; and its loop once active.
     */
    private final List<OpGroup.Arg>[][] fusedReaders;
    private final boolean[][] fusedReturned;
    private final OpGroup.Loop[] fusedLoops;
    private final INDArray[][] fusedInputs;
    /** How many loop inputs {@link #activateFusions} linked to another loop's Java array. */
    private int linkedInputs;

    /**
     * Sums of a weight's gradients ({@link GradientAccumulation}): per {@code add} that is one, the {@code matmul_bp}
     * whose product may accumulate into the sum's array, else -1. The sum's inputs and output share one array (the
     * first run adds in place), whose variable is {@link #accumulationOwners}' member.
     */
    private final int[] accumulatedBy;
    /** Per sum: the op that computes its other input (a {@code matmul_bp}, or an earlier sum's {@code add}). */
    private final int[] sumInputFrom;
    private final Set<String> accumulationOwners = new HashSet<>();
    /** Per sum whose product accumulates (from the second run on): the {@code add}, skipped. */
    private final boolean[] accumulatedAway;
    /** Per accumulating {@code matmul_bp}: its call with {@code beta} 1 and its output arrays (dx, the sum's array). */
    private final DirectGemm[] accumulators;
    private final INDArray[][] accumulatorOutputs;
    /** During the first run: the array of each sum's variable; per accumulating op, its call and its result. */
    private Map<String, INDArray> accumulatorArrays;
    private DirectGemm[] accumulatorCandidates;
    private INDArray[] accumulationProbes;

    /** Per op, the faster equivalent that runs instead of it (null: the op itself), chosen at the first run. */
    private Rewrite[] rewritten;
    /** Per custom op that runs as itself after its first run, its direct call ({@link DirectCustomOp}; null: none). */
    private DirectCustomOp[] directOps;
    /** Per gradient op that is zero by construction, the fills of its outputs with zeros (bound at the first run). */
    private Runnable[][] zeroFills;
    /**
     * Per op: for a {@code sigmoid_bp} whose input is also the input of a {@code sigmoid} the plan runs before it, that
     * sigmoid's output variable (its gradient is computed from it, {@link SigmoidGradient}); else null.
     */
    private final String[] sigmoidOutput;
    private Map<String, long[]> placeholderShapes;
    /**
     * The placeholders whose array at the first run had its elements in 'c' order without gaps. The direct calls
     * chosen then ({@link DirectGemm}, {@link ProductAddFusion}, ...) read such an array's memory in that order, so a
     * later array of another layout is copied into it first ({@link #asAtFirstRun}).
     */
    private final Set<String> packedPlaceholders = new HashSet<>();
    /** The placeholder that the ops from {@link #split} on read (null: none is deferred). */
    private final String deferred;
    /** The variable {@link #runIndependent} returns (null when nothing is deferred). */
    private final String early;
    /** The number of leading ops that do not read {@link #deferred}, directly or through other ops (all when null). */
    private final int split;
    /** Whether an op from {@link #split} on reads {@link #early}'s array (directly or as an identity of it). */
    private final boolean earlyReadLater;
    /** Arrays the caller wants output variables written into, by name ({@link #writeOutputsInto}). */
    private Map<String, INDArray> targets = Map.of();
    /** Whether every op has run once (its arrays and contexts exist). */
    private boolean complete;
    /** During a run: whether it is the first, its placeholders and the value of every variable so far, by slot. */
    private boolean firstRun;
    private Map<String, INDArray> runPlaceholders;
    private INDArray[] values;
    /** Whether the first part has run and the rest waits for the deferred placeholder ({@link #runDependent}). */
    private boolean pending;

    /** An identity op's output is its input's array: the variable whose array a variable is. */
    private final Map<String, String> storage = new HashMap<>();
    /** Per array-owning variable, the index of the last op that reads it (through identities too). */
    private final Map<String, Integer> lastRead = new HashMap<>();
    /** During the first run: free arrays, by type and length, for outputs of later ops to reuse. */
    private Map<String, ArrayDeque<INDArray>> free;
    /** During the first run: the array allocated for each op output so far, by variable name. */
    private Map<String, INDArray> allocated;

    private OpPlan(SameDiff sd, List<String> outputs, List<SameDiffOp> ops, Set<String> leaves, String deferred,
                   String early, int split) {
        this.sd = sd;
        this.outputs = outputs;
        this.ops = ops;
        this.leaves = leaves;
        this.deferred = deferred;
        this.early = early;
        this.split = split;
        this.rewrites = FastPathSwitch.on(REWRITES_PROPERTY);
        this.zeroGradient = new boolean[ops.size()];
        this.shapeOnly = new boolean[ops.size()];
        this.viewReshape = new boolean[ops.size()];
        this.viewShapes = new long[ops.size()][];
        this.viewSources = new INDArray[ops.size()];
        this.views = new INDArray[ops.size()];
        this.sigmoidOutput = new String[ops.size()];
        this.accumulatedBy = new int[ops.size()];
        this.sumInputFrom = new int[ops.size()];
        this.accumulatedAway = new boolean[ops.size()];
        this.accumulators = new DirectGemm[ops.size()];
        this.accumulatorOutputs = new INDArray[ops.size()][];
        Arrays.fill(accumulatedBy, -1);
        List<GradientAccumulation.Sum> sums = List.of();
        if (rewrites && FastPathSwitch.on(ACCUMULATION_PROPERTY)) {
            Set<String> returnedNames = new HashSet<>(outputs);
            if (early != null) {
                returnedNames.add(early);
            }
            sums = GradientAccumulation.find(ops, returnedNames);
            for (GradientAccumulation.Sum sum : sums) {
                shareArray(sum);
            }
        }
        Set<String> zeros = new HashSet<>();
        Map<String, String> sigmoidOf = new HashMap<>();
        for (int k = 0; k < ops.size(); k++) {
            SameDiffOp op = ops.get(k);
            List<String> in = op.getInputsToOp() == null ? List.of() : op.getInputsToOp();
            for (String name : in) {
                lastRead.put(owner(name), k);
            }
            viewReshape[k] = rewrites && isViewReshape(op);
            if (op.getOp() instanceof Identity || viewReshape[k]) {
                storage.put(op.getOutputsOfOp().get(0), owner(in.get(0)));
                if (zeros.contains(in.get(0))) {
                    zeros.add(op.getOutputsOfOp().get(0));
                }
            }
            String name = op.getOp().opName();
            if ("zeroslike".equals(name)) {
                zeros.addAll(op.getOutputsOfOp());
            } else if (rewrites && name.endsWith("_bp") && !in.isEmpty() && zeros.contains(in.get(in.size() - 1))) {
                zeroGradient[k] = true;
                zeros.addAll(op.getOutputsOfOp());
            }
            if (rewrites && SigmoidGradient.FORWARD.equals(name) && in.size() == 1) {
                sigmoidOf.putIfAbsent(in.get(0), op.getOutputsOfOp().get(0));
            } else if (rewrites && SigmoidGradient.OP.equals(name) && in.size() == 2 && sigmoidOf.containsKey(in.get(0))
                    && op.getOutputsOfOp().size() == 1) {
                sigmoidOutput[k] = sigmoidOf.get(in.get(0));
                lastRead.put(owner(sigmoidOutput[k]), k);   // read by this op now: not reused before it
            }
        }
        for (GradientAccumulation.Sum sum : sums) {
            // the sum's product is checked at the sum, on its own inputs: not reused before it
            for (String in : ops.get(sum.late()).getInputsToOp()) {
                lastRead.merge(owner(in), sum.add(), Math::max);
            }
        }
        boolean earlyRead = false;
        if (early != null) {
            for (int k = split; k < ops.size(); k++) {
                List<String> in = ops.get(k).getInputsToOp() == null ? List.of() : ops.get(k).getInputsToOp();
                for (String name : in) {
                    earlyRead |= owner(name).equals(owner(early));
                }
                earlyRead |= sigmoidOutput[k] != null && owner(sigmoidOutput[k]).equals(owner(early));
            }
        }
        this.earlyReadLater = earlyRead;
        Set<String> returned = new HashSet<>(outputs);
        if (early != null) {
            returned.add(early);
        }
        for (String o : returned) {
            lastRead.put(owner(o), Integer.MAX_VALUE);   // returned: never reused
        }
        for (int k = 0; k < ops.size(); k++) {
            SameDiffOp op = ops.get(k);
            shapeOnly[k] = rewrites && op.getOp() instanceof DynamicCustomOp
                    && SHAPE_ONLY.contains(op.getOp().opName())
                    && op.getOutputsOfOp().stream().noneMatch(returned::contains);
            if (shapeOnly[k]) {
                for (String o : op.getOutputsOfOp()) {
                    lastRead.put(owner(o), Integer.MAX_VALUE);   // kept from the first run on
                }
            }
        }
        this.fusedAt = new OpGroup[ops.size()];
        this.fusedAway = new boolean[ops.size()];
        this.grouped = new boolean[ops.size()];
        @SuppressWarnings("unchecked")
        List<OpGroup.Arg>[][] readersByGroup = new List[ops.size()][];
        this.fusedReaders = readersByGroup;
        this.fusedReturned = new boolean[ops.size()][];
        this.fusedLoops = new OpGroup.Loop[ops.size()];
        this.fusedInputs = new INDArray[ops.size()][];
        if (rewrites && FastPathSwitch.on(FUSIONS_PROPERTY)) {
            Map<String, List<OpGroup.Arg>> reads = readsByOwner();
            for (OpGroup g : OpGroup.find(ops)) {
                for (OpGroup tried = g; tried != null && !fuse(tried, returned, reads); ) {
                    tried = tried.smaller();
                }
            }
        }
        this.inSlots = new int[ops.size()][];
        this.outSlots = new int[ops.size()][];
        this.sigmoidSlots = new int[ops.size()];
        for (int k = 0; k < ops.size(); k++) {
            SameDiffOp op = ops.get(k);
            inSlots[k] = slots(op.getInputsToOp() == null ? List.of() : op.getInputsToOp());
            outSlots[k] = slots(op.getOutputsOfOp());
            sigmoidSlots[k] = sigmoidOutput[k] == null ? -1 : slot(sigmoidOutput[k]);
        }
        this.leafNames = leaves.toArray(new String[0]);
        this.leafSlots = slots(Arrays.asList(leafNames));
        this.outputSlots = slots(outputs);
        if (early != null) {
            slot(early);
        }
        if (deferred != null) {
            slot(deferred);
        }
    }

    /**
     * Makes a sum's inputs and output one array: the output's variable owns it from the first op that writes an input.
     */
    private void shareArray(GradientAccumulation.Sum sum) {
        String previous = owner(sum.earlyInput());
        for (Map.Entry<String, String> e : storage.entrySet()) {
            if (e.getValue().equals(previous)) {
                e.setValue(sum.output());
            }
        }
        storage.put(sum.earlyInput(), sum.output());
        if (!previous.equals(sum.earlyInput())) {
            storage.put(previous, sum.output());
        }
        accumulationOwners.remove(previous);
        accumulationOwners.add(sum.output());
        accumulatedBy[sum.add()] = sum.late();
        sumInputFrom[sum.add()] = sum.early();
    }

    /**
     * Per array-owning variable, the ops that read it (op, input index; -1 for a sigmoid gradient reading its forward
     * output), in the plan's order: what {@link #fuse} checks a group's outputs against.
     */
    private Map<String, List<OpGroup.Arg>> readsByOwner() {
        Map<String, List<OpGroup.Arg>> reads = new HashMap<>();
        for (int k = 0; k < ops.size(); k++) {
            List<String> in = ops.get(k).getInputsToOp() == null ? List.of() : ops.get(k).getInputsToOp();
            for (int i = 0; i < in.size(); i++) {
                reads.computeIfAbsent(owner(in.get(i)), n -> new ArrayList<>()).add(new OpGroup.Arg(k, i));
            }
            if (sigmoidOutput[k] != null) {
                reads.computeIfAbsent(owner(sigmoidOutput[k]), n -> new ArrayList<>()).add(new OpGroup.Arg(k, -1));
            }
        }
        return reads;
    }

    /**
     * Makes group {@code g} run as its loop at its last op, where that computes what its ops compute: none of them is
     * run another way already (a shape-only op, a gradient zero by construction, a view), all run in one part of the
     * plan ({@link #split}), and each output of a member that an op outside the group reads for its values (or the
     * caller, for {@code returned}) is one the loop writes and is read only after the group's last op; an output read
     * for its shape only ({@link OpGroup#readsShapeOnly}) keeps the first run's array. The group's inputs are then
     * kept from reuse until its last op. Whether the loop covers the arrays is asked after the first run, which
     * runs the ops themselves ({@link #activateFusions}).
     */
    private boolean fuse(OpGroup g, Set<String> returned, Map<String, List<OpGroup.Arg>> reads) {
        int last = Arrays.stream(g.members).max().orElseThrow();
        int first = Arrays.stream(g.members).min().orElseThrow();
        if ((first < split) != (last < split)) {
            return false;
        }
        Set<Integer> members = new HashSet<>();
        for (int m : g.members) {
            if (grouped[m] || shapeOnly[m] || zeroGradient[m] || viewReshape[m]) {
                return false;
            }
            members.add(m);
        }
        Map<String, List<OpGroup.Arg>> outsideReads = new HashMap<>();
        for (int m : g.members) {
            for (String o : ops.get(m).getOutputsOfOp()) {
                List<OpGroup.Arg> outside = reads.getOrDefault(o, List.of()).stream()
                        .filter(a -> !members.contains(a.op())).toList();
                if (!outside.isEmpty()) {
                    outsideReads.put(o, outside);
                }
            }
        }
        Set<String> written = new HashSet<>();
        @SuppressWarnings("unchecked")
        List<OpGroup.Arg>[] readers = new List[g.outputs.length];
        boolean[] byCaller = new boolean[g.outputs.length];
        for (int i = 0; i < g.outputs.length; i++) {
            String name = ops.get(g.outputs[i].op()).getOutputsOfOp().get(g.outputs[i].index());
            readers[i] = outsideReads.getOrDefault(name, List.of());
            byCaller[i] = returned.contains(name);
            if (readers[i].stream().anyMatch(a -> a.op() < last)) {
                return false;
            }
            written.add(name);
        }
        for (int m : g.members) {
            for (String o : ops.get(m).getOutputsOfOp()) {
                if (written.contains(o)) {
                    continue;
                }
                boolean valuesRead = outsideReads.getOrDefault(o, List.of()).stream()
                        .anyMatch(a -> a.index() < 0 || !OpGroup.readsShapeOnly(ops.get(a.op()), a.index()));
                if (valuesRead || returned.contains(o)) {
                    return false;     // its values read outside, not written by the loop
                }
            }
        }
        for (OpGroup.Arg a : g.inputs) {
            String o = owner(ops.get(a.op()).getInputsToOp().get(a.index()));
            lastRead.merge(o, last, Math::max);
        }
        for (int m : g.members) {
            grouped[m] = true;
        }
        fusedAt[last] = g;
        fusedReaders[last] = readers;
        fusedReturned[last] = byCaller;
        return true;
    }

    private int slot(String name) {
        return slotOf.computeIfAbsent(name, n -> slotOf.size());
    }

    private int[] slots(List<String> names) {
        int[] s = new int[names.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = slot(names.get(i));
        }
        return s;
    }

    private String owner(String name) {
        return storage.getOrDefault(name, name);
    }

    /**
     * Per input of op k: whether its array is a placeholder's (another array at every run, directly or as an
     * identity).
     */
    private boolean[] placeholderInputs(int k) {
        List<String> in = ops.get(k).getInputsToOp();
        boolean[] p = new boolean[in == null ? 0 : in.size()];
        for (int i = 0; i < p.length; i++) {
            SDVariable v = sd.getVariable(owner(in.get(i)));
            p[i] = v != null && v.getVariableType() == VariableType.PLACEHOLDER;
        }
        return p;
    }

    /**
     * The plan that computes {@code outputs} of {@code sd}, or null if one of the ops it needs is of a kind a plan
     * does not run (SameDiff's session must run them).
     */
    public static OpPlan of(SameDiff sd, List<String> outputs) {
        return of(sd, outputs, null, null);
    }

    /**
     * As {@link #of(SameDiff, List)}, with the ops ordered so that those that do not read placeholder
     * {@code deferred} (directly, through other ops, or as the external error an {@code ExternalErrorsFunction}
     * copies) come first: {@link #runIndependent} runs them, {@link #runDependent} the rest. Ops run in another order
     * than {@link #of(SameDiff, List)}'s compute the same values: each op reads only arrays its inputs wrote.
     *
     * @param deferred a placeholder's name (null: none, as {@link #of(SameDiff, List)})
     * @param early    the variable {@link #runIndependent} returns, computed by the plan even where the outputs do not
     *                 need it (its array is not reused for another op's output)
     */
    public static OpPlan of(SameDiff sd, List<String> outputs, String deferred, String early) {
        List<SameDiffOp> order = new ArrayList<>();
        Set<String> visited = new HashSet<>();
        Set<String> leaves = new LinkedHashSet<>();
        List<String> wanted = new ArrayList<>();
        if (early != null) {
            wanted.add(early);   // the gradient need not compute the forward pass's output itself
        }
        wanted.addAll(outputs);
        for (String out : wanted) {
            if (!visit(sd, out, order, visited, leaves)) {
                return null;
            }
        }
        if (deferred == null) {
            return new OpPlan(sd, List.copyOf(outputs), order, leaves, null, early, order.size());
        }
        List<SameDiffOp> independent = new ArrayList<>();
        List<SameDiffOp> dependent = new ArrayList<>();
        Set<String> reached = new HashSet<>(Set.of(deferred));
        for (SameDiffOp op : order) {
            boolean reads = op.getOp() instanceof ExternalErrorsFunction e
                    && deferred.equals(e.getGradPlaceholderName());
            for (String in : op.getInputsToOp() == null ? List.<String>of() : op.getInputsToOp()) {
                reads |= reached.contains(in);
            }
            if (reads) {
                reached.addAll(op.getOutputsOfOp());
                dependent.add(op);
            } else {
                independent.add(op);
            }
        }
        int split = independent.size();
        independent.addAll(dependent);
        return new OpPlan(sd, List.copyOf(outputs), independent, leaves, deferred, early, split);
    }

    /** Depth first from variable {@code name} to the leaves; each op once, after the ops it reads from. */
    private static boolean visit(SameDiff sd, String name, List<SameDiffOp> order, Set<String> visited,
                                 Set<String> leaves) {
        Variable v = sd.getVariables().get(name);
        if (v == null) {
            return false;
        }
        if (v.getControlDeps() != null && !v.getControlDeps().isEmpty()) {
            return false;
        }
        VariableType type = v.getVariable().getVariableType();
        if (type == VariableType.PLACEHOLDER) {
            return true;
        }
        if (type == VariableType.VARIABLE || type == VariableType.CONSTANT) {
            leaves.add(name);
            return true;
        }
        String opName = v.getOutputOfOp();
        if (opName == null) {
            return false;
        }
        if (!visited.add(opName)) {
            return true;
        }
        SameDiffOp op = sd.getOps().get(opName);
        if (!supported(op)) {
            return false;
        }
        if (op.getInputsToOp() != null) {
            for (String in : op.getInputsToOp()) {
                if (!visit(sd, in, order, visited, leaves)) {
                    return false;
                }
            }
        }
        order.add(op);
        return true;
    }

    /** A reshape op in 'c' order (SameDiff's default: its first integer argument {@code Reshape.C_ORDER}). */
    private static boolean isViewReshape(SameDiffOp op) {
        if (!(op.getOp() instanceof org.nd4j.linalg.api.ops.impl.shape.Reshape r) || op.getInputsToOp() == null
                || op.getInputsToOp().isEmpty() || op.getOutputsOfOp().size() != 1) {
            return false;
        }
        long[] i = r.iArgs();
        return i.length > 0 && i[0] == org.nd4j.linalg.api.ops.impl.shape.Reshape.C_ORDER;
    }

    private static boolean supported(SameDiffOp op) {
        if ((op.getControlDeps() != null && !op.getControlDeps().isEmpty())
                || (op.getVarControlDeps() != null && !op.getVarControlDeps().isEmpty())) {
            return false;
        }
        DifferentialFunction df = op.getOp();
        if (df instanceof ExternalErrorsFunction || df instanceof Identity) {
            return true;
        }
        if (df instanceof RandomOp) {
            return false;
        }
        int args = op.getInputsToOp() == null ? 0 : op.getInputsToOp().size();
        if (df instanceof DynamicCustomOp) {
            String n = df.opName();
            return !(SESSION_ONLY.contains(n) || n.startsWith("tensorarray") || VALUE_SHAPED.contains(n));
        }
        if (df instanceof BaseOp) {
            if (df instanceof ReduceOp && ((ReduceOp) df).getOpType() != Op.Type.REDUCE3 && args == 2) {
                return false;
            }
            return !(df instanceof ScalarOp && args == 2) && args <= 2;
        }
        return false;
    }

    /**
     * Whether this plan can run on placeholders of these shapes (those of its first run, or any before it); the
     * deferred placeholder, if any, may be among them or not.
     */
    public boolean fits(Map<String, INDArray> placeholders) {
        if (placeholderShapes == null) {
            return true;
        }
        int n = placeholders.size() - (deferred != null && placeholders.containsKey(deferred) ? 1 : 0)
                + (deferred != null && placeholderShapes.containsKey(deferred) ? 1 : 0);
        if (placeholderShapes.size() != n) {
            return false;
        }
        for (Map.Entry<String, INDArray> e : placeholders.entrySet()) {
            long[] s = placeholderShapes.get(e.getKey());
            if (s == null && e.getKey().equals(deferred)) {
                continue;   // not seen yet: the first run of the dependent part records it
            }
            if (s == null || e.getValue() == null || !Arrays.equals(s, e.getValue().shape())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs the ops on {@code placeholders} (every placeholder the ops read, by name) and returns the outputs, by name.
     * The returned arrays are the plan's own and are overwritten by the next run.
     *
     * @throws IllegalArgumentException if the placeholders' shapes are not those of the first run
     */
    public Map<String, INDArray> run(Map<String, INDArray> placeholders) {
        begin(placeholders);
        runOps(0, ops.size());
        return end();
    }

    /**
     * Runs the ops that do not read the deferred placeholder ({@link #of(SameDiff, List, String, String)}) on
     * {@code placeholders} (the others) and returns the value of the early variable (the plan's array, as
     * {@link #run}'s); {@link #runDependent} then runs the rest.
     *
     * @throws IllegalArgumentException if the placeholders' shapes are not those of the first run
     * @throws IllegalStateException    if nothing is deferred, or the ops run do not compute the early variable
     */
    public INDArray runIndependent(Map<String, INDArray> placeholders) {
        if (deferred == null) {
            throw new IllegalStateException("OpPlan: no placeholder is deferred; run the plan whole");
        }
        begin(placeholders);
        runOps(0, split);
        INDArray v = values[slotOf.get(early)];
        if (v == null) {
            cancelRun();
            throw new IllegalStateException("OpPlan: the ops that do not read '" + deferred + "' do not compute '"
                    + early + "'");
        }
        pending = true;
        return v;
    }

    /**
     * Runs the ops left by {@link #runIndependent} with {@code value} as the deferred placeholder and returns the
     * outputs, as {@link #run} does.
     *
     * @throws IllegalStateException    if {@link #runIndependent} has not run since the last run
     * @throws IllegalArgumentException if {@code value}'s shape is not the one of the first run
     */
    public Map<String, INDArray> runDependent(INDArray value) {
        if (!pending) {
            throw new IllegalStateException("OpPlan: runDependent without runIndependent before it");
        }
        long[] s = placeholderShapes.get(deferred);
        if (s != null && !Arrays.equals(s, value.shape())) {
            throw new IllegalArgumentException("OpPlan: placeholder '" + deferred + "' of shape "
                    + Arrays.toString(value.shape()) + " where the plan was made for " + Arrays.toString(s));
        }
        if (s == null) {
            placeholderShapes.put(deferred, value.shape().clone());
        }
        pending = false;
        INDArray a = asAtFirstRun(deferred, value);
        runPlaceholders.put(deferred, a);
        values[slotOf.get(deferred)] = a;
        runOps(split, ops.size());
        return end();
    }

    /**
     * Asks that the ops computing output variables write into the given arrays (e.g. DL4J's gradient views of the
     * parameters, which saves copying every gradient after each run): where an array has the shape, type and 'c' layout
     * of its variable and the variable is an op's own output (not an identity of another's), the plan makes it that
     * op's output array at its first run; the run's outputs are then those very arrays. Else the plan keeps its own
     * array, and the caller copies. Before the first run only.
     *
     * @throws IllegalStateException after the first run
     */
    public void writeOutputsInto(Map<String, INDArray> arrays) {
        if (complete || results != null) {
            throw new IllegalStateException("OpPlan: output arrays are chosen before the first run");
        }
        targets = Map.copyOf(arrays);
    }

    /**
     * Whether the ops {@link #runDependent} runs read the array {@link #runIndependent} returns: where they do not, the
     * caller may let others write into it in between.
     */
    public boolean earlyReadLater() {
        return earlyReadLater;
    }

    /** Whether {@link #runIndependent} has run and {@link #runDependent} is awaited. */
    public boolean pending() {
        return pending;
    }

    /** Drops the values of a {@link #runIndependent} whose rest will not run. */
    public void cancel() {
        if (pending) {
            cancelRun();
        }
    }

    private void cancelRun() {
        pending = false;
        values = null;
        runPlaceholders = null;
        free = null;
        allocated = null;
        accumulatorArrays = null;
        accumulatorCandidates = null;
        accumulationProbes = null;
    }

    /** Starts a run: checks the shapes; on a plan's first run, sets up its arrays; the leaves' current arrays. */
    private void begin(Map<String, INDArray> placeholders) {
        if (!fits(placeholders)) {
            throw new IllegalArgumentException("OpPlan: placeholders of other shapes than the plan was made for: "
                    + format(shapesOf(placeholders)) + " against " + format(placeholderShapes));
        }
        pending = false;
        firstRun = !complete;
        if (firstRun) {
            free = new HashMap<>();
            allocated = new HashMap<>();
            results = new INDArray[ops.size()][];
            contexts = new OpContext[ops.size()];
            rewritten = new Rewrite[ops.size()];
            directOps = new DirectCustomOp[ops.size()];
            zeroFills = new Runnable[ops.size()][];
            contextInputs = new INDArray[ops.size()][];
            accumulatorArrays = new HashMap<>();
            accumulatorCandidates = new DirectGemm[ops.size()];
            accumulationProbes = new INDArray[ops.size()];
            placeholderShapes = shapesOf(placeholders);
        }
        runPlaceholders = new HashMap<>();
        values = new INDArray[slotOf.size()];
        for (Map.Entry<String, INDArray> e : placeholders.entrySet()) {
            INDArray a = asAtFirstRun(e.getKey(), e.getValue());
            runPlaceholders.put(e.getKey(), a);
            Integer slot = slotOf.get(e.getKey());
            if (slot != null) {
                values[slot] = a;
            }
        }
        for (int i = 0; i < leafNames.length; i++) {
            values[leafSlots[i]] = sd.getArrForVarName(leafNames[i]);
        }
    }

    /**
     * Placeholder {@code name}'s array for this run: at the first run the array itself (its layout noted); after it, a
     * copy in 'c' order where the first run's array was contiguous in that order and this one is not (a 'f'-order
     * array, a view with gaps), else the array itself.
     */
    private INDArray asAtFirstRun(String name, INDArray a) {
        if (a == null) {
            return null;
        }
        if (firstRun) {
            if (contiguousC(a)) {
                packedPlaceholders.add(name);
            }
            return a;
        }
        if (!packedPlaceholders.contains(name) || contiguousC(a)) {
            return a;
        }
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return a.dup('c');
        }
    }

    /** Runs ops {@code from} to {@code to} (exclusive) of the run begun. */
    private void runOps(int from, int to) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (int k = from; k < to; k++) {
                if (firstRun && accumulatedBy[k] >= 0) {
                    probeAccumulation(k);
                }
                execute(k, values, runPlaceholders, firstRun);
                if (firstRun) {
                    if (accumulatedBy[k] >= 0) {
                        checkAccumulation(k);
                    }
                    release(k);
                }
            }
        }
    }

    /** Ends a run whose every op has run: its outputs, by name. */
    private Map<String, INDArray> end() {
        if (firstRun) {
            activateFusions();
        }
        complete = true;
        free = null;
        allocated = null;
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < outputSlots.length; i++) {
            out.put(outputs.get(i), values[outputSlots[i]]);
        }
        values = null;
        runPlaceholders = null;
        return out;
    }

    private void execute(int k, INDArray[] values, Map<String, INDArray> placeholders, boolean first) {
        SameDiffOp op = ops.get(k);
        DifferentialFunction df = op.getOp();
        List<String> outNames = op.getOutputsOfOp();
        int[] in = inSlots[k];
        int[] out = outSlots[k];
        INDArray[] args = new INDArray[in.length];
        for (int i = 0; i < args.length; i++) {
            args[i] = values[in[i]];
            if (args[i] == null) {
                throw new IllegalStateException("OpPlan: no array for input '" + op.getInputsToOp().get(i)
                        + "' of op '" + op.getName() + "' (" + df.opName() + ")");
            }
        }
        if (df instanceof Identity) {
            values[out[0]] = args[0];
            return;
        }
        if (!first && (fusedAway[k] || accumulatedAway[k])) {
            // its group's loop writes what others read, at the group's last op; or a sum its last product computed
            publish(k, outNames, false);
            return;
        }
        if (!first && accumulators[k] != null) {
            OpTimes timer = OpTimes.current();
            long t0 = timer == null ? 0 : System.nanoTime();
            accumulators[k].run(args, accumulatorOutputs[k]);
            record(timer, t0, t0, ACCUMULATED, df.opName(), args);
            publish(k, outNames, false);
            return;
        }
        if (!first && fusedLoops[k] != null) {
            OpTimes timer = OpTimes.current();
            long t0 = timer == null ? 0 : System.nanoTime();
            INDArray[] loopIn = fusedInputs[k];
            OpGroup g = fusedAt[k];
            for (int i = 0; i < loopIn.length; i++) {
                loopIn[i] = values[inSlots[g.inputs[i].op()][g.inputs[i].index()]];
            }
            fusedLoops[k].run(loopIn);
            INDArray[] shown = timer != null && timer.withShapes() ? new INDArray[]{loopIn[0]} : null;
            record(timer, t0, t0, "", g.label(), shown);
            publish(k, outNames, false);
            return;
        }
        if (df instanceof ExternalErrorsFunction) {
            // as the session: the op's output is a copy of the gradient placeholder
            INDArray errors = placeholders.get(((ExternalErrorsFunction) df).getGradPlaceholderName());
            if (first) {
                results[k] = new INDArray[]{allocate(LongShapeDescriptor.fromShape(errors.shape(),
                        errors.dataType()), errors.dataType())};
            }
            results[k][0].assign(errors);
            values[out[0]] = results[k][0];
            if (first) {
                allocated.put(outNames.get(0), results[k][0]);
            }
            return;
        }
        if (first) {
            contexts[k] = Nd4j.getExecutioner().buildContext();
        }
        OpContext oc = contexts[k];
        OpTimes timer = first ? null : OpTimes.current();
        long t0 = timer == null ? 0 : System.nanoTime();
        if (df instanceof DynamicCustomOp) {
            DynamicCustomOp c = (DynamicCustomOp) df;
            if (viewReshape[k]) {
                if (first) {
                    oc.setArgs(args, c.iArgs(), c.dArgs(), c.tArgs(), c.bArgs());
                    viewShapes[k] = c.calculateOutputShape(oc).get(0).getShape();
                    oc.purge();
                }
                long t1 = timer == null ? 0 : System.nanoTime();
                values[out[0]] = view(k, args[0]);
                record(timer, t0, t1, "", views[k] != null ? "reshape (view)" : "reshape (copy)", null);
                return;
            }
            if (first) {
                oc.setArgs(args, c.iArgs(), c.dArgs(), c.tArgs(), c.bArgs());
                List<LongShapeDescriptor> shapes = c.calculateOutputShape(oc);
                INDArray[] outs = new INDArray[outNames.size()];
                for (int i = 0; i < outs.length; i++) {
                    // the session uses the output variable's type where the shape function's differs
                    DataType type = sd.getVariable(outNames.get(i)).dataType();
                    // a shape-only op's arrays are written once: memory of their own, not another op's reused
                    outs[i] = shapeOnly[k] ? fresh(shapes.get(i), type)
                            : allocate(outNames.get(i), shapes.get(i), type);
                }
                results[k] = outs;
                rewritten[k] = rewrite(k, c, args, outs);
                oc.purge();
            }
            if (shapeOnly[k] && !first) {
                publish(k, outNames, false);   // the first run's outputs: the shapes have not changed
                return;
            }
            if (zeroGradient[k]) {
                long t1 = timer == null ? 0 : System.nanoTime();
                if (first) {
                    zeroFills[k] = Arrays.stream(results[k]).map(r -> DirectLegacy.fill(r, 0))
                            .toArray(Runnable[]::new);
                }
                for (Runnable fill : zeroFills[k]) {
                    fill.run();
                }
                record(timer, t0, t1, "zero ", c.opName(), null);
                publish(k, outNames, first);
                return;
            }
            if (rewritten[k] != null) {
                long t1 = timer == null ? 0 : System.nanoTime();
                rewritten[k].body().accept(args, results[k]);
                record(timer, t0, t1, rewritten[k].label(), c.opName(), args);
                publish(k, outNames, first);
                return;
            }
            boolean set = contextToSet(k, args, first);
            if (set) {
                oc.purge();
                if (first) {
                    oc.setArgs(args, c.iArgs(), c.dArgs(), c.tArgs(), c.bArgs());
                } else {
                    // a purge clears the context's arrays, not its integer, float and boolean arguments: setting them
                    // again would allocate their native lists at every run (OpPlanTest.argumentsSurviveAPurge)
                    oc.setInputArrays(args);
                }
                oc.setOutputArrays(results[k]);
                contextInputs[k] = args;
            }
            long t1 = timer == null ? 0 : System.nanoTime();
            if (directOps[k] != null) {
                directOps[k].run(oc);
            } else {
                Nd4j.exec((CustomOp) c, oc);
                if (first && rewrites) {
                    // the first run through ND4J's executioner (which checks the types), the next ones directly
                    directOps[k] = DirectCustomOp.of(c);
                }
            }
            record(timer, t0, t1, "", df.opName(), args);
        } else {
            BaseOp o = (BaseOp) df;
            if (!first && rewritten[k] != null) {
                long t1 = timer == null ? 0 : System.nanoTime();
                rewritten[k].body().accept(args, results[k]);
                record(timer, t0, t1, rewritten[k].label(), df.opName(), args);
                publish(k, outNames, false);
                return;
            }
            boolean set = contextToSet(k, args, first);
            if (set) {
                oc.purge();
                oc.setInputArray(0, args[0]);
                if (args.length == 2) {
                    oc.setInputArray(1, args[1]);
                }
                contextInputs[k] = args;
            }
            if (first) {
                LongShapeDescriptor shape = o.calculateOutputShape(oc).get(0);
                results[k] = new INDArray[]{allocate(outNames.get(0), shape, shape.dataType())};
            }
            if (set) {
                oc.setOutputArray(0, results[k][0]);
            }
            long t1 = timer == null ? 0 : System.nanoTime();
            Nd4j.exec((Op) o, oc);
            record(timer, t0, t1, "", df.opName(), args);
            if (first && rewrites) {
                // the first run through ND4J's executioner (which checks the types), the next ones directly, or in
                // Java where that gives the same values (compared with this run's)
                VectorExp v = args.length == 1 ? VectorExp.of(o, args[0], results[k][0]) : null;
                DirectLegacy d = v == null ? DirectLegacy.of(o, args, results[k][0]) : null;
                rewritten[k] = v != null ? new Rewrite(VECTOR_EXP, (a, r) -> v.run(a[0], r[0]))
                        : d == null ? null : new Rewrite(DIRECT_LEGACY, (a, r) -> d.run(a[0], r[0]));
            }
        }
        publish(k, outNames, first);
    }

    /**
     * Whether op k's context must be given its arrays: at the first run, and where an input is another array than the
     * context holds. An op context keeps its arrays from one run to the next where they are the same arrays (the
     * plan's own and the parameters); setting them costs more than many of the ops (JavaCPP pointers for every
     * argument list). Where an input is another array (a placeholder's, each minibatch), the context is purged and set
     * again: libnd4j keeps every array handed to a context until it is purged. Asked only by ops that run on their
     * context (not by those run another way, {@link #rewritten}).
     */
    private boolean contextToSet(int k, INDArray[] args, boolean first) {
        return first || !sameArrays(args, contextInputs[k]);
    }

    /**
     * The faster equivalent of custom op k (whose first-run inputs and outputs are given), or null where it runs as it
     * is: a broadcast gradient, a sigmoid's gradient from its forward output, a reduction's gradient, copies between
     * views, copies of a placeholder's runs, a direct pairwise transform, a direct broadcast or a direct product, in
     * that order of preference. Not for shape-only ops or gradients that are zero by construction (handled before).
     */
    private Rewrite rewrite(int k, DynamicCustomOp c, INDArray[] args, INDArray[] outs) {
        if (!rewrites || shapeOnly[k] || zeroGradient[k]) {
            return null;
        }
        if (args.length == 3 && outs.length == 2) {
            BroadcastGradient g = BroadcastGradient.of(c.opName(), args[0], args[1], args[2]);
            if (g != null) {
                return new Rewrite("broadcast ", (a, o) -> g.run(a[0], a[1], a[2], o[0], o[1]));
            }
        }
        if (sigmoidOutput[k] != null) {
            int forward = sigmoidSlots[k];
            SigmoidGradient g = SigmoidGradient.of(values[forward], args[1], outs[0]);
            if (g != null) {
                return new Rewrite("from forward ", (a, o) -> g.run(values[forward], a[1], o[0]));
            }
        }
        ReductionGradient spread = ReductionGradient.of(c, args, outs);
        if (spread != null) {
            return new Rewrite(SPREAD, spread::run);
        }
        boolean[] placeholders = placeholderInputs(k);
        ViewCopy copies = ViewCopy.of(c, args, outs, placeholders);
        if (copies != null) {
            return new Rewrite(COPIES, copies::run);
        }
        StridedCopy runs = StridedCopy.of(c, args, outs, placeholders);
        if (runs != null) {
            return new Rewrite(RUN_COPIES, runs::run);
        }
        DirectPairwise d = DirectPairwise.of(c, args, outs);
        if (d != null) {
            return new Rewrite("direct ", d::run);
        }
        DirectBroadcast b = DirectBroadcast.of(c, args, outs);
        if (b != null) {
            return new Rewrite(DIRECT_BROADCAST, (a, o) -> b.run(a[0], a[1], o[0]));
        }
        DirectGemm p = DirectGemm.of(c, args, outs);
        return p == null ? null : new Rewrite("blas ", p::run);
    }

    /**
     * View reshape k's output for input {@code in}: a view where {@code in} is contiguous in 'c' order, else a copy in
     * that order (what libnd4j's reshape writes).
     */
    private INDArray view(int k, INDArray in) {
        if (in == viewSources[k]) {
            return views[k];
        }
        boolean contiguous = in.ordering() == 'c' && !in.isEmpty()
                && Arrays.equals(in.stride(), Nd4j.getStrides(in.shape(), 'c'));
        INDArray v = contiguous ? in.reshape('c', viewShapes[k]) : null;
        if (v != null && v.data().address() == in.data().address() && v.offset() == in.offset()) {
            viewSources[k] = in;    // a view: the same input array gives the same view at the next run
            views[k] = v;
            return v;
        }
        // not viewable: a fresh copy at every run (a copy kept would not see the input's next values)
        viewSources[k] = null;
        views[k] = null;
        return in.dup('c').reshape('c', viewShapes[k]);
    }

    /** Makes op k's results the values of its output variables. */
    private void publish(int k, List<String> outNames, boolean first) {
        int[] out = outSlots[k];
        for (int i = 0; i < out.length; i++) {
            values[out[i]] = results[k][i];
            if (first) {
                allocated.put(outNames.get(i), results[k][i]);
            }
        }
    }

    /**
     * An output array for the first run: the caller's array for an output variable ({@link #writeOutputsInto}) where
     * it has the shape, type and 'c' layout of the op's output; else a free array of the same type and length that
     * no later op reads, viewed in the shape, or a new one. The session frees arrays at their last use; without reuse
     * a plan would hold every intermediate of the graph at once (a third more memory at the paper's sizes).
     */
    private INDArray allocate(String variable, LongShapeDescriptor shape, DataType type) {
        String o = owner(variable);
        if (accumulationOwners.contains(o)) {
            // a sum of a weight's gradients: its inputs' and its own array, made for the first of them
            INDArray held = accumulatorArrays.get(o);
            if (held == null) {
                held = ownArray(o, shape, type);
                accumulatorArrays.put(o, held);
            } else if (!Arrays.equals(held.shape(), shape.getShape()) || held.dataType() != type) {
                throw new IllegalStateException("OpPlan: gradient '" + variable + "' of shape "
                        + Arrays.toString(shape.getShape()) + " summed into '" + o + "' of shape "
                        + Arrays.toString(held.shape()));
            }
            return held;
        }
        return ownArray(variable, shape, type);
    }

    /** {@link #allocate(String, LongShapeDescriptor, DataType)} for a variable that owns its array. */
    private INDArray ownArray(String variable, LongShapeDescriptor shape, DataType type) {
        INDArray target = targets.get(variable);
        if (target != null && target.dataType() == type && Arrays.equals(target.shape(), shape.getShape())
                && contiguousC(target)) {
            return target;
        }
        return allocate(shape, type);
    }

    /** Whether the array's elements lie in 'c' order without gaps (the strides of axes of length 1 do not matter). */
    static boolean contiguousC(INDArray a) {
        long expected = 1;
        long[] shape = a.shape();
        long[] stride = a.stride();
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] > 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** A new array of the shape (in the given type), not from the free arrays. */
    private static INDArray fresh(LongShapeDescriptor shape, DataType type) {
        LongShapeDescriptor s = shape.dataType() == type ? shape : shape.asDataType(type);
        return s.isEmpty() ? Nd4j.empty(type) : Nd4j.createUninitialized(type, s.getShape(), s.getOrder());
    }

    /** A new or reused array for the first run (see {@link #allocate(String, LongShapeDescriptor, DataType)}). */
    private INDArray allocate(LongShapeDescriptor shape, DataType type) {
        LongShapeDescriptor s = shape.dataType() == type ? shape : shape.asDataType(type);
        long length = Shape.lengthOf(s.getShape());
        if (!s.isEmpty() && s.getOrder() == 'c' && length > 0) {
            ArrayDeque<INDArray> q = free.get(poolKey(type, length));
            if (q != null && !q.isEmpty()) {
                return q.pop().reshape('c', s.getShape());
            }
        }
        return fresh(s, type);
    }

    /**
     * Before sum k of the first run, where the sum's other input will be complete before its product runs (a weight
     * gradient computed before it, or an earlier sum that its own product completes before it): that product
     * ({@code matmul_bp}, whose inputs are kept until now) with {@code beta} 1 into a copy of the sum's array as it is
     * now (the other input), for {@link #checkAccumulation} to compare with the sum.
     */
    private void probeAccumulation(int k) {
        int late = accumulatedBy[k];
        int from = sumInputFrom[k];
        int ready = accumulatedBy[from] >= 0 && accumulatedAway[from] ? accumulatedBy[from] : from;
        if (ready >= late || zeroGradient[late] || !(ops.get(late).getOp() instanceof DynamicCustomOp c)) {
            return;
        }
        INDArray[] args = new INDArray[inSlots[late].length];
        for (int i = 0; i < args.length; i++) {
            args[i] = values[inSlots[late][i]];
        }
        INDArray sum = accumulatorArrays.get(owner(ops.get(k).getOutputsOfOp().get(0)));
        INDArray[] outs = results[late];
        DirectGemm call = sum == null || outs == null ? null
                : DirectGemm.accumulating(c, args, new INDArray[]{outs[0], sum});
        if (call == null) {
            return;
        }
        INDArray copy = sum.dup();
        call.run(args, new INDArray[]{outs[0].ulike(), copy});   // bound to these arrays once, to the run's after
        accumulationProbes[late] = copy;
        accumulatorCandidates[late] = call;
    }

    /**
     * After sum k of the first run (added in place): whether its product's accumulation, probed before it, gave the
     * same bits; if so, from the next run on that product accumulates and the sum is skipped.
     */
    private void checkAccumulation(int k) {
        int late = accumulatedBy[k];
        INDArray probe = accumulationProbes[late];
        accumulationProbes[late] = null;
        if (probe != null && HostMemory.sameBits(results[k][0], probe)) {
            accumulators[late] = accumulatorCandidates[late];
            accumulatorOutputs[late] = new INDArray[]{results[late][0], results[k][0]};
            accumulatedAway[k] = true;
        }
    }

    /** The sums of a weight's gradients that its products compute (from the second run on; 0 before it). */
    int accumulatedSums() {
        int n = 0;
        for (boolean away : accumulatedAway) {
            n += away ? 1 : 0;
        }
        return n;
    }

    /** After op k of the first run: the arrays it made that nothing reads, and those it read last, become free. */
    private void release(int k) {
        SameDiffOp op = ops.get(k);
        List<String> names = new ArrayList<>(op.getOutputsOfOp());
        if (op.getInputsToOp() != null) {
            names.addAll(op.getInputsToOp());
        }
        Set<String> done = new HashSet<>();
        for (String name : names) {
            String o = owner(name);
            INDArray a = allocated.get(o);
            if (a == null || !done.add(o) || lastRead.getOrDefault(o, -1) > k || a.ordering() != 'c' || a.isEmpty()) {
                continue;
            }
            INDArray flat = a.reshape('c', new long[]{a.length()});
            free.computeIfAbsent(poolKey(a.dataType(), a.length()), t -> new ArrayDeque<>()).push(flat);
        }
    }

    /** Arrays of the same type and length can hold each other's values (viewed in another shape). */
    private static String poolKey(DataType type, long length) {
        return type + ":" + length;
    }

    /**
     * The op outputs of a run that has happened, and how many distinct memory blocks hold them (fewer: arrays reused
     * after their last read).
     */
    long[] outputsAndBlocks() {
        long outs = 0;
        Set<Long> blocks = new HashSet<>();
        for (INDArray[] r : results) {
            if (r != null) {
                for (INDArray a : r) {
                    outs++;
                    if (!a.isEmpty()) {
                        blocks.add(a.data().address());
                    }
                }
            }
        }
        return new long[]{outs, blocks.size()};
    }

    /**
     * Whether the two lists hold the same array objects (not equal values: the same memory), null for null; two null
     * lists are the same.
     */
    static boolean sameArrays(INDArray[] a, INDArray[] b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Adds an op's times to the recording, if one is on: the context set-up from {@code t0} to {@code t1}, the op from
     * {@code t1} to now, under {@code prefix + name} and, where the recording is by shapes and {@code args} are given,
     * the input shapes (the key is built only while a recording is on).
     */
    private static void record(OpTimes timer, long t0, long t1, String prefix, String name, INDArray[] args) {
        if (timer == null) {
            return;
        }
        long now = System.nanoTime();
        timer.add(OpTimes.CONTEXT, t1 - t0);
        timer.add(prefix + name + (timer.withShapes() && args != null ? shapes(args) : ""), now - t1);
    }

    private static String shapes(INDArray[] args) {
        StringBuilder sb = new StringBuilder();
        for (INDArray a : args) {
            sb.append(' ').append(Arrays.toString(a.shape()).replace(" ", ""));
        }
        return sb.toString();
    }

    /**
     * After the first run: each fused group whose loop covers the arrays that run used runs as its loop from now on;
     * its other ops are not run.
     */
    private void activateFusions() {
        INDArray[][] ins = new INDArray[ops.size()][];
        INDArray[][] outs = new INDArray[ops.size()][];
        OpGroup[] activeGroupOf = new OpGroup[ops.size()];
        for (int k = 0; k < ops.size(); k++) {
            OpGroup g = fusedAt[k];
            if (g == null) {
                continue;
            }
            INDArray[] in = new INDArray[g.inputs.length];
            for (int i = 0; i < in.length; i++) {
                in[i] = values[inSlots[g.inputs[i].op()][g.inputs[i].index()]];
            }
            INDArray[] out = new INDArray[g.outputs.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = results[g.outputs[i].op()] == null ? null : results[g.outputs[i].op()][g.outputs[i].index()];
            }
            if (Arrays.asList(in).contains(null) || Arrays.asList(out).contains(null) || !g.covers(in, out)) {
                continue;
            }
            ins[k] = in;
            outs[k] = out;
            for (int m : g.members) {
                activeGroupOf[m] = g;
            }
        }
        // a loop input that an active group's loop computes is read from that loop's Java array
        Map<String, OpGroup.Arg> producers = new HashMap<>();
        for (int k = 0; k < ops.size(); k++) {
            List<String> outNames = ops.get(k).getOutputsOfOp();
            for (int i = 0; i < outNames.size(); i++) {
                producers.put(outNames.get(i), new OpGroup.Arg(k, i));
            }
        }
        Map<OpGroup.Arg, OpGroup.Arg> linkedTo = new HashMap<>();   // consumer input -> producer output
        for (int k = 0; k < ops.size(); k++) {
            if (ins[k] == null) {
                continue;
            }
            for (OpGroup.Arg input : fusedAt[k].inputs) {
                OpGroup.Arg p = producers.get(owner(ops.get(input.op()).getInputsToOp().get(input.index())));
                OpGroup h = p == null ? null : activeGroupOf[p.op()];
                if (h != null && h != fusedAt[k] && h.javaValues() && fusedAt[k].readsJavaValues()
                        && Arrays.asList(h.outputs).contains(p)) {
                    linkedTo.put(input, p);
                }
            }
        }
        Map<OpGroup.Arg, OpGroup.Loop> loopOf = new HashMap<>();
        for (int k = 0; k < ops.size(); k++) {
            if (ins[k] == null) {
                continue;
            }
            OpGroup g = fusedAt[k];
            // an output is written where the caller reads it, an op that runs, or a loop not linked to this one
            boolean[] write = new boolean[g.outputs.length];
            for (int i = 0; i < write.length; i++) {
                write[i] = fusedReturned[k][i];
                for (OpGroup.Arg reader : fusedReaders[k][i]) {
                    OpGroup other = activeGroupOf[reader.op()];
                    write[i] |= other == null
                            || Arrays.asList(other.inputs).contains(reader) && !linkedTo.containsKey(reader);
                }
            }
            float[][] linked = new float[g.inputs.length][];
            for (int i = 0; i < linked.length; i++) {
                OpGroup.Arg p = linkedTo.get(g.inputs[i]);
                if (p != null) {
                    OpGroup h = activeGroupOf[p.op()];
                    linked[i] = loopOf.get(p).values(Arrays.asList(h.outputs).indexOf(p));
                }
            }
            linkedInputs += (int) Arrays.stream(linked).filter(java.util.Objects::nonNull).count();
            OpGroup.Loop loop = g.bind(ins[k], outs[k], write, linked);
            fusedLoops[k] = loop;
            fusedInputs[k] = new INDArray[g.inputs.length];
            for (OpGroup.Arg o : g.outputs) {
                loopOf.put(o, loop);
            }
            for (int m : g.members) {
                fusedAway[m] = m != k;
            }
        }
    }

    /** The number of loop inputs read from another loop's Java array (set after the first run). */
    int linkedInputs() {
        return linkedInputs;
    }

    /** The number of {@code exp} and {@code sigmoid} ops computed in Java ({@link VectorExp}; after the first run). */
    int vectorExpOps() {
        return rewritten == null ? 0
                : (int) Arrays.stream(rewritten).filter(r -> r != null && VECTOR_EXP.equals(r.label())).count();
    }

    /** The number of groups of ops run as one loop each ({@link OpGroup}; active after the first run). */
    int fusedGroups() {
        return (int) Arrays.stream(fusedLoops).filter(java.util.Objects::nonNull).count();
    }

    /** The number of ops whose outputs depend on shapes only, which the plan runs at its first run only. */
    int shapeOnlyOps() {
        int n = 0;
        for (boolean b : shapeOnly) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /** The number of ops run as a {@link DirectPairwise} (chosen at the first run; 0 before it). */
    int directPairwiseOps() {
        return rewrittenAs("direct ");
    }

    /**
     * The number of broadcast elementwise ops run as a {@link DirectBroadcast} (chosen at the first run; 0 before
     * it).
     */
    int directBroadcastOps() {
        return rewrittenAs(DIRECT_BROADCAST);
    }

    /** The number of legacy ops run as a {@link DirectLegacy} (chosen at the first run; 0 before it). */
    int directLegacyOps() {
        return rewrittenAs(DIRECT_LEGACY);
    }

    /**
     * The number of reductions' gradients run as a {@link ReductionGradient} (chosen at the first run; 0 before
     * it).
     */
    int reductionGradients() {
        return rewrittenAs(SPREAD);
    }

    /** The number of ops that move elements run as a {@link ViewCopy} (chosen at the first run; 0 before it). */
    int viewCopies() {
        return rewrittenAs(COPIES);
    }

    /** The number of ops that move a placeholder's elements run as a {@link StridedCopy} (0 before the first run). */
    int runCopies() {
        return rewrittenAs(RUN_COPIES);
    }

    /** The number of custom ops run as a {@link DirectCustomOp} after their first run (0 before it). */
    int directCustomOps() {
        return directOps == null ? 0 : (int) Arrays.stream(directOps).filter(java.util.Objects::nonNull).count();
    }

    /** The number of products run as a {@link DirectGemm} (chosen at the first run; 0 before it). */
    int directGemmOps() {
        return rewrittenAs("blas ");
    }

    /** The number of gradient ops replaced by a {@link BroadcastGradient} (chosen at the first run; 0 before it). */
    int broadcastGradients() {
        return rewrittenAs("broadcast ");
    }

    private int rewrittenAs(String label) {
        return rewritten == null ? 0
                : (int) Arrays.stream(rewritten).filter(r -> r != null && r.label().equals(label)).count();
    }

    /** The number of {@code sigmoid_bp} ops computed from their sigmoid's forward output ({@link SigmoidGradient}). */
    int sigmoidGradientsFromForward() {
        return (int) Arrays.stream(sigmoidOutput).filter(java.util.Objects::nonNull).count();
    }

    /** The number of gradient ops whose outputs are zero by construction: the plan writes zeros instead. */
    int zeroGradientOps() {
        int n = 0;
        for (boolean z : zeroGradient) {
            n += z ? 1 : 0;
        }
        return n;
    }

    /** The number of ops a run executes. */
    public int size() {
        return ops.size();
    }

    /** The shape of each array, by name (null for a missing array). */
    private static Map<String, long[]> shapesOf(Map<String, INDArray> arrays) {
        Map<String, long[]> s = new HashMap<>();
        arrays.forEach((k, v) -> s.put(k, v == null ? null : v.shape().clone()));
        return s;
    }

    private static String format(Map<String, long[]> shapes) {
        Map<String, String> s = new TreeMap<>();
        shapes.forEach((k, v) -> s.put(k, Arrays.toString(v)));
        return s.toString();
    }
}
