package org.dl4jpgm.datavec.common;

import java.nio.file.Path;

/** Checks shared by the readers; each failure is a {@link DataFormatException} naming file and place. */
public final class Validation {

    private Validation() {
    }

    /**
     * Requires every value to be finite.
     *
     * @param values the feature values
     * @param file   file they come from
     * @param where  record (and field) they belong to
     */
    public static void requireFinite(float[] values, Path file, String where) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new DataFormatException(file, where, "finite feature values", values[i] + " at flat index " + i);
            }
        }
    }

    /** As {@link #requireFinite(float[], Path, String)} for doubles. */
    public static void requireFinite(double[] values, Path file, String where) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new DataFormatException(file, where, "finite feature values", values[i] + " at flat index " + i);
            }
        }
    }

    /**
     * Applies a {@link BadRecordPolicy} to a failed check: rethrows under FAIL, records it under SKIP.
     *
     * @return always false, so that callers can write {@code keep = Validation.reject(...)}
     */
    public static boolean reject(DataFormatException e, BadRecordPolicy policy, SkipReport report) {
        if (policy == BadRecordPolicy.FAIL) {
            throw e;
        }
        report.skipped(e.getMessage());
        return false;
    }

    /**
     * Requires a split to still hold a record after the bad ones were left out under {@link BadRecordPolicy#SKIP}:
     * an empty split always fails.
     *
     * @param count   records kept
     * @param file    the file (or folder) the split is read from
     * @param split   the split's name
     * @param skipped records of that file left out
     * @throws DataFormatException {@code <file>, split '<split>': expected at least one record, found an empty split
     *                             after <skipped> record(s) skipped}
     */
    public static void requireNonEmptySplit(int count, Path file, String split, int skipped) {
        if (count == 0) {
            throw new DataFormatException(file, "split '" + split + "'", "at least one record",
                    "an empty split after " + skipped + " record(s) skipped");
        }
    }

    /**
     * Requires a split to hold at least one record once the bad ones are left out.
     *
     * @throws DataFormatException {@code <file>, <split>: expected at least one record, found an empty split after
     *                             <skipped> record(s) skipped}
     */
    public static void requireNonEmpty(int count, Path file, String split, int skipped) {
        if (count == 0) {
            throw new DataFormatException(file, split, "at least one record", "an empty split after " + skipped
                    + " record(s) skipped");
        }
    }

    /** Requires a split to hold at least one record. */
    public static void requireNonEmpty(int count, Path file, String split) {
        if (count == 0) {
            throw new DataFormatException(file, split, "at least one record", "an empty split");
        }
    }
}
