package org.dl4jpgm.datavec.layout;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the raw label strings of one target into the label array DL4J trains on: one-hot
 * [N, K] float32 for classification (column = position of the class in the ordered class list),
 * [N, 1] float32 for regression. Rejects unknown class names and non-finite or unparsable numbers.
 */
public final class LabelEncoder {

    private LabelEncoder() {
    }

    /**
     * Checks every value and returns the class index (classification) or the number (regression) per row.
     *
     * @param target the target's spec
     * @param values raw label strings, one per example
     * @param file   the CSV they come from or go to (for messages; row i is line i + 2)
     * @throws DatasetFormatException naming file, line, the expected classes or number and the bad value
     */
    public static double[] decode(TargetSpec target, List<String> values, Path file) {
        double[] out = new double[values.size()];
        Map<String, Integer> index = new HashMap<>();
        List<String> classes = target.getClasses();
        for (int k = 0; k < classes.size(); k++) {
            index.put(classes.get(k), k);
        }
        for (int i = 0; i < out.length; i++) {
            String v = values.get(i) == null ? "" : values.get(i).trim();
            if (target.getTask() == TaskType.CLASSIFICATION) {
                Integer k = index.get(v);
                if (k == null) {
                    throw new DatasetFormatException(file, i + 2, "target '" + target.getName() + "': expected one of the classes "
                            + classes + ", found \"" + v + "\"");
                }
                out[i] = k;
            } else {
                double d;
                try {
                    d = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new DatasetFormatException(file, i + 2, "target '" + target.getName()
                            + "' (regression): expected a number, found \"" + v + "\"");
                }
                if (!Double.isFinite(d)) {
                    throw new DatasetFormatException(file, i + 2, "target '" + target.getName()
                            + "' (regression): expected a finite number, found \"" + v + "\"");
                }
                out[i] = d;
            }
        }
        return out;
    }

    /**
     * Label array for the rows {@code rows} of already decoded values.
     *
     * @return [rows.length, K] one-hot (classification) or [rows.length, 1] (regression), float32
     */
    public static INDArray toArray(TargetSpec target, double[] decoded, int[] rows) {
        int w = target.labelWidth();
        float[] buf = new float[rows.length * w];
        for (int i = 0; i < rows.length; i++) {
            double v = decoded[rows[i]];
            if (target.getTask() == TaskType.CLASSIFICATION) {
                buf[i * w + (int) v] = 1f;
            } else {
                buf[i] = (float) v;
            }
        }
        return Nd4j.create(buf, new long[]{rows.length, w}, 'c').castTo(DataType.FLOAT);
    }
}
