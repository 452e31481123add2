package org.dl4jpgm.examples.transfer;

import org.dl4jpgm.datavec.layout.LayoutWriter;
import org.dl4jpgm.examples.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TransferMain on a small dataset written in the project's layout: the Table 4 rows, and its usage errors. */
class TransferMainTest {

    @Test
    void printsTheHostItsPgmVersionsAndTheirMetrics(@TempDir Path dir) throws Exception {
        LayoutWriter w = new LayoutWriter(dir, TransferFixtures.descriptor());
        w.writeSplit("train", TransferFixtures.split(48, 1));
        w.writeSplit("valid", TransferFixtures.split(16, 2));
        w.writeSplit("test", TransferFixtures.split(16, 3));
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
    void aBadHostIsAUsageError() {
        TransferMain m = new TransferMain();
        assertEquals(Cli.USAGE_ERROR, Cli.run(m, m.training, "--host", "LSTM"));
        TransferMain h = new TransferMain();
        assertEquals(0, Cli.run(h, h.training, "--help"));
    }
}
