package org.dl4jpgm.encoders.onnx;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Runs code with {@link System#out} discarded: samediff-import-onnx prints a line per imported op and tensor on
 * standard output through Java ({@code System.out}); the converter and the benchmarks silence it with this one helper.
 * Output that native code writes to file descriptor 1 directly is not affected.
 */
public final class QuietStdout {

    private QuietStdout() {
    }

    /** Runs {@code body} with {@code System.out} discarded and returns its result; {@code System.out} is restored. */
    public static synchronized <T> T call(Supplier<T> body) {
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return body.get();
        } finally {
            System.setOut(out);
        }
    }
}
