package org.dl4jpgm.impl;

import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@link OpPlan}s of one computation of a graph (its forward pass, or its gradient), one per shape of the
 * placeholders: a training loop's full minibatches and its last, smaller one each get theirs. At most
 * {@value #MAX_PLANS} are kept, the least recently used dropped first.
 */
final class OpPlans {

    /** System property that switches plans off ({@code false}): every layer then runs SameDiff's session. */
    static final String PROPERTY = "org.dl4jpgm.opPlans";
    static final int MAX_PLANS = 4;

    private final SameDiff sd;
    private final List<String> outputs;
    /** The placeholder a plan's second part reads, and the variable its first part returns (null: no parts). */
    private final String deferred;
    private final String early;
    /** The plan whose first part has run and whose second part is awaited (null: none). */
    private OpPlan pending;
    /** The copies of {@link #copyToViews}, bound to the views and the plan's arrays of its last call. */
    private final BoundOps viewCopies = new BoundOps();
    /** Arrays each new plan is asked to write output variables into ({@link OpPlan#writeOutputsInto}). */
    private final Map<String, INDArray> targets;
    /** Whether the graph has ops a plan cannot run. */
    private boolean refused;
    private final Map<String, OpPlan> plans = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, OpPlan> eldest) {
            return size() > MAX_PLANS;
        }
    };

    OpPlans(SameDiff sd, List<String> outputs) {
        this(sd, outputs, null, null, Map.of());
    }

    /**
     * Plans that can also run in two parts ({@link OpPlan#of(SameDiff, List, String, String)}): the ops that do not
     * read placeholder {@code deferred}, which compute {@code early}, then the rest; each writes output variables into
     * {@code targets} where they fit ({@link OpPlan#writeOutputsInto}).
     */
    private OpPlans(SameDiff sd, List<String> outputs, String deferred, String early, Map<String, INDArray> targets) {
        this.sd = sd;
        this.outputs = List.copyOf(outputs);
        this.deferred = deferred;
        this.early = early;
        this.targets = Map.copyOf(targets);
    }

    /** Whether layers run their graphs as op plans (default true; {@code -Dorg.dl4jpgm.opPlans=false}: no). */
    static boolean enabled() {
        return FastPathSwitch.on(PROPERTY);
    }

    /**
     * Whether a runtime runs {@code sd} as plans: when they are {@link #enabled()} and no listeners are set on it
     * (SameDiff's session alone calls them).
     */
    static boolean runFor(SameDiff sd) {
        return enabled() && (sd.getListeners() == null || sd.getListeners().isEmpty());
    }

    /**
     * The names of the gradient variables of {@code variables} in {@code sd}, by variable, in their order; null when
     * one has none (the output does not depend on it), where a runtime leaves the gradient to SameDiff's session.
     */
    static Map<String, String> gradientNames(SameDiff sd, Collection<String> variables) {
        Map<String, String> names = parameterGradientNames(sd, variables);
        return names.containsValue(null) ? null : names;
    }

    /**
     * The gradient variable's name of each parameter in {@code sd}, in their order, null for a parameter the output
     * does not reach (SameDiff makes no gradient variable for it; its gradient is zero).
     */
    static Map<String, String> parameterGradientNames(SameDiff sd, Collection<String> parameters) {
        Map<String, String> names = new LinkedHashMap<>();
        for (String p : parameters) {
            SDVariable g = sd.getVariable(p).getGradient();
            names.put(p, g == null ? null : g.name());
        }
        return names;
    }

    /**
     * The plans of a runtime's gradient: the gradient function's outputs for the inputs and for every parameter that
     * has a gradient variable, in two parts (the forward part computes {@code output}, the rest reads
     * {@code errorPlaceholder}), the parameters' gradients written into DL4J's views where they fit.
     *
     * @param sd               the runtime's graph, its gradient function built
     * @param inputGradients   the inputs' gradient variables
     * @param paramGradients   each parameter's gradient variable, null for none ({@link #parameterGradientNames})
     * @param errorPlaceholder the external errors' placeholder
     * @param output           the graph's output variable
     * @param views            DL4J's gradient view of each parameter (null before DL4J has made them)
     */
    static OpPlans forGradient(SameDiff sd, List<String> inputGradients, Map<String, String> paramGradients,
                               String errorPlaceholder, String output, Map<String, INDArray> views) {
        List<String> outputs = new ArrayList<>(inputGradients);
        for (String g : paramGradients.values()) {
            if (g != null) {
                outputs.add(g);
            }
        }
        return new OpPlans(sd.getFunction("grad"), outputs, errorPlaceholder, output,
                viewsByGradient(paramGradients, views));
    }

    /** The parameter table without the parameters that have no gradient variable, in its order. */
    static Map<String, INDArray> reached(Map<String, INDArray> table, Map<String, String> gradientNames) {
        Map<String, INDArray> reached = new LinkedHashMap<>(table);
        gradientNames.forEach((p, g) -> {
            if (g == null) {
                reached.remove(p);
            }
        });
        return reached;
    }

    /**
     * DL4J's gradient of every parameter, in order: its view as the stock backward pass left it, zeros written into
     * the views of parameters without a gradient variable (which the stock backward pass was not given).
     */
    static Gradient withZerosForUnreached(Map<String, String> gradientNames, Map<String, INDArray> views) {
        Gradient g = new DefaultGradient();
        gradientNames.forEach((p, grad) -> {
            INDArray view = views.get(p);
            if (grad == null) {
                view.assign(0);
            }
            g.gradientForVariable().put(p, view);
        });
        return g;
    }

    /**
     * DL4J's gradient view of each parameter by the name of its gradient variable: the arrays a gradient plan can
     * write the parameters' gradients into ({@link OpPlan#writeOutputsInto}); empty before DL4J has made its views.
     */
    private static Map<String, INDArray> viewsByGradient(Map<String, String> gradientNames, Map<String, INDArray> views) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        if (views != null) {
            gradientNames.forEach((p, grad) -> {
                if (grad != null && views.get(p) != null) {
                    m.put(grad, views.get(p));
                }
            });
        }
        return m;
    }

    /**
     * How many of the parameters' gradients are in DL4J's views without a copy: written there by the plan, or zeros
     * written there for a parameter the output does not reach.
     */
    static int inPlace(Map<String, String> gradientNames, Map<String, INDArray> views, Map<String, INDArray> computed) {
        int n = 0;
        for (Map.Entry<String, String> e : gradientNames.entrySet()) {
            n += e.getValue() == null || computed.get(e.getValue()) == views.get(e.getKey()) ? 1 : 0;
        }
        return n;
    }

    /**
     * The parameters' gradients that a gradient plan computed ({@code computed}, by gradient variable name), copied
     * into DL4J's gradient views, as the stock runtimes do (unless the plan wrote them there,
     * {@link OpPlan#writeOutputsInto}); zeros for a parameter without a gradient variable. The copies and zeros are
     * the ops {@code assign} runs, as direct calls ({@link DirectLegacy#copy}, {@link DirectLegacy#fill}).
     *
     * @param gradientNames the gradient variable of each parameter ({@link #gradientNames})
     * @param views         DL4J's gradient view of each parameter
     */
    Gradient copyToViews(Map<String, String> gradientNames, Map<String, INDArray> views,
                         Map<String, INDArray> computed) {
        // the views and the plan's arrays stay the same from one step to the next: the copies are bound once
        List<String> params = List.copyOf(gradientNames.keySet());
        INDArray[] arrays = new INDArray[2 * params.size()];
        for (int i = 0; i < params.size(); i++) {
            String grad = gradientNames.get(params.get(i));
            arrays[2 * i] = views.get(params.get(i));
            arrays[2 * i + 1] = grad == null ? null : computed.get(grad);
        }
        viewCopies.run(arrays, () -> {
            List<Runnable> steps = new ArrayList<>();
            for (int i = 0; i < arrays.length; i += 2) {
                INDArray view = arrays[i];
                INDArray c = arrays[i + 1];
                if (c == null) {
                    steps.add(DirectLegacy.fill(view, 0));
                } else if (c != view) {   // where the plan wrote into the view itself (writeOutputsInto), no copy
                    steps.add(DirectLegacy.copy(c, view));
                }
            }
            return steps;
        });
        Gradient g = new DefaultGradient();
        for (int i = 0; i < params.size(); i++) {
            g.gradientForVariable().put(params.get(i), arrays[2 * i]);
        }
        return g;
    }

    /** The outputs by name (arrays of the plan, overwritten by its next run), or null: SameDiff's session must run. */
    Map<String, INDArray> run(Map<String, INDArray> placeholders) {
        cancel();
        OpPlan plan = planFor(placeholders);
        return plan == null ? null : plan.run(placeholders);
    }

    /**
     * The first part of a run ({@link OpPlan#runIndependent}) on {@code placeholders} (all but the deferred one): the
     * early variable's value (the plan's array), or null: SameDiff's session must run.
     */
    INDArray runIndependent(Map<String, INDArray> placeholders) {
        cancel();
        OpPlan plan = planFor(placeholders);
        if (plan == null) {
            return null;
        }
        INDArray v = plan.runIndependent(placeholders);
        pending = plan;
        return v;
    }

    /** The rest of the run whose first part is {@link #pending()}, with the deferred placeholder's value. */
    Map<String, INDArray> runDependent(INDArray value) {
        if (pending == null) {
            throw new IllegalStateException("OpPlans: no first part has run");
        }
        OpPlan plan = pending;
        pending = null;
        return plan.runDependent(value);
    }

    /** Whether the rest of the run whose first part is {@link #pending()} reads the array that part returned. */
    boolean pendingReadsEarly() {
        return pending == null || pending.earlyReadLater();
    }

    /** Whether a first part has run and its rest is awaited. */
    boolean pending() {
        return pending != null;
    }

    /** Drops the values of a first part whose rest will not run. */
    void cancel() {
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
    }

    /** The plan for these placeholders' shapes (made at the first call), or null if the graph cannot run as plans. */
    private OpPlan planFor(Map<String, INDArray> placeholders) {
        if (refused) {
            return null;
        }
        String key = key(placeholders);
        OpPlan plan = plans.get(key);
        if (plan == null) {
            plan = OpPlan.of(sd, outputs, deferred, early);
            if (plan == null) {
                refused = true;
                return null;
            }
            plan.writeOutputsInto(targets);
            plans.put(key, plan);
        }
        return plan;
    }

    /** How many plans are held (one per placeholder shapes seen, at most {@value #MAX_PLANS}). */
    int size() {
        return plans.size();
    }

    /** The groups of ops the plans held run as one loop each ({@link OpGroup}), summed over the plans. */
    int fusedGroups() {
        return plans.values().stream().mapToInt(OpPlan::fusedGroups).sum();
    }

    /** The sums of a weight's gradients that the plans' products compute ({@link GradientAccumulation}). */
    int accumulatedSums() {
        return plans.values().stream().mapToInt(OpPlan::accumulatedSums).sum();
    }

    /** Whether the graph has an op a plan cannot run (SameDiff's session runs it). */
    boolean refused() {
        return refused;
    }

    /** The placeholders' names, shapes and types but the deferred one's (its shape follows from the others'). */
    private String key(Map<String, INDArray> placeholders) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(placeholders).forEach((k, v) -> {
            if (!k.equals(deferred)) {
                sb.append(k).append(Arrays.toString(v.shape())).append(v.dataType()).append(';');
            }
        });
        return sb.toString();
    }
}
