package org.dl4jpgm.datavec.wikipedia;

import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.testutil.MatFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.Matrix;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class WikipediaLayoutExportTest {

    @TempDir
    Path dir;

    private static Matrix m(double[][] v) {
        return MatFixtures.matrix(v);
    }

    @Test
    void matToLayout() throws Exception {
        Path mat = dir.resolve("raw_features.mat");
        Mat5.writeToFile(Mat5.newMatFile()
                .addArray("I_tr", m(new double[][]{{1, 2, 3}, {4, 5, 6}})).addArray("T_tr", m(new double[][]{{0.5}, {1.5}}))
                .addArray("L_tr", m(new double[][]{{2}, {10}}))
                .addArray("I_te", m(new double[][]{{7, 8, 9}})).addArray("T_te", m(new double[][]{{2.5}}))
                .addArray("L_te", m(new double[][]{{1}})), mat.toFile());
        WikipediaLayoutExport.fromMat(mat, dir.resolve("out"), BadRecordPolicy.FAIL);
        LayoutReader r = new LayoutReader(dir.resolve("out"));
        assertEquals(WikipediaCategories.DEFAULT, r.descriptor().getClasses());
        SplitData train = r.readSplit("train");
        assertEquals(List.of("train-1", "train-2"), train.ids());
        assertEquals(List.of("biology", "warfare"), train.labels("label"));
        assertEquals(6f, train.features("image").getFloat(1, 2), 0f);
        assertEquals(1.5f, train.features("text").getFloat(1, 0), 0f);
        SplitData test = r.readSplit("test");
        assertEquals(List.of("art"), test.labels("label"));
        assertEquals(8f, test.features("image").getFloat(0, 1), 0f);
    }
}
