package org.dl4jpgm.encoders.onnx;

import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The post-import MatMul fix, on a graph imported by samediff-import-onnx 1.0.0-M2.1. */
class SameDiffFixesTest {

    @Test
    void importedMatMulIsWrongUntilAlphaBetaAreFixedAndStaysFixedAfterSaveAndLoad(@TempDir Path dir)
            throws Exception {
        float[] w = new float[4 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = i * 0.25f - 1;
        }
        Onnx.ModelProto m = new OnnxTestGraphs().input("x", -1, 4).output("y").init("w", new long[]{4, 3}, w)
                .node("MatMul", new String[]{"x", "w"}, new String[]{"y"}).model();
        Path file = dir.resolve("mm.onnx");
        Files.write(file, m.toByteArray());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4).addi(1);
        INDArray expected = x.mmul(Nd4j.create(w, new long[]{4, 3}, 'c'));

        SameDiff sd = new OnnxFrameworkImporter().runImport(file.toString(), Map.of("x", x), false);
        double before = expected.sub(sd.output(Map.of("x", x), "y").get("y")).amaxNumber().doubleValue();
        assertTrue(before > 1e-2, "without the fix the import computes something else (max diff " + before + ")");

        assertEquals(1, SameDiffFixes.mmulAlphaBeta(sd));
        assertEquals(0, SameDiffFixes.mmulAlphaBeta(sd), "idempotent");
        assertEquals(0.0, expected.sub(sd.output(Map.of("x", x), "y").get("y")).amaxNumber().doubleValue(), 1e-5);

        File flat = dir.resolve("mm.fb").toFile();
        sd.asFlatFile(flat);
        SameDiff loaded = SameDiff.fromFlatFile(flat);
        assertEquals(0.0, expected.sub(loaded.output(Map.of("x", x), "y").get("y")).amaxNumber().doubleValue(), 1e-5);
    }
}
