package org.dl4jpgm.encoders;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Where the model files are looked for does not depend on which folder of a checkout a main runs from. */
class ModelFilesTest {

    @Test
    void theCheckoutsModelsFolderIsFoundFromAnyFolderBelowIt(@TempDir Path checkout) throws Exception {
        Path models = Files.createDirectories(checkout.resolve(".models"));
        Path module = Files.createDirectories(checkout.resolve("dl4j-pgm-examples").resolve("target"));
        assertEquals(models, ModelFiles.modelsDir(null, null, checkout));
        assertEquals(models, ModelFiles.modelsDir(null, null, module), "from a module's folder, two levels down");
        assertEquals(Paths.get("/elsewhere/models"), ModelFiles.modelsDir(null, "/elsewhere/models", module),
                "the environment variable before the search");
        assertEquals(Paths.get("/given/models"), ModelFiles.modelsDir("/given/models", "/elsewhere/models", module),
                "the system property first");
    }

    @Test
    void withoutAModelsFolderTheErrorsNameTheWorkingDirectorysOne(@TempDir Path dir) {
        assertEquals(Paths.get(".models"), ModelFiles.modelsDir(null, " ", dir));
    }
}
