package org.dl4jpgm.encoders.text;

import org.dl4jpgm.encoders.EncoderBackend;
import org.dl4jpgm.encoders.ModelFiles;
import org.dl4jpgm.encoders.SameDiffModelRunner;
import org.dl4jpgm.encoders.onnx.OnnxSameDiffConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MiniLM converted to SameDiff against ONNX Runtime on real sentences (max abs difference <= 1e-4), the
 * saved conversion reloaded without import, and the output shapes. The conversion runs once per class.
 */
class MiniLmTextEncoderTest {

    private static final int L = 32;
    private static final List<String> SENTENCES = List.of(
            "The battery lasts all day and the screen is bright.",
            "I would not recommend this phone to anyone; it broke after a week.",
            "Good sound quality, fast shipping.");

    @TempDir
    static Path cacheDir;
    private static MiniLmTextEncoder ort;
    private static MiniLmTextEncoder sameDiff;

    @BeforeAll
    static void setUp() throws Exception {
        TextEncoderConfig.Builder b = TextEncoderConfig.builder().maxLength(L).convertedCacheDir(cacheDir);
        ort = MiniLmTextEncoder.create(b.backend(EncoderBackend.ONNX_RUNTIME).build());
        sameDiff = MiniLmTextEncoder.create(b.backend(EncoderBackend.SAMEDIFF).build());
    }

    @AfterAll
    static void tearDown() {
        ort.close();
        sameDiff.close();
    }

    @Test
    void sameDiffConversionMatchesOnnxRuntimeOnRealSentences() {
        TextFeatures a = ort.encode(SENTENCES);
        TextFeatures b = sameDiff.encode(SENTENCES);
        assertArrayEquals(new long[]{3, L, 384}, a.sequence().shape());
        assertArrayEquals(new long[]{3, L, 384}, b.sequence().shape());
        double seqDiff = a.sequence().sub(b.sequence()).amaxNumber().doubleValue();
        double poolDiff = a.pooled().sub(b.pooled()).amaxNumber().doubleValue();
        assertTrue(seqDiff <= 1e-4, "sequence max abs diff " + seqDiff);
        assertTrue(poolDiff <= 1e-4, "pooled max abs diff " + poolDiff);
        assertTrue(a.sequence().amaxNumber().doubleValue() > 0.1, "features are not trivially zero");
    }

    @Test
    void pooledFeaturesAreUnitLengthMaskedMeansAndMeaningful() {
        TextFeatures f = ort.encode(List.of("A man is playing a guitar.", "Someone plays an acoustic guitar.",
                "The stock market fell sharply today."));
        assertArrayEquals(new long[]{3, 384}, f.pooled().shape());
        assertArrayEquals(new long[]{3, L}, f.mask().shape());
        INDArray norms = f.pooled().norm2(1);
        assertEquals(0.0, norms.sub(1).amaxNumber().doubleValue(), 1e-5);
        double similar = f.pooled().getRow(0).mul(f.pooled().getRow(1)).sumNumber().doubleValue();
        double unrelated = f.pooled().getRow(0).mul(f.pooled().getRow(2)).sumNumber().doubleValue();
        assertTrue(similar > unrelated + 0.3, "cos(similar)=" + similar + " cos(unrelated)=" + unrelated);
        // masked mean by hand for row 2
        INDArray seq = f.sequence();
        int n = f.mask().getRow(2).sumNumber().intValue();
        INDArray mean = seq.get(org.nd4j.linalg.indexing.NDArrayIndex.point(2),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).mean(0);
        INDArray expected = mean.div(mean.norm2Number());
        assertEquals(0.0, expected.sub(f.pooled().getRow(2)).amaxNumber().doubleValue(), 1e-5);
    }

    @Test
    void secondConversionLoadsTheSavedGraphInsteadOfImporting() throws Exception {
        OnnxSameDiffConverter.Converted first = ((SameDiffModelRunner) sameDiff.runner()).converted();
        assertFalse(first.loadedFromCache(), "the first conversion imports");
        assertTrue(first.changes().get("mmulAlphaBeta (post-import)") > 0);
        long t0 = System.nanoTime();
        OnnxSameDiffConverter.Converted second = MiniLmTextEncoder.convert(ModelFiles.miniLmModel(),
                TextEncoderConfig.builder().maxLength(L).convertedCacheDir(cacheDir).build(), sameDiff.tokenizer());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(second.loadedFromCache(), "the second conversion loads the flatbuffers file");
        assertEquals(first.flatFile(), second.flatFile());
        var in = MiniLmTextEncoder.inputs(sameDiff.tokenizer(), SENTENCES, L);
        INDArray x = first.output(in, MiniLmTextEncoder.LAST_HIDDEN_STATE).get(MiniLmTextEncoder.LAST_HIDDEN_STATE);
        INDArray y = second.output(in, MiniLmTextEncoder.LAST_HIDDEN_STATE).get(MiniLmTextEncoder.LAST_HIDDEN_STATE);
        assertEquals(0.0, x.sub(y).amaxNumber().doubleValue(), 1e-6,
                "reloaded graph computes the same (" + ms + " ms to load)");
        // another L is another graph: another file, never a silent reuse of the L = 32 one
        OnnxSameDiffConverter conv = OnnxSameDiffConverter.builder().cacheDir(cacheDir).build();
        assertFalse(conv.cacheKeyFor(ModelFiles.miniLmModel(), MiniLmTextEncoder.inputs(sameDiff.tokenizer(),
                SENTENCES, L + 1)).equals(conv.cacheKeyFor(ModelFiles.miniLmModel(), in)));
    }

    @Test
    void identityNamesModelAndSettingsAndConfigRejectsBadValues() {
        assertTrue(ort.identity().startsWith("minilm-l6-v2 model-sha256="), ort.identity());
        assertTrue(ort.identity().contains("L=" + L));
        assertEquals(ort.identity(), sameDiff.identity(), "the backend does not change the features");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TextEncoderConfig.builder().maxLength(1000).build());
        assertTrue(e.getMessage().contains("1000"));
        assertThrows(IllegalArgumentException.class, () -> ort.encode(List.of()));
    }
}
