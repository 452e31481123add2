package org.dl4jpgm.encoders.text;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Features of a batch of texts: {@code sequence} [B, L, 384] (MiniLM's last hidden state), {@code mask}
 * [B, L] (1 = token, 0 = padding), {@code pooled} [B, 384] (masked mean over the sequence, optionally
 * L2-normalised). For DL4J's recurrent layout [B, D, S] use {@code sequence.permute(0, 2, 1)}.
 */
public final class TextFeatures {
    private final INDArray sequence;
    private final INDArray mask;
    private final INDArray pooled;

    TextFeatures(INDArray sequence, INDArray mask, INDArray pooled) {
        this.sequence = sequence;
        this.mask = mask;
        this.pooled = pooled;
    }

    /** @return [B, L, 384] */
    public INDArray sequence() {
        return sequence;
    }

    /** @return [B, L], 1 = token, 0 = padding */
    public INDArray mask() {
        return mask;
    }

    /** @return [B, 384] */
    public INDArray pooled() {
        return pooled;
    }
}
