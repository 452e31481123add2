package org.dl4jpgm.examples.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every main's {@code --help} is picocli's usage, printed with status 0 (the main returns instead of exiting). */
class HelpTest {

    private static final String[] MAINS = {"org.dl4jpgm.examples.MainJob", "org.dl4jpgm.examples.Demo",
            "org.dl4jpgm.examples.tasks.MsaMain", "org.dl4jpgm.examples.tasks.MercMain",
            "org.dl4jpgm.examples.tasks.CrossModalRetrievalMain",
            "org.dl4jpgm.examples.tasks.ImageTextClassificationMain", "org.dl4jpgm.examples.predict.Predict",
            "org.dl4jpgm.examples.bench.FusionStepBenchmark", "org.dl4jpgm.examples.bench.EncoderBenchmark",
            "org.dl4jpgm.examples.bench.StageOneProbe", "org.dl4jpgm.examples.bench.RewriteAblation",
            "org.dl4jpgm.examples.bench.FitProfile",
            "org.dl4jpgm.examples.bench.GemmBenchmark", "org.dl4jpgm.examples.bench.CumSoftmaxBenchmark", "org.dl4jpgm.examples.bench.StreamedTrainingMemory",
            "org.dl4jpgm.examples.bench.PartitionRecoveryProbe",
            "org.dl4jpgm.examples.features.ExtractTextFeatures", "org.dl4jpgm.examples.transfer.TransferMain"};

    @Test
    void everyMainsHelpIsPicocliUsage() throws Exception {
        PrintStream stdout = System.out;
        for (String main : MAINS) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            try {
                Method m = Class.forName(main).getMethod("main", String[].class);
                m.invoke(null, (Object) new String[]{"--help"});
            } finally {
                System.setOut(stdout);
            }
            String usage = bytes.toString(StandardCharsets.UTF_8);
            String name = main.substring(main.lastIndexOf('.') + 1);
            assertTrue(usage.startsWith("Usage: " + name + " "), main + ":\n" + usage);
            assertTrue(usage.contains("-h, --help"), main + ":\n" + usage);
        }
    }

    @Test
    void defaultsAndExitStatusComeFromTheAnnotationsAndThePreset() throws Exception {
        String usage = org.dl4jpgm.examples.tasks.MsaOptions.parse("--help").usage();
        assertTrue(usage.contains("--width D              common model width (default 32)"), usage);
        assertTrue(usage.contains("--batch B              minibatch size (default 64)"), usage);
        assertTrue(usage.contains("Exit status:\n  0   done (also --help)"), usage);
        assertTrue(usage.contains("  2   a bad option, or one that does not fit the task or the data folder"), usage);
        String paper = org.dl4jpgm.examples.tasks.MsaOptions.parse("--preset", "paper", "--help").usage();
        assertTrue(paper.contains("common model width (default 768)"), paper);
    }
}
