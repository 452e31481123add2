package org.dl4jpgm.spark;

import org.dl4jpgm.examples.experiment.TrainingSettings;

import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.synthetic.SyntheticConfig;
import org.dl4jpgm.datavec.synthetic.SyntheticDatasetWriter;
import org.dl4jpgm.datavec.synthetic.SyntheticModality;
import org.dl4jpgm.datavec.synthetic.SyntheticMultimodalGenerator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;

/**
 * A small synthetic data set in the project's layout (a vector and a sequence modality) and the job on it, predicting
 * modality a's own factor (learned in a few epochs, so that two trainings can be compared on their metric).
 */
final class SparkTestData {

    static final String TARGET = "uni_a";

    private SparkTestData() {
    }

    static PgmSparkJob job(Path dir, TrainingSettings settings, int train, int test) throws IOException {
        Path data = dir.resolve("data");
        SyntheticConfig cfg = SyntheticConfig.builder().seed(11)
                .modality(SyntheticModality.builder("a").width(8).build())
                .modality(SyntheticModality.builder("b").width(6).sequence(4, 2).build())
                .uniClasses(2).pairedClasses(2).pairedModalities(0, 1).uniSignal(3).noise(0.3).build();
        LinkedHashMap<String, Integer> sizes = new LinkedHashMap<>();
        sizes.put("train", train);
        sizes.put("test", test);
        SyntheticDatasetWriter.write(new SyntheticMultimodalGenerator(cfg), data, "tiny", sizes);
        LayoutReader reader = new LayoutReader(data);
        DatasetDescriptor d = reader.descriptor();
        return new PgmSparkJob(d, d.getTarget(TARGET), reader.readSplit("train"), reader.readSplit("test"), settings,
                "PGM");
    }
}
