package org.dl4jpgm.datavec.mosi;

/** The three splits of an MMSA pickle: the top-level dict keys. */
public enum MmsaSplit {
    /** key "train" */
    TRAIN("train"),
    /** key "valid" */
    VALID("valid"),
    /** key "test" */
    TEST("test");

    private final String key;

    MmsaSplit(String key) {
        this.key = key;
    }

    /** @return the dict key in the pickle */
    public String key() {
        return key;
    }
}
