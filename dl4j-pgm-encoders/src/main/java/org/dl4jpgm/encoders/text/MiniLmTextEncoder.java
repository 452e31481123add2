package org.dl4jpgm.encoders.text;

import org.dl4jpgm.encoders.EncoderBackend;
import org.dl4jpgm.encoders.ModelFiles;
import org.dl4jpgm.encoders.ModelRunner;
import org.dl4jpgm.encoders.OrtModelRunner;
import org.dl4jpgm.encoders.SameDiffModelRunner;
import org.dl4jpgm.encoders.onnx.OnnxGraphPreparer;
import org.dl4jpgm.encoders.onnx.OnnxSameDiffConverter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The frozen text encoder: sentence-transformers all-MiniLM-L6-v2 (6 layers, D = 384), tokenised by
 * {@link WordPieceTokenizer}, run by ONNX Runtime or by its SameDiff conversion.
 *
 * <p>{@link #encode}: N texts to {@link TextFeatures}: sequence [N, L, 384], mask [N, L] (1 = token,
 * 0 = padding), pooled [N, 384].
 */
public final class MiniLmTextEncoder implements AutoCloseable {

    /** ONNX input names of MiniLM. */
    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";
    /** ONNX output name of the sequence features. */
    public static final String LAST_HIDDEN_STATE = "last_hidden_state";
    /** Feature width D. */
    public static final int DIM = 384;

    private final TextEncoderConfig config;
    private final WordPieceTokenizer tokenizer;
    private final ModelRunner runner;
    private final String identity;

    private MiniLmTextEncoder(TextEncoderConfig config, WordPieceTokenizer tokenizer, ModelRunner runner,
                              String identity) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.runner = runner;
        this.identity = identity;
    }

    /**
     * Loads the tokenizer and the model on the configured backend (for SAMEDIFF: converts, or loads the saved
     * conversion).
     */
    public static MiniLmTextEncoder create(TextEncoderConfig config) throws IOException {
        Path model = config.getModelFile() != null ? config.getModelFile() : ModelFiles.miniLmModel();
        Path tok = config.getTokenizerFile() != null ? config.getTokenizerFile() : ModelFiles.miniLmTokenizer();
        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromTokenizerJson(tok);
        ModelRunner runner;
        if (config.getBackend() == EncoderBackend.ONNX_RUNTIME) {
            runner = new OrtModelRunner(model);
        } else {
            runner = new SameDiffModelRunner(convert(model, config, tokenizer));
        }
        String identity = "minilm-l6-v2 model-sha256=" + ModelFiles.sha256(model).substring(0, 16)
                + " tokenizer-sha256=" + ModelFiles.sha256(tok).substring(0, 16) + " L=" + config.getMaxLength()
                + " pooling=mean normalize=" + config.isNormalizePooled();
        return new MiniLmTextEncoder(config, tokenizer, runner, identity);
    }

    /** Converts MiniLM to SameDiff (or loads the saved conversion) at the configured L. */
    public static OnnxSameDiffConverter.Converted convert(Path model, TextEncoderConfig config,
                                                          WordPieceTokenizer tokenizer) throws IOException {
        OnnxSameDiffConverter.Builder b = OnnxSameDiffConverter.builder()
                .preparer(OnnxGraphPreparer.builder().keepOutputs(LAST_HIDDEN_STATE).build());
        if (config.getConvertedCacheDir() != null) {
            b.cacheDir(config.getConvertedCacheDir());
        }
        List<String> sample = List.of("A sample sentence for shapes.", "Another one.");
        return b.build().convert(model, inputs(tokenizer, sample, config.getMaxLength()));
    }

    /** @return the ONNX inputs for texts at length L: input_ids, attention_mask, token_type_ids, [B, L] int64 */
    public static Map<String, INDArray> inputs(WordPieceTokenizer tokenizer, List<String> texts, int maxLength) {
        long[][] ids = new long[texts.size()][];
        long[][] mask = new long[texts.size()][];
        long[][] types = new long[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            WordPieceTokenizer.Encoding e = tokenizer.encode(texts.get(i), maxLength);
            ids[i] = e.inputIds();
            mask[i] = e.attentionMask();
            types[i] = e.tokenTypeIds();
        }
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(INPUT_IDS, Nd4j.createFromArray(ids));
        m.put(ATTENTION_MASK, Nd4j.createFromArray(mask));
        m.put(TOKEN_TYPE_IDS, Nd4j.createFromArray(types));
        return m;
    }

    /**
     * @param texts N texts
     * @return sequence [N, L, 384], mask [N, L], pooled [N, 384]
     */
    public TextFeatures encode(List<String> texts) {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("MiniLmTextEncoder: no texts to encode");
        }
        List<INDArray> seqs = new ArrayList<>();
        List<INDArray> masks = new ArrayList<>();
        for (int from = 0; from < texts.size(); from += config.getBatchSize()) {
            List<String> batch = texts.subList(from, Math.min(texts.size(), from + config.getBatchSize()));
            Map<String, INDArray> in = inputs(tokenizer, batch, config.getMaxLength());
            seqs.add(runner.run(in, LAST_HIDDEN_STATE).get(LAST_HIDDEN_STATE));
            masks.add(in.get(ATTENTION_MASK).castTo(DataType.FLOAT));
        }
        INDArray seq = seqs.size() == 1 ? seqs.get(0) : Nd4j.concat(0, seqs.toArray(new INDArray[0]));
        INDArray mask = masks.size() == 1 ? masks.get(0) : Nd4j.concat(0, masks.toArray(new INDArray[0]));
        return new TextFeatures(seq, mask, pool(seq, mask, config.isNormalizePooled()));
    }

    /**
     * Masked mean over the sequence axis.
     *
     * @param seq       [B, L, D]
     * @param mask      [B, L], 1 = keep, 0 = masked
     * @param normalize L2-normalise each row
     * @return [B, D]
     */
    public static INDArray pool(INDArray seq, INDArray mask, boolean normalize) {
        INDArray m = mask.castTo(seq.dataType());
        INDArray sum = seq.mul(m.reshape(m.size(0), m.size(1), 1)).sum(1);
        INDArray count = m.sum(1).reshape(m.size(0), 1);
        INDArray mean = sum.diviColumnVector(Nd4j.getExecutioner().exec(
                new org.nd4j.linalg.api.ops.impl.scalar.ScalarMax(count.dup(), 1e-9)));
        if (normalize) {
            INDArray norm = mean.norm2(1).reshape(mean.size(0), 1);
            mean.diviColumnVector(Nd4j.getExecutioner().exec(
                    new org.nd4j.linalg.api.ops.impl.scalar.ScalarMax(norm, 1e-12)));
        }
        return mean;
    }

    /** @return the tokenizer */
    public WordPieceTokenizer tokenizer() {
        return tokenizer;
    }

    /** @return the runner (for SAMEDIFF a {@link SameDiffModelRunner} exposing the graph) */
    public ModelRunner runner() {
        return runner;
    }

    /** @return the configuration */
    public TextEncoderConfig config() {
        return config;
    }

    /**
     * @return what determines the features: model and tokenizer checksums, L, pooling (not the backend: both
     * agree to 1e-4); the feature cache stores it
     */
    public String identity() {
        return identity;
    }

    @Override
    public void close() {
        runner.close();
    }

}
