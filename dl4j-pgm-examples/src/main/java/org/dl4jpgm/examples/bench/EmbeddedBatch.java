package org.dl4jpgm.examples.bench;

import org.dl4jpgm.datavec.embedded.EmbeddedDatasets;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutIteratorOptions;
import org.dl4jpgm.datavec.layout.LayoutMultiDataSetIterator;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.examples.cli.TrainingOptions;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;

/**
 * What the step benchmarks time on: the embedded digits-speech training split's default target, a runner that builds
 * graphs for it with the given options, and its first minibatch of {@code options.getBatchSize()} examples.
 *
 * @param runner builds the graphs (train split as both training and evaluation data: nothing is evaluated)
 * @param batch  the first minibatch, all modalities
 */
record EmbeddedBatch(ExperimentRunner runner, MultiDataSet batch) {

    static EmbeddedBatch first(TrainingOptions options) throws IOException {
        LayoutReader reader = EmbeddedDatasets.openDigitsSpeech();
        DatasetDescriptor d = reader.descriptor();
        TargetSpec target = d.getDefaultTarget();
        SplitData train = reader.readSplit("train");
        ExperimentRunner runner = new ExperimentRunner(d, target, train, train, options);
        MultiDataSet batch = new LayoutMultiDataSetIterator(d, train,
                LayoutIteratorOptions.builder().batchSize(options.getBatchSize()).targets(target.getName()).build()).next();
        return new EmbeddedBatch(runner, batch);
    }
}
