package org.dl4jpgm.datavec.common;

/**
 * What a reader does with a record that fails validation (a label out of range, NaN or Inf features, a missing
 * image, a row without features).
 */
public enum BadRecordPolicy {
    /** Throw a {@link DataFormatException} naming the file and record (the default of every reader). */
    FAIL,
    /** Leave the record out, count it and keep its reason in the reader's {@link SkipReport}. */
    SKIP
}
