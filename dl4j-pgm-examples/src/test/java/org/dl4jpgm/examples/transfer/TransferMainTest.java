package org.dl4jpgm.examples.transfer;

import org.dl4jpgm.datavec.layout.LayoutWriter;
import org.dl4jpgm.examples.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TransferMain on a small dataset written in the project's layout: the Table 4 rows, and its usage errors. */
class TransferMainTest {

    @Test
    void printsTheHostItsPgmVersionsAndTheirMetrics(@TempDir Path dir) throws Exception {
        writeFixture(dir);
        TransferMain m = new TransferMain();
        Cli.parse(m, m.training, dir.toString(), "--host", "SELF_MM", "--seeds", "1", "--width", "8", "--batch", "16",
                "--stage1-epochs", "1", "--stage2-epochs", "1");
        String table = m.run();
        assertTrue(table.contains("Table 4 layout: transfer-fixture / label, train 48, valid 16, test 16, epochs 2 "
                + "(host) = 1 + 1 (PgM), 1 seed(s)"), table);
        assertTrue(table.contains("| model                      | MAE             | Corr            |"), table);
        for (String row : new String[]{"| Self-MM                    |", "| Self-MM +PgM               |",
                "| Self-MM +PgM (fine-tuned)  |"}) {
            assertTrue(table.contains(row), row + " in\n" + table);
        }
        assertEquals(3, table.lines().filter(l -> l.matches("\\| Self-MM.*\\|\\s+1 \\|.*")).count(),
                "three rows of one seed each:\n" + table);
    }

    @Test
    void progressPrintsEveryEpochsLossesAndValidationScore(@TempDir Path dir) throws Exception {
        writeFixture(dir);
        TransferMain m = new TransferMain();
        Cli.parse(m, m.training, dir.toString(), "--host", "MULT", "--seeds", "1", "--width", "8", "--batch", "16",
                "--stage1-epochs", "1", "--stage2-epochs", "2", "--fine-tune", "no", "--progress");
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            m.run();
        } finally {
            System.setOut(stdout);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains(" epoch ")).toList();
        String all = String.join("\n", lines);
        // the host: 1 + 2 epochs, all scored (the same budget); +PgM: one epoch of L_P, then two scored
        assertEquals(3, lines.stream().filter(l -> l.matches("\\[MulT seed 1000\\] stage 2 epoch +\\d  task "
                + "[0-9.]+ .*valid score -[0-9.]+")).count(), all);
        assertEquals(1, lines.stream().filter(l -> l.matches("\\[MulT \\+PgM seed 1000\\] stage 1 epoch +1  UFC "
                + "[0-9.]+  PFC [0-9.]+  UPR [0-9.]+  task [0-9.]+ .*")).count(), all);
        assertEquals(2, lines.stream().filter(l -> l.matches("\\[MulT \\+PgM seed 1000\\] stage 2 epoch .*UFC.*"
                + "valid score -[0-9.]+")).count(), all);
    }

    /** The fixture's three splits in the project's layout under {@code dir}. */
    private static void writeFixture(Path dir) throws Exception {
        LayoutWriter w = new LayoutWriter(dir, TransferFixtures.descriptor());
        w.writeSplit("train", TransferFixtures.split(48, 1));
        w.writeSplit("valid", TransferFixtures.split(16, 2));
        w.writeSplit("test", TransferFixtures.split(16, 3));
    }

    @Test
    void aBadHostIsAUsageError() {
        TransferMain m = new TransferMain();
        assertEquals(Cli.USAGE_ERROR, Cli.run(m, m.training, "--host", "LSTM"));
        TransferMain h = new TransferMain();
        assertEquals(0, Cli.run(h, h.training, "--help"));
    }
}
