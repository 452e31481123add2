package org.dl4jpgm.impl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Wall-clock time of every op an {@link OpPlan} executes, summed per op name, while a recording is on: where the op
 * compute of a step goes (a profiler's native samples cannot tell one libnd4j kernel from another). One recording at a
 * time, process-wide; timing costs two {@code System.nanoTime} calls per op, and nothing while no recording is on.
 *
 * <pre>{@code
 * OpTimes t = OpTimes.start();
 * graph.fit(batch);          // the plans' ops are timed
 * OpTimes.stop();
 * t.byTotal().forEach(System.out::println);
 * }</pre>
 */
public final class OpTimes {

    /** The name under which the set-up of each op's context (its arrays and arguments handed to libnd4j) is summed. */
    public static final String CONTEXT = "(op context set-up)";

    /** The recording in progress, or null. */
    private static volatile OpTimes recording;

    private final Map<String, long[]> byOp = new HashMap<>();
    private final boolean withShapes;

    private OpTimes(boolean withShapes) {
        this.withShapes = withShapes;
    }

    /** Starts a new recording by op name (ending any other) and returns it. */
    public static OpTimes start() {
        return start(false);
    }

    /**
     * Starts a new recording (ending any other) and returns it.
     *
     * @param withShapes whether to sum per op name and shapes of the inputs ({@code multiply [128,1,32] [128,1,1]})
     *                   instead of per op name
     */
    public static OpTimes start(boolean withShapes) {
        OpTimes t = new OpTimes(withShapes);
        recording = t;
        return t;
    }

    /** Whether the op's input shapes are part of the key. */
    boolean withShapes() {
        return withShapes;
    }

    /** Ends the recording in progress, if any. */
    public static void stop() {
        recording = null;
    }

    /** The recording in progress, or null: what {@link OpPlan} checks before each op. */
    static OpTimes current() {
        return recording;
    }

    synchronized void add(String opName, long nanos) {
        long[] s = byOp.computeIfAbsent(opName, k -> new long[2]);
        s[0]++;
        s[1] += nanos;
    }

    /**
     * One op name's total.
     *
     * @param op    the op's name ({@code matmul}, {@code matmul_bp}, {@code add}, ...)
     * @param calls how many times it ran
     * @param nanos wall-clock nanoseconds of those calls ({@code Nd4j.exec}, or what a plan runs instead; for
     *              {@link #CONTEXT}: setting the contexts' arrays and arguments)
     */
    public record Entry(String op, long calls, long nanos) {
    }

    /** Every op name recorded, the most time first. */
    public synchronized List<Entry> byTotal() {
        List<Entry> l = new ArrayList<>();
        byOp.forEach((k, v) -> l.add(new Entry(k, v[0], v[1])));
        l.sort(Comparator.comparingLong(Entry::nanos).reversed().thenComparing(Entry::op));
        return l;
    }

    /** Nanoseconds of every op recorded. */
    public synchronized long totalNanos() {
        return byOp.values().stream().mapToLong(v -> v[1]).sum();
    }

    /** Calls of every op recorded. */
    public synchronized long totalCalls() {
        return byOp.values().stream().mapToLong(v -> v[0]).sum();
    }
}
