package org.dl4jpgm.examples.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code src/main/python/lockstep.py}, the comparison script's coordinator, on two small Python processes that speak
 * {@link Lockstep}'s protocol and write down when each round and their end come.
 */
class LockstepScriptTest {

    private static final Path SCRIPT = Path.of("src/main/python/lockstep.py");

    /** A process of the protocol: its rounds' thread CPU ms per fit step is its 4th argument; 5th: exit after round. */
    private static final String FAKE = String.join("\n",
            "import sys",
            "name, rounds, log, fit, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])",
            "print('warming up', flush=True)",
            "print('ready', flush=True)",
            "for r in range(rounds):",
            "    line = sys.stdin.readline()",
            "    assert line.strip() == 'go', line",
            "    open(log, 'a').write(f'{name} {r}\\n')",
            "    times = f'fitMs=9 fitCpuMs={fit} fitProcessCpuMs=9 outputMs=1 outputCpuMs=1 steps=5'",
            "    print(f'round {r} {times}', flush=True)",
            "    if r == stop:",
            "        sys.exit(3)",
            "assert sys.stdin.read() == ''",
            "open(log, 'a').write(f'{name} end\\n')",
            "print('RESULT ' + name, flush=True)");

    @TempDir
    Path dir;

    @Test
    void theTwoTakeTurnsInAlternatingOrderAndFinishOneAfterTheOther() throws Exception {
        Result r = run(3, -1);
        assertEquals(0, r.status(), r.output());
        assertEquals(List.of("A 0", "B 0", "B 1", "A 1", "A 2", "B 2", "A end", "B end"),
                Files.readAllLines(dir.resolve("order.log")), "rounds alternate; A ends before B's input is closed");
        assertTrue(r.output().contains("round 1 of 3 (A first, 5 steps each): thread CPU ms per fit step A 2.00, B "
                + "4.00: 0.50x; per output 1.00, 1.00: 1.00x"), r.output());
        assertTrue(r.output().contains("round 2 of 3 (B first"), r.output());
        assertTrue(r.output().contains("rounds' ratios A / B: fit step 0.50-0.50x (median 0.50x)"), r.output());
        List<String> a = Files.readAllLines(dir.resolve("a.out"));
        assertEquals(List.of("warming up", "ready"), a.subList(0, 2), "each process's output whole in its log");
        assertEquals("RESULT A", a.get(a.size() - 1));
        assertEquals(3, a.stream().filter(l -> l.startsWith("round ")).count());
    }

    @Test
    void aProcessThatEndsEarlyStopsTheRunWithItsExitStatus() throws Exception {
        Result r = run(3, 0);
        assertEquals(1, r.status(), r.output());
        assertTrue(r.output().contains("lockstep: B ended before round 1 (exit 3)"), r.output());
    }

    private record Result(int status, String output) {
    }

    private Result run(int rounds, int bStopsAfter) throws IOException, InterruptedException {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        assumeTrue(ci || canRun("python3"), "python3 is not installed (CI installs it)");
        Path fake = Files.writeString(dir.resolve("fake.py"), FAKE, StandardCharsets.UTF_8);
        String log = dir.resolve("order.log").toString();
        List<String> cmd = new ArrayList<>(List.of("python3", SCRIPT.toString(), "--rounds", Integer.toString(rounds),
                "--names", "A", "B", "--logs", dir.resolve("a.out").toString(), dir.resolve("b.out").toString(), "--",
                "python3", fake.toString(), "A", Integer.toString(rounds), log, "2", "-1", "::",
                "python3", fake.toString(), "B", Integer.toString(rounds), log, "4", Integer.toString(bStopsAfter)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "lockstep.py did not end: " + out);
        return new Result(p.exitValue(), out);
    }

    private static boolean canRun(String program) {
        try {
            return new ProcessBuilder(program, "--version").start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
