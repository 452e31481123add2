package org.dl4jpgm.datavec.common;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The records a reader left out under {@link BadRecordPolicy#SKIP}: how many, and why (each reason names file and
 * record). Nothing is dropped silently: every skip is counted here, and the exporters hand the report to their caller
 * (the task mains print each reason once). The report does not log: a record is read more than once on some paths
 * (a feature pass before the export, a validation split re-reading the train file), and one log line per reading
 * repeated the same warning.
 */
public final class SkipReport {

    private final List<String> reasons = new ArrayList<>();
    private int total;

    /** Records one skipped record; {@code reason} is the message the FAIL policy would have thrown. */
    public void skipped(String reason) {
        total++;
        reasons.add(reason);
    }

    /** @return the number of records skipped */
    public int count() {
        return total;
    }

    /** @return the reason of every skipped record, in reading order */
    public List<String> reasons() {
        return Collections.unmodifiableList(reasons);
    }

    /** Forgets all skips (called when a reader is re-initialized). */
    public void clear() {
        total = 0;
        reasons.clear();
    }

    @Override
    public String toString() {
        return total + " record(s) skipped" + (total == 0 ? "" : ": " + String.join("; ", reasons));
    }
}
