package org.dl4jpgm.examples.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;
import org.dl4jpgm.examples.cli.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Where the time of a training step goes, from a Java Flight Recorder recording of {@link FusionStepBenchmark}: every
 * execution sample (thread in Java code) and native-method sample (thread in native code) whose stack holds
 * {@code ComputationGraph.fit} is put in one category, weighted by its event's sampling period, and the categories are
 * printed as a Markdown table of shares.
 *
 * <p>Categories, by the stack of the sample (first match wins):
 * <ol>
 *   <li>op compute: the thread is in a libnd4j kernel ({@code Nd4jCpu.exec*}), inside a SameDiff graph
 *   ({@link Category#OP_COMPUTE}) or outside ({@link Category#OP_COMPUTE_DL4J}: DL4J's own layers, the updater);</li>
 *   <li>SameDiff interpretation, the stack holds {@code org.nd4j.autodiff} or an op plan ({@code impl/OpPlan}, which
 *   runs a layer's SameDiff ops without the session): {@link Category#SD_MEMORY_CHECK} (JavaCPP's
 *   check of the process's physical memory, which it runs at every native allocation while
 *   {@code org.bytedeco.javacpp.maxPhysicalBytes > 0}), {@link Category#SD_SHAPES} (shape functions:
 *   {@code calculateOutputShape*}, shape-info buffers), {@link Category#SD_MEMORY} (other allocation: JavaCPP pointers,
 *   data buffers, workspaces), {@link Category#SD_CONTEXT} (handing arrays to the native op context),
 *   {@link Category#SD_LISTENERS}, {@link Category#SD_SESSION} (the rest: the InferenceSession's Java bookkeeping, or
 *   the plan's);</li>
 *   <li>DL4J outside SameDiff: {@link Category#DL4J_MEMORY} (allocation, the memory check included), {@link Category#DL4J_GRAPH} (the rest:
 *   graph traversal, layer and updater Java code);</li>
 *   <li>{@link Category#OTHER}.</li>
 * </ol>
 * Samples see only threads in Java or in native code called from Java; time in the JVM itself (GC pauses, safepoints)
 * is not sampled, so the shares are of the sampled time of the training thread.
 */
@Command(name = "FitProfile", separator = " ", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Splits the sampled time of ComputationGraph.fit in a JFR recording into op compute, SameDiff "
                + "interpretation and DL4J graph overhead; prints a Markdown table.", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR)
public final class FitProfile implements Callable<Integer> {

    /** Where a sample's time goes. */
    enum Category {
        OP_COMPUTE("op compute", "libnd4j kernels (Nd4jCpu.exec*) in the SameDiff graphs (PgmLayer, head)"),
        OP_COMPUTE_DL4J("op compute", "libnd4j kernels outside SameDiff (DL4J layers, updater)"),
        SD_MEMORY_CHECK("SameDiff interpretation", "JavaCPP's physical-memory check at every native allocation "
                + "(Pointer.physicalBytesInaccurate: shape infos, op arguments)"),
        SD_SHAPES("SameDiff interpretation", "shape functions (calculateOutputShape, shape-info buffers)"),
        SD_MEMORY("SameDiff interpretation", "other allocation (JavaCPP pointers, data buffers, workspaces)"),
        SD_CONTEXT("SameDiff interpretation", "op context set-up (arrays handed to libnd4j)"),
        SD_LISTENERS("SameDiff interpretation", "listeners"),
        SD_SESSION("SameDiff interpretation", "InferenceSession bookkeeping (Java: dependency tracking, maps, op "
                + "lookup), or an op plan's Java code where the layers run as op plans"),
        DL4J_MEMORY("DL4J graph overhead", "array allocation outside SameDiff"),
        DL4J_GRAPH("DL4J graph overhead", "graph traversal, layers', vertices' and updater's Java code"),
        OTHER("other", "anything else under fit");

        final String group;
        final String what;

        Category(String group, String what) {
            this.group = group;
            this.what = what;
        }
    }

    @Parameters(paramLabel = "RECORDING", description = "the .jfr file")
    private Path recording;
    @Option(names = "--root", paramLabel = "FRAME", description = "count samples whose stack holds this method "
            + "(default ${DEFAULT-VALUE})")
    private String root = "org.deeplearning4j.nn.graph.ComputationGraph.fit";
    @Option(names = "--step-ms", paramLabel = "MS", description = "ms per fit step measured in the same run; adds a "
            + "column of ms per step")
    private double stepMs;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    private FitProfile() {
    }

    public static void main(String[] args) {
        Cli.main(new FitProfile(), null, args);
    }

    @Override
    public Integer call() throws IOException {
        List<RecordedEvent> events = RecordingFile.readAllEvents(recording);
        Map<Long, Duration> periods = samplingPeriods(events);
        Map<Category, Double> ms = new EnumMap<>(Category.class);
        int samples = 0;
        for (RecordedEvent e : events) {
            String type = e.getEventType().getName();
            if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || !holds(st.getFrames(), root)) {
                continue;
            }
            Duration period = periods.get(e.getEventType().getId());
            if (period == null) {
                throw new IllegalStateException("FitProfile: no sampling period recorded for " + type);
            }
            ms.merge(categorise(st.getFrames()), period.toNanos() / 1e6, Double::sum);
            samples++;
        }
        if (samples == 0) {
            throw new IllegalArgumentException("FitProfile: no sample under " + root + " in " + recording);
        }
        double total = ms.values().stream().mapToDouble(Double::doubleValue).sum();
        System.out.printf(Locale.ROOT, "%s: %d samples under %s, %.0f ms sampled (periods: %s)%n%n", recording, samples,
                root, total, periodsByName(events, periods));
        System.out.println(table(ms, total, stepMs));
        return 0;
    }

    /** The Markdown table: one row per category, then the three groups. */
    static String table(Map<Category, Double> ms, double total, double stepMs) {
        StringBuilder sb = new StringBuilder("| group | where | share |" + (stepMs > 0 ? " ms / step |" : "")
                + "\n|---|---|---|" + (stepMs > 0 ? "---|" : "") + "\n");
        Map<String, Double> groups = new java.util.LinkedHashMap<>();
        for (Category c : Category.values()) {
            double v = ms.getOrDefault(c, 0.0);
            groups.merge(c.group, v, Double::sum);
            sb.append(row(c.group, c.what, v / total, stepMs));
        }
        for (Map.Entry<String, Double> g : groups.entrySet()) {
            sb.append(row("**" + g.getKey() + "**", "all", g.getValue() / total, stepMs));
        }
        return sb.toString();
    }

    private static String row(String group, String what, double share, double stepMs) {
        return String.format(Locale.ROOT, "| %s | %s | %.1f %% |%s%n", group, what, 100 * share,
                stepMs > 0 ? String.format(Locale.ROOT, " %.1f |", share * stepMs) : "");
    }

    /** The category of a sample, from its frames (top first). */
    static Category categorise(List<RecordedFrame> frames) {
        String top = name(frames.get(0));
        // a layer's SameDiff graph runs in SameDiff's session or as an op plan (impl/OpPlan) of the same ops
        boolean sameDiff = holds(frames, "org.nd4j.autodiff.") || holds(frames, "org.dl4jpgm.impl.OpPlan.");
        if (top.startsWith("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.exec")) {
            return sameDiff ? Category.OP_COMPUTE : Category.OP_COMPUTE_DL4J;
        }
        boolean memory = holds(frames, "org.bytedeco.javacpp.Pointer.") || holds(frames, "org.nd4j.linalg.api.memory.")
                || holds(frames, "org.nd4j.linalg.api.buffer.") || holds(frames, "Nd4jCpu.dbCreate")
                || holds(frames, "Nd4jCpu.dbAllocate");
        if (!sameDiff) {
            if (memory) {
                return Category.DL4J_MEMORY;
            }
            return holds(frames, "org.deeplearning4j.") ? Category.DL4J_GRAPH : Category.OTHER;
        }
        if (top.startsWith("org.bytedeco.javacpp.Pointer.physicalBytes")) {
            return Category.SD_MEMORY_CHECK;
        }
        if (holds(frames, "calculateOutputShape") || top.startsWith("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.shape")
                || holds(frames, "org.nd4j.linalg.api.shape.")) {
            return Category.SD_SHAPES;
        }
        if (memory) {
            return Category.SD_MEMORY;
        }
        if (holds(frames, "org.nd4j.autodiff.listeners.") || holds(frames, "Listener.")) {
            return Category.SD_LISTENERS;
        }
        if (holds(frames, "Nd4jCpu.setGraphContext") || holds(frames, "Nd4jCpu.ctx")
                || holds(frames, "org.nd4j.linalg.cpu.nativecpu.ops.CpuOpContext.")) {
            return Category.SD_CONTEXT;
        }
        return Category.SD_SESSION;
    }

    private static boolean holds(List<RecordedFrame> frames, String part) {
        for (RecordedFrame f : frames) {
            if (name(f).contains(part)) {
                return true;
            }
        }
        return false;
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName().replace('/', '.') + "." + f.getMethod().getName();
    }

    /** Sampling period per event type id, from the recording's {@code jdk.ActiveSetting} events (the last one wins). */
    private static Map<Long, Duration> samplingPeriods(List<RecordedEvent> events) {
        Map<Long, Duration> periods = new HashMap<>();
        for (RecordedEvent e : events) {
            if (e.getEventType().getName().equals("jdk.ActiveSetting") && "period".equals(e.getString("name"))) {
                Duration d = parsePeriod(e.getString("value"));
                if (d != null) {
                    periods.put(e.getLong("id"), d);
                }
            }
        }
        return periods;
    }

    /** "10 ms", "20ms", "1 s"; null for "everyChunk" and the like. */
    static Duration parsePeriod(String value) {
        String v = value.trim().replace(" ", "");
        try {
            if (v.endsWith("ms")) {
                return Duration.ofNanos(Math.round(Double.parseDouble(v.substring(0, v.length() - 2)) * 1e6));
            }
            if (v.endsWith("us")) {
                return Duration.ofNanos(Math.round(Double.parseDouble(v.substring(0, v.length() - 2)) * 1e3));
            }
            if (v.endsWith("ns")) {
                return Duration.ofNanos(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofNanos(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1e9));
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }

    private static String periodsByName(List<RecordedEvent> events, Map<Long, Duration> periods) {
        Map<String, String> byName = new java.util.TreeMap<>();
        for (RecordedEvent e : events) {
            String n = e.getEventType().getName();
            if ((n.equals("jdk.ExecutionSample") || n.equals("jdk.NativeMethodSample")) && !byName.containsKey(n)) {
                byName.put(n, periods.get(e.getEventType().getId()) + "");
            }
        }
        return byName.toString();
    }
}
