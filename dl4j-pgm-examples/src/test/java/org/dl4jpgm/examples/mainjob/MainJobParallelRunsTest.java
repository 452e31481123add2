package org.dl4jpgm.examples.mainjob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dl4jpgm.examples.MainJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --parallel-runs}: runs trained at once on threads of their own give the numbers of runs trained one after
 * another, bit for bit (every metric, kept epoch and validation score, and every saved parameter), with dropout in PgM
 * and in the baselines so that each run's random state is exercised; the option rules.
 */
class MainJobParallelRunsTest {

    private static JsonNode runs(Path data, Path out, int parallel) throws Exception {
        MainJob.run(MainJobOptions.parse(data.toString(), "--quick", "--fusions", "PGM,MLP,NO_PARTITIONER", "--seeds",
                "2", "--width", "8", "--batch", "32", "--stage2-epochs", "3", "--head-dropout", "0.3",
                "--baseline-dropout", "0.3", "--target", "paired", "--parallel-runs", String.valueOf(parallel),
                "--out", out.toString()));
        return new ObjectMapper().readTree(out.resolve(MainJob.RESULTS_JSON).toFile()).get("runs");
    }

    @Test
    void runsAtOnceGiveTheNumbersOfRunsOneAfterAnother(@TempDir Path dir) throws Exception {
        Path data = MainJobSelectionTest.data(dir.resolve("data"));
        JsonNode sequential = runs(data, dir.resolve("one"), 1);
        JsonNode parallel = runs(data, dir.resolve("three"), 3);
        assertEquals(6, sequential.size());
        assertEquals(sequential.size(), parallel.size());
        List<String> compared = new ArrayList<>();
        for (int k = 0; k < sequential.size(); k++) {
            ObjectNode one = (ObjectNode) sequential.get(k).deepCopy();
            ObjectNode three = (ObjectNode) parallel.get(k).deepCopy();
            Path modelOne = Path.of(one.remove("model").asText());
            Path modelThree = Path.of(three.remove("model").asText());
            one.remove("seconds");
            three.remove("seconds");
            assertEquals(one, three, "run " + k + " in the jobs' order");
            ComputationGraph a = ModelSerializer.restoreComputationGraph(modelOne.toFile(), false);
            ComputationGraph b = ModelSerializer.restoreComputationGraph(modelThree.toFile(), false);
            assertEquals(a.params(), b.params(), "the saved parameters of " + one);
            compared.add(one.get("fusion").asText() + "/" + one.get("seed").asText());
        }
        assertEquals(List.of("PgM/1000", "PgM/1001", "MLP/1000", "MLP/1001", "PgM w/o partitioner/1000",
                "PgM w/o partitioner/1001"), compared, "the runs in the order of --fusions and seeds");
    }

    @Test
    void optionRules(@TempDir Path dir) {
        assertEquals(3, MainJobOptions.parse("--parallel-runs", "3").parallelRuns());
        int automatic = MainJobOptions.parse().parallelRuns();
        assertTrue(automatic >= 1 && automatic <= Runtime.getRuntime().availableProcessors(), "automatic: " + automatic);
        assertEquals(1, MainJobOptions.parse("--stats", dir.resolve("s.bin").toString()).parallelRuns(),
                "one statistics file, one run at a time");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MainJobOptions.parse(
                "--stats", dir.resolve("s.bin").toString(), "--parallel-runs", "2"));
        assertTrue(e.getMessage().contains("--parallel-runs 1") && e.getMessage().contains("--stats"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MainJobOptions.parse("--parallel-runs", "-1"));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }
}
