package org.dl4jpgm.datavec.mosi;

/** The three MOSI modalities: the feature keys of an MMSA split dict (each [N, S, D] float32). */
public enum MosiModality {
    /** "text": BERT features [N, 50, 768] */
    TEXT("text"),
    /** "audio": COVAREP features [N, S, 5] */
    AUDIO("audio"),
    /** "vision": Facet features [N, S, 20] */
    VISION("vision");

    private final String key;

    MosiModality(String key) {
        this.key = key;
    }

    /** @return the key of the features in the split dict */
    public String key() {
        return key;
    }

    /** @return the key of the true sequence lengths in unaligned pickles ("audio_lengths", ...) */
    public String lengthsKey() {
        return key + "_lengths";
    }
}
