package org.dl4jpgm.encoders.audio;

import org.dl4jpgm.datavec.audio.WavReader;

import org.dl4jpgm.encoders.EncoderBackend;
import org.dl4jpgm.encoders.SameDiffModelRunner;
import org.dl4jpgm.encoders.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * openWakeWord's melspectrogram and embedding models converted to SameDiff against ONNX Runtime on speech
 * synthesised by espeak-ng (22.05 kHz WAV, resampled to 16 kHz): max abs difference <= 1e-4.
 */
class OpenWakeWordAudioEncoderTest {

    @TempDir
    static Path dir;
    private static OpenWakeWordAudioEncoder ort;
    private static OpenWakeWordAudioEncoder sameDiff;
    private static Path speech;

    @BeforeAll
    static void setUp() throws Exception {
        Path mel = TestModels.openWakeWord("melspectrogram.onnx");
        Path emb = TestModels.openWakeWord("embedding_model.onnx");
        String espeak = TestModels.espeak();
        speech = dir.resolve("speech.wav");
        Process p = new ProcessBuilder(espeak, "-w", speech.toString(),
                "The quick brown fox jumps over the lazy dog. Hey Jarvis, what is the weather today?")
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "espeak-ng failed");
        AudioEncoderConfig.Builder b = AudioEncoderConfig.builder().melModel(mel).embeddingModel(emb)
                .segmentChunks(25).convertedCacheDir(dir.resolve("converted"));
        ort = OpenWakeWordAudioEncoder.create(b.backend(EncoderBackend.ONNX_RUNTIME).build());
        sameDiff = OpenWakeWordAudioEncoder.create(b.backend(EncoderBackend.SAMEDIFF).build());
    }

    @AfterAll
    static void tearDown() {
        if (ort != null) {
            ort.close();
            sameDiff.close();
        }
    }

    @Test
    void sameDiffConversionMatchesOnnxRuntimeOnSpeech() throws Exception {
        WavReader.Audio raw = WavReader.read(speech);
        assertEquals(22050, raw.sampleRate(), "espeak-ng writes 22.05 kHz");
        float[] x = OpenWakeWordAudioEncoder.load16k(speech);
        assertEquals(raw.samples().length * 16000.0 / 22050, x.length, 1.0);

        INDArray melA = ort.melFrames(x);
        INDArray melB = sameDiff.melFrames(x);
        long chunks = (x.length + 1279) / 1280;
        assertArrayEquals(new long[]{chunks * 8, 32}, melA.shape());
        double melDiff = melA.sub(melB).amaxNumber().doubleValue();
        assertTrue(melDiff <= 1e-4, "mel max abs diff " + melDiff);

        INDArray a = ort.embedFrames(melA);
        INDArray b = sameDiff.embedFrames(melA);
        assertArrayEquals(new long[]{(chunks * 8 - 76) / 8 + 1, 96}, a.shape());
        double embDiff = a.sub(b).amaxNumber().doubleValue();
        assertTrue(embDiff <= 1e-4, "embedding max abs diff " + embDiff);
        assertTrue(a.amaxNumber().doubleValue() > 1, "embeddings are not trivially small");

        INDArray wav = ort.embedWav(speech);
        assertEquals(0.0, wav.sub(a).amaxNumber().doubleValue(), 1e-5, "embedWav = load16k + embed");
    }

    @Test
    void speechAndSilenceGiveDifferentEmbeddingsAndShortClipsArePadded() {
        float[] silence = new float[8000];
        INDArray s = ort.embed(silence);
        assertArrayEquals(new long[]{1, 96}, s.shape(), "0.5 s is padded to one 76-frame window");
        float[] tone = new float[16000];
        for (int i = 0; i < tone.length; i++) {
            tone[i] = (float) (0.3 * Math.sin(2 * Math.PI * 300 * i / 16000.0));
        }
        INDArray t = ort.embed(tone);
        assertArrayEquals(new long[]{4, 96}, t.shape(), "1 s = 13 started chunks = 104 frames = 4 windows");
        assertTrue(t.getRow(0).sub(s.getRow(0)).amaxNumber().doubleValue() > 0.5);
    }

    /**
     * The converted graph can sit inside a trainable SameDiff graph: with its weights made variables, a loss on
     * its output back-propagates to them, and the gradient agrees with a finite difference.
     */
    @Test
    void convertedEmbeddingModelGivesGradientsForFineTuning() throws Exception {
        org.nd4j.autodiff.samediff.SameDiff sd = org.nd4j.autodiff.samediff.SameDiff.fromFlatFile(
                ((SameDiffModelRunner) sameDiff.embeddingRunner()).converted().flatFile().toFile());
        java.util.List<String> weights = org.dl4jpgm.encoders.FineTuning.makeTrainable(sd);
        assertTrue(weights.size() >= 40, "conv weights and biases become variables: " + weights.size());
        String in = org.dl4jpgm.encoders.onnx.OnnxGraphRewrites.sameDiffName(OpenWakeWordAudioEncoder.EMB_IN);
        String out = org.dl4jpgm.encoders.onnx.OnnxGraphRewrites.sameDiffName(OpenWakeWordAudioEncoder.EMB_OUT);
        org.nd4j.autodiff.samediff.SDVariable y = sd.getVariable(out);
        y.mul(y).mean().rename("loss").markAsLoss();
        org.nd4j.linalg.api.rng.Random rng = org.nd4j.linalg.factory.Nd4j.getRandom();
        rng.setSeed(11);
        INDArray x = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 76, 32, 1)
                .muli(4);
        String w = weights.stream().filter(n -> n.contains("conv2d_19")).findFirst().orElse(weights.get(0));
        INDArray g = sd.calculateGradients(java.util.Map.of(in, x), w).get(w);
        assertTrue(g.norm2Number().doubleValue() > 0, "non-zero gradient for " + w);
        long idx = g.reshape(-1).argMax().getLong(0);
        INDArray param = sd.getVariable(w).getArr();
        float orig = param.reshape(-1).getFloat(idx);
        double h = 1e-2;
        param.reshape(-1).putScalar(idx, orig + h);
        double up = sd.output(java.util.Map.of(in, x), "loss").get("loss").getDouble(0);
        param.reshape(-1).putScalar(idx, orig - h);
        double down = sd.output(java.util.Map.of(in, x), "loss").get("loss").getDouble(0);
        param.reshape(-1).putScalar(idx, orig);
        double numeric = (up - down) / (2 * h);
        double analytic = g.reshape(-1).getDouble(idx);
        assertEquals(analytic, numeric, 0.05 * Math.abs(analytic) + 1e-3, "d loss / d " + w + "[" + idx + "]");
    }

    @Test
    void convertedGraphsAreSavedAndReloaded() throws Exception {
        assertFalse(((SameDiffModelRunner) sameDiff.melRunner()).converted().loadedFromCache());
        try (OpenWakeWordAudioEncoder again = OpenWakeWordAudioEncoder.create(AudioEncoderConfig.builder()
                .melModel(TestModels.openWakeWord("melspectrogram.onnx"))
                .embeddingModel(TestModels.openWakeWord("embedding_model.onnx"))
                .segmentChunks(25).convertedCacheDir(dir.resolve("converted")).backend(EncoderBackend.SAMEDIFF)
                .build())) {
            assertTrue(((SameDiffModelRunner) again.melRunner()).converted().loadedFromCache());
            assertTrue(((SameDiffModelRunner) again.embeddingRunner()).converted().loadedFromCache());
        }
    }
}
