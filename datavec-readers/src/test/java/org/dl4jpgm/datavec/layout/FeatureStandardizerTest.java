package org.dl4jpgm.datavec.layout;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureStandardizerTest {

    /** Vectors [3, 2]: column 0 = 1, 2, 6 (mean 3, std sqrt(14/3)); column 1 constant 5 (only centred). */
    @Test
    void vectorsByHandAndConstantDimensionOnlyCentred() {
        SplitData s = new SplitData(List.of("a", "b", "c"),
                Map.of("v", Nd4j.createFromArray(new float[][]{{1, 5}, {2, 5}, {6, 5}})), Map.of(),
                Map.of("label", List.of("x", "y", "x")));
        FeatureStandardizer f = FeatureStandardizer.fit(s);
        assertArrayEquals(new double[]{3, 5}, f.mean().get("v"), 1e-12);
        assertArrayEquals(new double[]{Math.sqrt(14 / 3.0), 1}, f.std().get("v"), 1e-12);
        SplitData t = f.apply(s);
        double sd = Math.sqrt(14 / 3.0);
        assertArrayEquals(new float[]{(float) (-2 / sd), 0, (float) (-1 / sd), 0, (float) (3 / sd), 0},
                t.features("v").dup('c').data().asFloat(), 1e-6f);
        assertEquals(s.ids(), t.ids());
        assertEquals(s.labels("label"), t.labels("label"));
    }

    /**
     * Sequences [2, 3, 1] with lengths 2 and 1: the statistics come from the 3 valid steps only (1, 3, 5: mean 3, std
     * sqrt(8/3)); padded steps (99) keep their value; lengths are kept. Checked against ND4J's own mean and std over
     * the valid values.
     */
    @Test
    void sequencesUseValidStepsOnlyAndLeavePaddingAlone() {
        INDArray x = Nd4j.createFromArray(new float[][][]{{{1}, {3}, {99}}, {{5}, {99}, {99}}});
        SplitData s = new SplitData(List.of("a", "b"), Map.of("seq", x), Map.of("seq", new int[]{2, 1}),
                Map.of("label", List.of("1", "2")));
        FeatureStandardizer f = FeatureStandardizer.fit(s);
        INDArray valid = Nd4j.createFromArray(1.0, 3.0, 5.0);
        assertEquals(valid.meanNumber().doubleValue(), f.mean().get("seq")[0], 1e-12);
        assertEquals(valid.stdNumber(false).doubleValue(), f.std().get("seq")[0], 1e-12);
        SplitData t = f.apply(s);
        float[] v = t.features("seq").dup('c').data().asFloat();
        double sd = Math.sqrt(8 / 3.0);
        assertArrayEquals(new float[]{(float) (-2 / sd), 0, 99, (float) (2 / sd), 99, 99}, v, 1e-6f);
        assertArrayEquals(new int[]{2, 1}, t.lengths("seq"));
        assertEquals(DataType.FLOAT, t.features("seq").dataType());
    }

    @Test
    void anotherSplitIsStandardisedWithTheFittedStatisticsAndAMismatchIsNamed() {
        SplitData train = new SplitData(List.of("a", "b"), Map.of("v", Nd4j.createFromArray(new float[][]{{0}, {2}})),
                Map.of(), Map.of("label", List.of("x", "y")));
        SplitData test = new SplitData(List.of("c"), Map.of("v", Nd4j.createFromArray(new float[][]{{4}})), Map.of(),
                Map.of("label", List.of("x")));
        FeatureStandardizer f = FeatureStandardizer.fit(train);
        assertEquals(3f, f.apply(test).features("v").getFloat(0, 0), 1e-6f, "(4 - 1) / 1");
        SplitData wide = new SplitData(List.of("c"), Map.of("v", Nd4j.createFromArray(new float[][]{{4, 4}})),
                Map.of(), Map.of("label", List.of("x")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.apply(wide));
        assertTrue(e.getMessage().contains("modality 'v' of width 2"), e.getMessage());
    }
}
