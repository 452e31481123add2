package org.dl4jpgm.examples.bench;

import onnx.Onnx;
import org.dl4jpgm.encoders.ModelFiles;
import org.dl4jpgm.encoders.OrtModelRunner;
import org.dl4jpgm.encoders.audio.OpenWakeWordAudioEncoder;
import org.dl4jpgm.encoders.onnx.OnnxGraphPreparer;
import org.dl4jpgm.encoders.onnx.OnnxGraphRewrites;
import org.dl4jpgm.encoders.onnx.SameDiffFixes;
import org.dl4jpgm.encoders.text.MiniLmTextEncoder;
import org.dl4jpgm.encoders.text.WordPieceTokenizer;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Shows what each graph rewrite and the post-import fix are for: converts one model with one rewrite (or the
 * MatMul fix) left out and prints one line: the importer's failure, or the max abs difference to ONNX Runtime.
 * Run it in a fresh JVM per case (some failures are native crashes).
 *
 * <p>Arguments: {@code minilm|mel|embedding} and a rewrite name from {@link OnnxGraphPreparer#REWRITES},
 * {@code mmulAlphaBeta} (leave the post-import fix out) or {@code none} (everything applied).
 */
public final class RewriteAblation {

    private RewriteAblation() {
    }

    public static void main(String[] args) throws Exception {
        String model = args[0];
        String left = args[1];
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
                throw new IllegalArgumentException("RewriteAblation: model must be minilm, mel or embedding, found "
                        + model);
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
        PrintStream stdout = System.out;
        try {
            Onnx.ModelProto prepared = pb.build().prepare(Onnx.ModelProto.parseFrom(Files.readAllBytes(file)), in)
                    .model();
            Files.write(tmp, prepared.toByteArray());
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            java.util.function.UnaryOperator<String> name = "sanitizeNames".equals(left)
                    ? OnnxGraphRewrites::avoidImporterName
                    : "renameImporterLikeNames".equals(left) ? OnnxGraphRewrites::sanitizeName
                    : OnnxGraphRewrites::sameDiffName;
            Map<String, INDArray> sdIn = new java.util.HashMap<>();
            in.forEach((k, v) -> sdIn.put(name.apply(k), v));
            SameDiff sd = new OnnxFrameworkImporter().runImport(tmp.toString(), sdIn, false);
            if (!"mmulAlphaBeta".equals(left)) {
                SameDiffFixes.mmulAlphaBeta(sd);
            }
            String sdOut = name.apply(out);
            INDArray got = sd.output(sdIn, sdOut).get(sdOut);
            System.setOut(stdout);
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
            System.setOut(stdout);
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
    }
}
