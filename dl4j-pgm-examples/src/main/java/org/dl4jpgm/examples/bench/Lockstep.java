package org.dl4jpgm.examples.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Timed blocks run when a coordinating process says so, so that two benchmark processes pinned to one core can take
 * turns: PgM and its PyTorch peer then meet the same phases of a shared machine, whose speed drifts by 10-20 % within
 * an hour and moved the two sides' ratio when they ran a minute apart (docs/performance.md, "PgM and the peer in
 * turns"). The protocol, one line each, on standard input and output ({@code src/main/python/lockstep.py} drives it,
 * as does {@code pgm_peer.py --lockstep}):
 * <pre>
 *   process:      ready                       after its warm-up
 *   coordinator:  go                          before each of R rounds
 *   process:      round I fitMs=.. fitCpuMs=.. fitProcessCpuMs=.. outputMs=.. outputCpuMs=.. steps=K
 *                 (per fit step and per output call of the round, wall clock, thread and process CPU)
 *   coordinator:  closes standard input      when it is this process's turn to finish
 * </pre>
 * Round I (0-based) of R runs {@link #count} of the T timed steps, then as many output calls.
 */
final class Lockstep {

    private final int rounds;
    private final BufferedReader in;
    private final PrintStream out;

    /**
     * @param rounds R &ge; 1
     * @param in     where the coordinator's lines come from
     * @param out    where {@code ready} and the rounds' lines go
     */
    Lockstep(int rounds, BufferedReader in, PrintStream out) {
        if (rounds < 1) {
            throw new IllegalArgumentException("lockstep: expected at least 1 round, found " + rounds);
        }
        this.rounds = rounds;
        this.in = in;
        this.out = out;
    }

    int rounds() {
        return rounds;
    }

    /**
     * Steps of round {@code round} when {@code total} are split over the rounds as evenly as whole steps allow (the
     * same split as the peer's).
     *
     * @throws IllegalArgumentException when there are fewer steps than rounds
     */
    static int count(int total, int rounds, int round) {
        if (total < rounds) {
            throw new IllegalArgumentException("lockstep: " + total + " timed steps cannot fill " + rounds
                    + " rounds; give at least one step per round");
        }
        return (int) ((long) total * (round + 1) / rounds - (long) total * round / rounds);
    }

    /** Says that the warm-up is done. */
    void ready() {
        out.println("ready");
        out.flush();
    }

    /**
     * Waits for the coordinator's {@code go} before round {@code round}.
     *
     * @throws IOException naming the round when the input ends or holds another line
     */
    void awaitGo(int round) throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("lockstep: standard input ended before round " + round + " of " + rounds);
        }
        if (!line.trim().equals("go")) {
            throw new IOException("lockstep: expected 'go' before round " + round + " of " + rounds + ", read '"
                    + line + "'");
        }
    }

    /**
     * Waits for the end of the coordinator's input after the last round, so that what the process does after its
     * rounds (the gemm reference) does not share the core with the other process's last round.
     *
     * @throws IOException when a line arrives instead
     */
    void awaitEnd() throws IOException {
        String line = in.readLine();
        if (line != null) {
            throw new IOException("lockstep: expected the end of standard input after round " + (rounds - 1)
                    + ", read '" + line + "'");
        }
    }

    /** Reports one round: milliseconds per fit step and per output call. */
    void report(int round, Block fit, Block output) {
        out.printf(Locale.ROOT, "round %d fitMs=%.4f fitCpuMs=%.4f fitProcessCpuMs=%.4f outputMs=%.4f outputCpuMs=%.4f "
                        + "steps=%d%n", round, fit.msPer(), fit.cpuMsPer(), fit.processCpuMsPer(), output.msPer(),
                output.cpuMsPer(), fit.count());
        out.flush();
    }

    /**
     * The clocks over a block of {@code count} calls, in ns.
     *
     * @param wallNanos       the wall clock
     * @param cpuNanos        the calling thread's CPU time
     * @param processCpuNanos the whole process's CPU time (its other threads too)
     */
    record Block(long wallNanos, long cpuNanos, long processCpuNanos, int count) {

        static final Block EMPTY = new Block(0, 0, 0, 0);

        Block plus(Block b) {
            return new Block(wallNanos + b.wallNanos, cpuNanos + b.cpuNanos, processCpuNanos + b.processCpuNanos,
                    count + b.count);
        }

        double msPer() {
            return wallNanos / 1e6 / count;
        }

        double cpuMsPer() {
            return cpuNanos / 1e6 / count;
        }

        double processCpuMsPer() {
            return processCpuNanos / 1e6 / count;
        }
    }
}
