package org.dl4jpgm.impl;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Builds a SameDiff gradient function without the line per op that ND4J 1.0.0-M2.1 prints to {@code System.out}
 * ({@code SameDiff.createGradFunction} calls {@code System.out.println("Added differentiated op ...")} for every op:
 * thousands of lines for one PgM vertex). Other output written meanwhile passes through unchanged. The function is
 * built outside any workspace (arrays it creates must outlive the current one).
 */
public final class QuietGradFunction {

    /** The prefix of ND4J's per-op line. */
    static final String NOISE = "Added differentiated op ";

    private QuietGradFunction() {
    }

    /** Creates {@code sd}'s gradient function (if it has none yet) with respect to the placeholders {@code inputs}. */
    public static void ensure(SameDiff sd, String... inputs) {
        if (sd.hasGradientFunction()) {
            return;
        }
        withoutOpLines(() -> {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                sd.createGradFunction(inputs);
            }
            return null;
        });
    }

    /**
     * Runs {@code work} (which builds gradient functions, e.g. through DL4J's stock SameDiff runtimes) with ND4J's
     * per-op lines filtered out of {@code System.out}.
     */
    public static <T> T withoutOpLines(Supplier<T> work) {
        synchronized (QuietGradFunction.class) {
            PrintStream original = System.out;
            System.setOut(new PrintStream(new LineFilter(original), true, StandardCharsets.UTF_8));
            try {
                return work.get();
            } finally {
                System.out.flush();
                System.setOut(original);
            }
        }
    }

    /** Drops whole lines that start with {@link #NOISE}; forwards everything else. */
    static final class LineFilter extends OutputStream {
        private final PrintStream target;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        LineFilter(PrintStream target) {
            this.target = target;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') {
                emit();
            }
        }

        @Override
        public synchronized void flush() {
            if (line.size() > 0 && !line.toString(StandardCharsets.UTF_8).startsWith(NOISE)) {
                emit();
            }
            target.flush();
        }

        private void emit() {
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!s.startsWith(NOISE)) {
                target.print(s);
            }
        }
    }
}
