package org.dl4jpgm.examples.bench;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FitProfileTest {

    @Test
    void samplingPeriodsAsJfrWritesThem() {
        assertEquals(Duration.ofMillis(10), FitProfile.parsePeriod("10 ms"));
        assertEquals(Duration.ofMillis(20), FitProfile.parsePeriod("20ms"));
        assertEquals(Duration.ofSeconds(1), FitProfile.parsePeriod("1 s"));
        assertEquals(Duration.ofNanos(500_000), FitProfile.parsePeriod("500 us"));
        assertNull(FitProfile.parsePeriod("everyChunk"));
        assertNull(FitProfile.parsePeriod("beginChunk"));
    }

    @Test
    void groupsAddTheirCategories() {
        Map<FitProfile.Category, Double> ms = new EnumMap<>(FitProfile.Category.class);
        ms.put(FitProfile.Category.OP_COMPUTE, 30.0);
        ms.put(FitProfile.Category.OP_COMPUTE_DL4J, 10.0);
        ms.put(FitProfile.Category.SD_SESSION, 50.0);
        ms.put(FitProfile.Category.DL4J_GRAPH, 10.0);
        String table = FitProfile.table(ms, 100, 200);
        assertTrue(table.contains("| **op compute** | all | 40.0 % | 80.0 |"), table);
        assertTrue(table.contains("| **SameDiff interpretation** | all | 50.0 % | 100.0 |"), table);
        assertTrue(table.contains("| **DL4J graph overhead** | all | 10.0 % | 20.0 |"), table);
        assertTrue(table.contains("| **other** | all | 0.0 % | 0.0 |"), table);
    }
}
