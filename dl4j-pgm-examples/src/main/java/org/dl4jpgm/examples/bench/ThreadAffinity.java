package org.dl4jpgm.examples.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Pins the calling thread, alone, to one CPU core (Linux: util-linux's {@code taskset} on the thread's id, read from
 * {@code /proc/thread-self}). With {@code OMP_NUM_THREADS=1} every op of a training step runs on the calling thread,
 * so this puts a step on a chosen core while the JVM's compiler and collector threads stay free to run on the others
 * (pinning the whole JVM to one core makes them share it). The comparison script runs PgM and its peer on the same
 * core this way: on a shared machine one core can run a sixth slower than another for minutes (docs/performance.md,
 * "The gemm share's reference as a median, and the cores' speeds").
 */
final class ThreadAffinity {

    private static final Path THREAD_SELF = Path.of("/proc/thread-self");

    private ThreadAffinity() {
    }

    /**
     * Pins the calling thread to {@code cpu} and checks that the kernel reports that core as its only one.
     *
     * @return the thread's id
     * @throws IllegalStateException naming the core and the thread where the system does not allow it
     */
    static long pinCurrentThread(int cpu) {
        long tid = currentThreadId();
        try {
            Process taskset = new ProcessBuilder("taskset", "-p", "-c", Integer.toString(cpu), Long.toString(tid))
                    .redirectErrorStream(true).start();
            String output = new String(taskset.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!taskset.waitFor(30, TimeUnit.SECONDS) || taskset.exitValue() != 0) {
                throw new IllegalStateException("pinning thread " + tid + " to CPU " + cpu + ": taskset failed: "
                        + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("pinning thread " + tid + " to CPU " + cpu + ": cannot run taskset "
                    + "(util-linux): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("pinning thread " + tid + " to CPU " + cpu + ": interrupted", e);
        }
        String allowed = allowedCpus();
        if (!allowed.equals(Integer.toString(cpu))) {
            throw new IllegalStateException("pinning thread " + tid + " to CPU " + cpu + ": " + THREAD_SELF
                    + "/status lists Cpus_allowed_list " + allowed);
        }
        return tid;
    }

    /** The kernel's id of the calling thread: the last element of {@code /proc/thread-self}'s target. */
    static long currentThreadId() {
        try {
            Path target = Files.readSymbolicLink(THREAD_SELF);
            return Long.parseLong(target.getFileName().toString());
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read the thread's id from " + THREAD_SELF
                    + " (Linux only): " + e.getMessage(), e);
        }
    }

    /** The calling thread's {@code Cpus_allowed_list}, as {@code /proc/thread-self/status} gives it. */
    static String allowedCpus() {
        Path status = THREAD_SELF.resolve("status");
        try {
            return Files.readAllLines(status).stream().filter(l -> l.startsWith("Cpus_allowed_list:"))
                    .map(l -> l.substring("Cpus_allowed_list:".length()).trim()).findFirst()
                    .orElseThrow(() -> new IllegalStateException(status + ": no Cpus_allowed_list line"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + status + ": " + e.getMessage(), e);
        }
    }
}
