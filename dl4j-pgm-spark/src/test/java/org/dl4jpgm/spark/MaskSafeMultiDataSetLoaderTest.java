package org.dl4jpgm.spark;

import org.deeplearning4j.core.loader.impl.SerializedMultiDataSetLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.common.loader.LocalFileSourceFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A minibatch file written on one thread and read on another keeps its absent masks absent. */
class MaskSafeMultiDataSetLoaderTest {

    @Test
    void absentMasksStayAbsentOnAThreadThatNeverSaved(@TempDir Path dir) throws Exception {
        INDArray mask = Nd4j.ones(DataType.FLOAT, 4, 3);
        MultiDataSet m = new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[]{Nd4j.rand(DataType.FLOAT, 4, 5), Nd4j.rand(DataType.FLOAT, 4, 2, 3)},
                new INDArray[]{Nd4j.rand(DataType.FLOAT, 4, 2)}, new INDArray[]{null, mask}, null);
        String file = dir.resolve("batch.mds").toString();
        m.save(new java.io.File(file));
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            MultiDataSet plain = other.submit(() -> new SerializedMultiDataSetLoader()
                    .load(new LocalFileSourceFactory().getSource(file))).get();
            // ND4J's own loader: the placeholder of the absent mask comes back as a mask of shape [1]
            assertArrayEquals(new long[]{1}, plain.getFeaturesMaskArray(0).shape());
            MultiDataSet safe = other.submit(() -> new MaskSafeMultiDataSetLoader()
                    .load(new LocalFileSourceFactory().getSource(file))).get();
            assertNull(safe.getFeaturesMaskArray(0));
            assertEquals(mask, safe.getFeaturesMaskArray(1));
            assertNull(safe.getLabelsMaskArrays());
            assertEquals(m.getFeatures(1), safe.getFeatures(1));
        } finally {
            other.shutdown();
        }
    }
}
