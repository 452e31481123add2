package org.dl4jpgm.examples;

import org.dl4jpgm.examples.tasks.MsaOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Default outputs go under {@code -Ddl4jpgm.home} (the checkout's root under Maven), not the working directory. */
class ProjectHomeTest {

    @Test
    void defaultOutputsFollowTheHomePropertyAndAnExplicitOutWins(@TempDir Path home) {
        String before = System.getProperty(ProjectHome.PROPERTY);
        System.setProperty(ProjectHome.PROPERTY, home.toString());
        try {
            assertEquals(home.toAbsolutePath().normalize(), ProjectHome.dir());
            assertEquals(home.resolve("tasks-out").resolve("msa"), MsaOptions.parse("data").getOut());
            assertEquals(Path.of("/x/out"), MsaOptions.parse("data", "--out", "/x/out").getOut());
            System.clearProperty(ProjectHome.PROPERTY);
            assertEquals(Path.of("").toAbsolutePath().normalize(), ProjectHome.dir(),
                    "without the property: the working directory");
        } finally {
            if (before == null) {
                System.clearProperty(ProjectHome.PROPERTY);
            } else {
                System.setProperty(ProjectHome.PROPERTY, before);
            }
        }
    }
}
