package org.dl4jpgm.datavec.mosi;

/**
 * Further entries of an MMSA split dict that {@link MosiPickleSequenceRecordReader}'s record view serves on request
 * ({@link MosiPickleSequenceRecordReader.Builder#extras}), after the id and the regression label, in the order asked.
 */
public enum MosiExtra {
    /** "raw_text" [N]: the utterance (Text). */
    RAW_TEXT("raw_text"),
    /** "classification_labels" [N]: MMSA's class of the score, 0 negative, 1 neutral, 2 positive (Double). */
    CLASSIFICATION_LABEL("classification_labels"),
    /** "text_bert" [N, 3, S]: BERT input ids, attention mask and segment ids (NDArrayWritable [3, S]). */
    TEXT_BERT("text_bert");

    private final String key;

    MosiExtra(String key) {
        this.key = key;
    }

    /** @return the key in the split dict */
    public String key() {
        return key;
    }
}
