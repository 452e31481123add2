package org.dl4jpgm.examples.bench;

import org.dl4jpgm.examples.cli.Cli;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LockstepTest {

    @Test
    void theRoundsSplitTheStepsAsEvenlyAsWholeStepsAllowAndAsThePeerDoes() {
        // the peer's round_steps: total * (r + 1) // rounds - total * r // rounds
        assertEquals(List.of(1, 1, 1, 2), counts(5, 4));
        assertEquals(List.of(50, 50, 50, 50, 50, 50, 50, 50, 50, 50), counts(500, 10));
        assertEquals(List.of(2, 2, 3), counts(7, 3));
        assertEquals(List.of(1), counts(1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lockstep.count(3, 4, 0));
        assertTrue(e.getMessage().contains("3 timed steps cannot fill 4 rounds"), e.getMessage());
    }

    private static List<Integer> counts(int total, int rounds) {
        List<Integer> c = new java.util.ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            c.add(Lockstep.count(total, rounds, r));
        }
        assertEquals(total, c.stream().mapToInt(Integer::intValue).sum(), "every step in one round");
        return c;
    }

    @Test
    void aProcessSaysReadyWaitsForGoReportsEachRoundAndWaitsForTheEnd() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Lockstep turns = new Lockstep(2, new BufferedReader(new StringReader("go\n go \n")), out);
        turns.ready();
        turns.awaitGo(0);
        turns.report(0, new Lockstep.Block(3_000_000, 2_500_000, 4_000_000, 2),
                new Lockstep.Block(1_000_000, 900_000, 900_000, 2));
        turns.awaitGo(1);
        turns.awaitEnd();
        assertEquals("ready\nround 0 fitMs=1.5000 fitCpuMs=1.2500 fitProcessCpuMs=2.0000 outputMs=0.5000 "
                + "outputCpuMs=0.4500 steps=2\n", bytes.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
    }

    @Test
    void anInputThatEndsEarlyOrSaysSomethingElseNamesTheRoundAndTheLine() {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Lockstep early = new Lockstep(3, new BufferedReader(new StringReader("go\n")), out);
        IOException ended = assertThrows(IOException.class, () -> {
            early.awaitGo(0);
            early.awaitGo(1);
        });
        assertEquals("lockstep: standard input ended before round 1 of 3", ended.getMessage());
        Lockstep other = new Lockstep(3, new BufferedReader(new StringReader("stop\n")), out);
        IOException wrong = assertThrows(IOException.class, () -> other.awaitGo(0));
        assertEquals("lockstep: expected 'go' before round 0 of 3, read 'stop'", wrong.getMessage());
        Lockstep more = new Lockstep(1, new BufferedReader(new StringReader("go\ngo\n")), out);
        IOException extra = assertThrows(IOException.class, () -> {
            more.awaitGo(0);
            more.awaitEnd();
        });
        assertEquals("lockstep: expected the end of standard input after round 0, read 'go'", extra.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Lockstep(0, new BufferedReader(new StringReader("")),
                out));
    }

    @Test
    void optionsThatDoNotGoWithTurnsAreUsageErrors() {
        Run opTimes = run("", "--fusions", "PGM", "--steps", "4", "--lockstep", "2", "--op-times");
        assertEquals(Cli.USAGE_ERROR, opTimes.status());
        assertTrue(opTimes.err().contains("--lockstep and --op-times do not go together"), opTimes.err());
        Run two = run("", "--fusions", "PGM,CONCAT", "--steps", "4", "--lockstep", "2");
        assertEquals(Cli.USAGE_ERROR, two.status());
        assertTrue(two.err().contains("--lockstep runs one fusion, found --fusions PGM,CONCAT"), two.err());
        Run few = run("", "--fusions", "PGM", "--steps", "1", "--lockstep", "2");
        assertEquals(Cli.USAGE_ERROR, few.status());
        assertTrue(few.err().contains("--lockstep 2 needs at least one timed step per round, found --steps 1"),
                few.err());
    }

    @Test
    void stepsInTurnsTrainTheSameParametersAsStepsInOneBlock() {
        Run block = run("", "--fusions", "PGM", "--warmup", "1", "--steps", "3");
        assertEquals(0, block.status(), block.err());
        Run turns = run("go\ngo\n", "--fusions", "PGM", "--warmup", "1", "--steps", "3", "--lockstep", "2");
        assertEquals(0, turns.status(), turns.err());
        String out = turns.out().replace("\r\n", "\n");
        int ready = out.indexOf("\nready\n");
        int round0 = out.indexOf("\nround 0 ");
        int round1 = out.indexOf("\nround 1 ");
        assertTrue(ready >= 0 && ready < round0 && round0 < round1, out);
        assertTrue(out.substring(round0, out.indexOf('\n', round0 + 1)).endsWith(" steps=1"), out);
        assertTrue(out.substring(round1, out.indexOf('\n', round1 + 1)).endsWith(" steps=2"), out);
        assertEquals(digest(block.out()), digest(turns.out()),
                "the output calls between the rounds change no parameter; the same steps train to the same bits");

        Run cut = run("go\n", "--fusions", "PGM", "--warmup", "1", "--steps", "3", "--lockstep", "2");
        assertEquals(Cli.DATA_ERROR, cut.status());
        assertTrue(cut.err().contains("lockstep: standard input ended before round 1 of 2"), cut.err());
    }

    private static String digest(String out) {
        Matcher m = Pattern.compile("^result params PgM sha256=([0-9a-f]{64})$", Pattern.MULTILINE).matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    /** One benchmark run's exit status, standard output and standard error, with {@code stdin} as its input. */
    private record Run(int status, String out, String err) {
    }

    private static Run run(String stdin, String... args) {
        InputStream in = System.in;
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int status = FusionStepBenchmark.run(args);
            return new Run(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(in);
            System.setOut(out);
            System.setErr(err);
        }
    }
}
