package org.dl4jpgm.encoders.audio;

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
