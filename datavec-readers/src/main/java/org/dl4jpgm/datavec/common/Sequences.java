package org.dl4jpgm.datavec.common;

import org.dl4jpgm.datavec.layout.SplitCollector;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Writable;

import java.util.List;

/** Conversions of reader output to plain arrays, for the exporters. */
public final class Sequences {

    private Sequences() {
    }

    /** @return a sequence view (one NDArrayWritable [1, D] per step) as [S][D] */
    public static float[][] steps(List<List<Writable>> seq) {
        float[][] out = new float[seq.size()][];
        for (int t = 0; t < out.length; t++) {
            Writable w = seq.get(t).get(0);
            if (!(w instanceof NDArrayWritable)) {
                throw new IllegalArgumentException("expected numeric features (NDArrayWritable) at step " + t
                        + ", found " + w.getClass().getSimpleName() + " '" + w + "': embed word sequences first");
            }
            out[t] = SplitCollector.row(((NDArrayWritable) w).get());
        }
        return out;
    }

    /** @return one NDArrayWritable as [1][D] */
    public static float[][] vector(Writable w) {
        return new float[][]{SplitCollector.row(((NDArrayWritable) w).get())};
    }
}
