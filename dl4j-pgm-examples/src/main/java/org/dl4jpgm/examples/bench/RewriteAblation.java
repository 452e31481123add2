package org.dl4jpgm.examples.bench;

import onnx.Onnx;
import org.dl4jpgm.encoders.ModelFiles;
import org.dl4jpgm.encoders.OrtModelRunner;
import org.dl4jpgm.encoders.audio.OpenWakeWordAudioEncoder;
import org.dl4jpgm.encoders.onnx.OnnxGraphPreparer;
import org.dl4jpgm.encoders.onnx.OnnxGraphRewrites;
import org.dl4jpgm.encoders.onnx.QuietStdout;
import org.dl4jpgm.encoders.onnx.SameDiffFixes;
import org.dl4jpgm.encoders.text.MiniLmTextEncoder;
import org.dl4jpgm.encoders.text.WordPieceTokenizer;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;

import org.dl4jpgm.examples.cli.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Shows what each graph rewrite and the post-import fix are for: converts one model with one rewrite (or the
 * MatMul fix) left out and prints one line: the importer's failure, or the max abs difference to ONNX Runtime.
 * Run it in a fresh JVM per case (some failures are native crashes).
 *
 * <p>Arguments: {@code minilm|mel|embedding} and a rewrite name from {@link OnnxGraphPreparer#REWRITES},
 * {@code mmulAlphaBeta} (leave the post-import fix out) or {@code none} (everything applied).
 */
@Command(name = "RewriteAblation", separator = " ", usageHelpAutoWidth = true,
        description = {"Converts one model with one graph rewrite (or the MatMul fix) left out and prints the "
                + "importer's failure or the max abs difference to ONNX Runtime.", ""},
        exitCodeOnInvalidInput = Cli.USAGE_ERROR, exitCodeOnExecutionException = Cli.DATA_ERROR)
public final class RewriteAblation implements Callable<Integer> {

    private RewriteAblation() {
    }

    /** The model converted. */
    @Parameters(index = "0", paramLabel = "MODEL", description = "minilm, mel or embedding")
    private String model;
    /** What is left out. */
    @Parameters(index = "1", paramLabel = "LEFT_OUT",
            description = "a rewrite of OnnxGraphPreparer.REWRITES, mmulAlphaBeta (the post-import fix) or none")
    private String left;
    /** Print the usage and exit. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    public static void main(String[] args) {
        Cli.main(new RewriteAblation(), null, args);
    }

    @Override
    public Integer call() throws Exception {
        Path file;
        Map<String, INDArray> in;
        String out;
        switch (model) {
            case "minilm": {
                file = ModelFiles.miniLmModel();
                WordPieceTokenizer tok = WordPieceTokenizer.fromTokenizerJson(ModelFiles.miniLmTokenizer());
                in = MiniLmTextEncoder.inputs(tok, List.of("The battery lasts all day.",
                        "I would not recommend this phone to anyone."), 32);
                out = MiniLmTextEncoder.LAST_HIDDEN_STATE;
                break;
            }
            case "mel": {
                file = ModelFiles.openWakeWordDir().resolve("melspectrogram.onnx");
                float[] s = new float[OpenWakeWordAudioEncoder.segmentLength(25)];
                for (int i = 0; i < s.length; i++) {
                    s[i] = (float) (8000 * Math.sin(2 * Math.PI * 440 * i / 16000.0));
                }
                in = Map.of(OpenWakeWordAudioEncoder.MEL_IN, Nd4j.create(s, new long[]{1, s.length}, 'c'));
                out = OpenWakeWordAudioEncoder.MEL_OUT;
                break;
            }
            case "embedding": {
                file = ModelFiles.openWakeWordDir().resolve("embedding_model.onnx");
                Nd4j.getRandom().setSeed(3);
                in = Map.of(OpenWakeWordAudioEncoder.EMB_IN, Nd4j.rand(DataType.FLOAT, 2, 76, 32, 1).muli(4));
                out = OpenWakeWordAudioEncoder.EMB_OUT;
                break;
            }
            default:
                throw new IllegalArgumentException("MODEL must be minilm, mel or embedding, found " + model);
        }
        OnnxGraphPreparer.Builder pb = OnnxGraphPreparer.builder();
        if (OnnxGraphPreparer.REWRITES.contains(left)) {
            pb.skip(left);
        }
        String prefix = model + " without " + left + ": ";
        INDArray ref;
        try (OrtModelRunner ort = new OrtModelRunner(file)) {
            ref = ort.run(in, out).get(out);
        }
        Path tmp = Files.createTempFile("ablation", ".onnx");
        try {
            Onnx.ModelProto prepared = pb.build().prepare(Onnx.ModelProto.parseFrom(Files.readAllBytes(file)), in)
                    .model();
            Files.write(tmp, prepared.toByteArray());
            java.util.function.UnaryOperator<String> name = "sanitizeNames".equals(left)
                    ? OnnxGraphRewrites::avoidImporterName
                    : "renameImporterLikeNames".equals(left) ? OnnxGraphRewrites::sanitizeName
                    : OnnxGraphRewrites::sameDiffName;
            Map<String, INDArray> sdIn = new java.util.HashMap<>();
            in.forEach((k, v) -> sdIn.put(name.apply(k), v));
            String sdOut = name.apply(out);
            INDArray got = QuietStdout.call(() -> {
                SameDiff sd = new OnnxFrameworkImporter().runImport(tmp.toString(), sdIn, false);
                if (!"mmulAlphaBeta".equals(left)) {
                    SameDiffFixes.mmulAlphaBeta(sd);
                }
                return sd.output(sdIn, sdOut).get(sdOut);
            });
            if (got == null) {
                System.out.println(prefix + "imported, but output '" + sdOut + "' is not computed");
            } else if (got.length() != ref.length()) {
                System.out.println(prefix + "imported, wrong output shape " + java.util.Arrays.toString(got.shape())
                        + " vs " + java.util.Arrays.toString(ref.shape()));
            } else {
                System.out.println(prefix + "imported, max abs diff to ONNX Runtime "
                        + ref.sub(got.reshape(ref.shape())).amaxNumber());
            }
        } catch (Throwable t) {
            Throwable root = t;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String msg = String.valueOf(root.getMessage()).replace('\n', ' ');
            System.out.println(prefix + "FAILS: " + root.getClass().getSimpleName() + ": "
                    + msg.substring(0, Math.min(160, msg.length())));
        } finally {
            Files.deleteIfExists(tmp);
        }
        return 0;
    }
}
