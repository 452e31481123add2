package org.dl4jpgm.fusion;

import java.nio.file.Path;

/**
 * The child JVM of {@link TrainingReproducibilityTest}: trains {@link TrainingReproducibilityTest#fixture} with
 * checkpoints into the folder given as the first argument, slowly enough to be killed during its second epoch.
 */
public final class TrainingCheckpointChild {

    private TrainingCheckpointChild() {
    }

    /** @param args the checkpoint folder, milliseconds of sleep per iteration */
    public static void main(String[] args) {
        TrainingReproducibilityTest.train(Path.of(args[0]), false, null, Long.parseLong(args[1]));
        System.exit(0);
    }
}
