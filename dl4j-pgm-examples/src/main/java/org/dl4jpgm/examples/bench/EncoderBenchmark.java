package org.dl4jpgm.examples.bench;

import org.dl4jpgm.encoders.EncoderBackend;
import org.dl4jpgm.encoders.ModelFiles;
import org.dl4jpgm.encoders.ModelRunner;
import org.dl4jpgm.encoders.audio.AudioEncoderConfig;
import org.dl4jpgm.encoders.audio.OpenWakeWordAudioEncoder;
import org.dl4jpgm.encoders.text.MiniLmTextEncoder;
import org.dl4jpgm.encoders.text.TextEncoderConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Converters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;

/**
 * Throughput (items/s) of each encoder converted to SameDiff against ONNX Runtime, at B = 1 and B = 32, in
 * one run; prints a Markdown table (the one in {@code docs/encoders.md}).
 *
 * <p>Options ({@code --help}): {@code --maxLength L}, {@code --seconds S}, {@code --minIters N}, {@code --no-audio}.
 * The audio encoder is measured when its npm models are present (see ModelFiles).
 */
@Command(name = "EncoderBenchmark", separator = " ", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Throughput of each encoder converted to SameDiff against ONNX Runtime, at B = 1 and B = 32; "
                + "prints a Markdown table.", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR)
public final class EncoderBenchmark implements Callable<Integer> {

    private EncoderBenchmark() {
    }

    /** One measurement. */
    record Row(String encoder, EncoderBackend backend, int batch, double itemsPerSecond, double msPerCall) {
    }

    /** Text tokens per item. */
    @Option(names = "--maxLength", paramLabel = "L", converter = Converters.PositiveInt.class,
            description = "text tokens per item (default ${DEFAULT-VALUE})")
    private int maxLength = 64;
    /** Least time per measurement. */
    @Option(names = "--seconds", paramLabel = "S", converter = Converters.PositiveReal.class,
            description = "least time per measurement, in seconds (default ${DEFAULT-VALUE})")
    private double seconds = 3;
    /** Least timed calls per measurement. */
    @Option(names = "--minIters", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "least timed calls per measurement (default ${DEFAULT-VALUE})")
    private int minIters = 2;
    /** Whether the audio encoder is measured (when its model files are present). */
    @Option(names = "--no-audio", negatable = false, description = "leave the audio encoder out")
    private boolean noAudio;
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    public static void main(String[] args) {
        Cli.main(new EncoderBenchmark(), null, args);
    }

    @Override
    public Integer call() throws Exception {
        boolean audio = !noAudio;
        List<Row> rows = new ArrayList<>();
        List<String> sentences = sentences(32);
        for (EncoderBackend backend : EncoderBackend.values()) {
            try (MiniLmTextEncoder enc = MiniLmTextEncoder.create(TextEncoderConfig.builder().maxLength(maxLength)
                    .backend(backend).batchSize(32).build())) {
                for (int b : new int[]{1, 32}) {
                    List<String> batch = sentences.subList(0, b);
                    rows.add(measure("MiniLM text (L=" + maxLength + ")", backend, b, seconds, minIters,
                            k -> enc.encode(batch)));
                }
            }
        }
        if (audio && Files.isRegularFile(ModelFiles.openWakeWordDir().resolve("embedding_model.onnx"))) {
            for (EncoderBackend backend : EncoderBackend.values()) {
                try (OpenWakeWordAudioEncoder enc = OpenWakeWordAudioEncoder.create(AudioEncoderConfig.builder()
                        .backend(backend).build())) {
                    ModelRunner emb = enc.embeddingRunner();
                    for (int b : new int[]{1, 32}) {
                        Nd4j.getRandom().setSeed(1);
                        INDArray windows = Nd4j.rand(DataType.FLOAT, b, OpenWakeWordAudioEncoder.WINDOW,
                                OpenWakeWordAudioEncoder.MEL_BINS, 1).muli(4);
                        rows.add(measure("openWakeWord embedding (76x32 window)", backend, b, seconds, minIters,
                                k -> emb.run(Map.of(OpenWakeWordAudioEncoder.EMB_IN, windows),
                                        OpenWakeWordAudioEncoder.EMB_OUT)));
                    }
                    float[] clip = new float[OpenWakeWordAudioEncoder.SAMPLE_RATE * 2];
                    for (int i = 0; i < clip.length; i++) {
                        clip[i] = (float) (0.2 * Math.sin(2 * Math.PI * 220 * i / 16000.0));
                    }
                    rows.add(measure("openWakeWord mel (2 s segment)", backend, 1, seconds, minIters,
                            k -> enc.melFrames(clip)));
                }
            }
        } else if (audio) {
            System.err.println("Audio encoder skipped: " + ModelFiles.openWakeWordDir()
                    + " has no embedding_model.onnx (run .ci/run's npm step or set -D" + ModelFiles.MODELS_DIR + ")");
        }
        System.out.println(table(rows));
        return 0;
    }

    static Row measure(String encoder, EncoderBackend backend, int batch, double seconds, int minIters,
                       IntConsumer call) {
        call.accept(0); // warm-up (SameDiff plans its execution on the first call)
        call.accept(0);
        long start = System.nanoTime();
        int iters = 0;
        while (iters < minIters || (System.nanoTime() - start) / 1e9 < seconds) {
            call.accept(iters);
            iters++;
        }
        double secs = (System.nanoTime() - start) / 1e9;
        Row r = new Row(encoder, backend, batch, iters * batch / secs, 1000 * secs / iters);
        System.err.printf(Locale.ROOT, "%s %s B=%d: %.1f items/s (%.1f ms/call, %d calls)%n", encoder, backend, batch,
                r.itemsPerSecond(), r.msPerCall(), iters);
        return r;
    }

    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| encoder | backend | B | items/s | ms per call | SameDiff / ORT |\n");
        sb.append("| --- | --- | --- | --- | --- | --- |\n");
        for (Row r : rows) {
            String ratio = "";
            if (r.backend() == EncoderBackend.SAMEDIFF) {
                for (Row o : rows) {
                    if (o.backend() == EncoderBackend.ONNX_RUNTIME && o.encoder().equals(r.encoder())
                            && o.batch() == r.batch()) {
                        ratio = String.format(Locale.ROOT, "%.3f", r.itemsPerSecond() / o.itemsPerSecond());
                    }
                }
            }
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.1f | %.1f | %s |%n", r.encoder(), r.backend(),
                    r.batch(), r.itemsPerSecond(), r.msPerCall(), ratio));
        }
        return sb.toString();
    }

    /** @return n varied English review-like sentences */
    static List<String> sentences(int n) {
        String[] subjects = {"The battery", "This phone", "The headset", "The charger", "Customer service",
                "The screen", "The case", "Sound quality"};
        String[] verdicts = {"works great and I would buy it again.", "stopped working after two days.",
                "is exactly as described in the listing.", "feels cheap but does the job well enough.",
                "was a waste of money, very disappointed.", "exceeded my expectations in every way."};
        List<String> s = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            s.add(subjects[i % subjects.length] + " " + verdicts[(i * 5) % verdicts.length]);
        }
        return s;
    }
}
