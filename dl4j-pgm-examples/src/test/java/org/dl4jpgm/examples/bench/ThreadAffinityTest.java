package org.dl4jpgm.examples.bench;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link ThreadAffinity}: pins the calling thread alone, and says which core and thread when it cannot. */
class ThreadAffinityTest {

    @Test
    void pinsTheCallingThreadAndNoOther() throws InterruptedException {
        assumeLinuxWithTaskset();
        String before = ThreadAffinity.allowedCpus();
        int cpu = Integer.parseInt(before.split("[-,]")[0]);
        long[] ids = new long[2];
        Object seen = onOwnThread(() -> {
            ids[0] = ThreadAffinity.pinCurrentThread(cpu);
            ids[1] = ThreadAffinity.currentThreadId();
            return ThreadAffinity.allowedCpus();
        });
        assertEquals(Integer.toString(cpu), seen, "the pinned thread's Cpus_allowed_list");
        assertEquals(ids[0], ids[1]);
        assertNotEquals(ThreadAffinity.currentThreadId(), ids[0], "a thread of its own");
        assertEquals(before, ThreadAffinity.allowedCpus(), "the test's own thread is left as it was");
    }

    @Test
    void aCoreOutsideTheMachineIsAnErrorNamingCoreAndThread() throws InterruptedException {
        assumeLinuxWithTaskset();
        Object seen = onOwnThread(() -> ThreadAffinity.pinCurrentThread(4095));
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, seen);
        assertTrue(e.getMessage().matches("pinning thread \\d+ to CPU 4095: taskset failed: (?s).+"), e.getMessage());
    }

    /** What {@code work} returns, or the exception it throws, run on a new thread (pinning changes the thread). */
    private static Object onOwnThread(Supplier<Object> work) throws InterruptedException {
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                seen.set(work.get());
            } catch (RuntimeException e) {
                seen.set(e);
            }
        });
        thread.start();
        thread.join();
        return seen.get();
    }

    private static void assumeLinuxWithTaskset() {
        assumeTrue(Files.isSymbolicLink(Path.of("/proc/thread-self")), "Linux's /proc/thread-self");
        assumeTrue(Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "taskset"))), "util-linux's taskset on the PATH");
    }
}
