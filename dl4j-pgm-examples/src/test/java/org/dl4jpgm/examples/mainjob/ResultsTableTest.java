package org.dl4jpgm.examples.mainjob;

import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.examples.experiment.RunResult;
import org.dl4jpgm.examples.experiment.TaskMetrics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ResultsTable} reads each column from the typed metrics of the runs: mean ± sample std over seeds. */
class ResultsTableTest {

    private static RunResult run(String fusion, long seed, TaskMetrics metrics) {
        return new RunResult(FusionChoice.parse(fusion), seed, metrics, 1234, 1.0, List.of(), null);
    }

    @Test
    void classificationColumnsAreAccuracyAndF1InPercent() {
        ResultsTable t = new ResultsTable(true);
        t.add(run("PGM", 1, new TaskMetrics.Classification(0.725, 0.5)));
        t.add(run("PGM", 2, new TaskMetrics.Classification(0.775, 0.7)));
        String table = t.format(null);
        assertTrue(table.contains("| ACC (%)         | F1 (%)          |"), table);
        assertTrue(table.contains("|  75.0 ±  3.5    |  60.0 ± 14.1    |"), table);
    }

    @Test
    void regressionColumnsAreMaeAndCorrelation() {
        ResultsTable t = new ResultsTable(false);
        t.add(run("CONCAT", 1, new TaskMetrics.Regression(1.25, 0.5)));
        String table = t.format(null);
        assertTrue(table.contains("| MAE             | Corr            |"), table);
        assertTrue(table.contains("|  1.250 ± 0.000  |  0.500 ± 0.000"), table);
    }

    @Test
    void metricsOfAnotherTaskAreRejected() {
        ResultsTable t = new ResultsTable(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.add(run("CONCAT", 1, new TaskMetrics.Classification(0.5, 0.5))));
        assertTrue(e.getMessage().contains("MAE and Corr cannot take Classification"), e.getMessage());
    }

    @Test
    void oneLinePerRun() {
        assertEquals("ACC 0.8125  F1 0.8010", new TaskMetrics.Classification(0.8125, 0.801).format());
        assertEquals("MAE 1.2500  Corr -0.5000", new TaskMetrics.Regression(1.25, -0.5).format());
    }

    @Test
    void pairedComparisonIsPerSeedDifferenceWithWinsAndT() {
        ResultsTable t = new ResultsTable(true);
        t.add(run("PGM", 1, new TaskMetrics.Classification(0.75, 0.5)));
        t.add(run("PGM", 2, new TaskMetrics.Classification(0.80, 0.5)));
        t.add(run("MLP", 1, new TaskMetrics.Classification(0.70, 0.5)));
        t.add(run("MLP", 2, new TaskMetrics.Classification(0.80, 0.5)));
        String table = t.pairedComparison("PgM");
        // differences +5 and 0 points: mean 2.5, std 3.54, ahead on 1 of 2 seeds, t = 2.5 / (3.54 / sqrt 2) = 1.00
        assertTrue(table.contains("| MLP                    |  +2.5 ±  3.5    |     1/2 |    1.00 |"), table);
        assertEquals("", new ResultsTable(true).pairedComparison("PgM"));
    }
}
