package org.dl4jpgm.datavec.cache;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line text progress bar with throughput (items/s) and remaining time, redrawn with a carriage return
 * at most every {@code minIntervalMs} milliseconds, and a final line with the totals.
 */
public final class ProgressBar {

    private final PrintStream out;
    private final String label;
    private final long total;
    private final long minIntervalNanos;
    private final long start = System.nanoTime();
    private long done;
    private long lastDraw;

    /**
     * @param out           where to draw (e.g. System.err)
     * @param label         what is counted
     * @param total         items in all, > 0
     * @param minIntervalMs least time between redraws
     */
    public ProgressBar(PrintStream out, String label, long total, long minIntervalMs) {
        if (total <= 0) {
            throw new IllegalArgumentException("ProgressBar: total must be > 0, found " + total);
        }
        this.out = out;
        this.label = label;
        this.total = total;
        this.minIntervalNanos = minIntervalMs * 1_000_000L;
    }

    /** Adds {@code n} finished items and redraws if due. */
    public void step(long n) {
        done += n;
        long now = System.nanoTime();
        if (now - lastDraw >= minIntervalNanos || done >= total) {
            lastDraw = now;
            out.print('\r' + line(now));
            out.flush();
        }
    }

    /** Ends the bar with a newline and the totals. */
    public void finish() {
        out.print('\r' + line(System.nanoTime()) + System.lineSeparator());
        out.flush();
    }

    /** @return items per second so far */
    public double throughput() {
        double s = (System.nanoTime() - start) / 1e9;
        return s > 0 ? done / s : 0;
    }

    String line(long now) {
        int width = 30;
        int filled = (int) (width * Math.min(1.0, (double) done / total));
        double secs = (now - start) / 1e9;
        double rate = secs > 0 ? done / secs : 0;
        double eta = rate > 0 ? (total - done) / rate : Double.NaN;
        return String.format(Locale.ROOT, "%s [%s%s] %d/%d %3d%% %.1f items/s ETA %s", label,
                "#".repeat(filled), " ".repeat(width - filled), done, total, (int) (100 * done / total), rate,
                Double.isNaN(eta) ? "?" : String.format(Locale.ROOT, "%.0fs", eta));
    }
}
