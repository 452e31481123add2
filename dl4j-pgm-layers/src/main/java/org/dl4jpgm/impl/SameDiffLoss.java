package org.dl4jpgm.impl;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ops.impl.layers.ExternalErrorsFunction;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Names the loss of a DL4J-embedded SameDiff graph: the output of its external-errors function. DL4J M2.1 leaves it
 * unset, and SameDiff then infers it as the graph's one dangling variable; a graph with any other dangling variable
 * gets that one as its loss and no gradient placeholder ("No variable/placeholder with name X-grad exists"). The
 * external-errors output is a constant, which {@code setLossVariables} refuses, so the name goes through a
 * training configuration (only its loss list is used; DL4J trains the parameters itself).
 */
final class SameDiffLoss {

    private SameDiffLoss() {
    }

    static void markExternalErrorsAsLoss(SameDiff sd, ExternalErrorsFunction fn) {
        String loss = fn.outputVariable().name();
        sd.setTrainingConfig(TrainingConfig.builder().updater(new NoOp()).minimize(loss).skipBuilderValidation(true)
                .build());
    }
}
