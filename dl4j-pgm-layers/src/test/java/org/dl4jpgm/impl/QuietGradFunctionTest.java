package org.dl4jpgm.impl;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuietGradFunctionTest {

    @Test
    void filterDropsOnlyTheNoiseLines() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream target = new PrintStream(sink, true, StandardCharsets.UTF_8);
        PrintStream filtered = new PrintStream(new QuietGradFunction.LineFilter(target), true, StandardCharsets.UTF_8);
        filtered.println("Added differentiated op matmul_3");
        filtered.println("epoch 1 loss 0.5");
        filtered.print("Added differentiated op add");
        filtered.println();
        filtered.print("no newline yet");
        filtered.flush();
        assertEquals("epoch 1 loss 0.5" + System.lineSeparator() + "no newline yet",
                sink.toString(StandardCharsets.UTF_8));
    }

    @Test
    void buildsTheGradientFunctionSilentlyAndRestoresStandardOutput() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable w = sd.var("w", DataType.DOUBLE, 3, 2);
        x.mmul(w).mul(2.0).sum().markAsLoss();
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream mine = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(mine);
        PrintStream after;
        try {
            QuietGradFunction.ensure(sd, "x");
            after = System.out;
        } finally {
            System.setOut(original);
        }
        assertTrue(sd.hasGradientFunction());
        assertFalse(captured.toString(StandardCharsets.UTF_8).contains(QuietGradFunction.NOISE),
                "ND4J's per-op lines reached standard output: " + captured);
        assertSame(mine, after, "standard output is restored to the stream set before the call");
        assertEquals("", captured.toString(StandardCharsets.UTF_8), "nothing else was printed either");
    }
}
