package org.dl4jpgm.examples.mainjob;

import org.dl4jpgm.examples.MainJob;

/**
 * The three Adam learning rates a command line may set ({@code --lr}, {@code --learner-lr}, {@code --decoder-lr}),
 * each falling back to the main job's default when not given. Shared by the main job's and the task mains' options.
 */
public final class LearningRates {

    /** Model part of every fusion (null = {@link MainJob#MODEL_LR}). */
    private Double model;
    /** PgM's learners (null = {@link MainJob#LEARNER_LR}). */
    private Double learner;
    /** PgM's decoder (null = {@link MainJob#DECODER_LR}). */
    private Double decoder;

    /**
     * Takes {@code option} if it is one of the three.
     *
     * @return whether it was (false: not a learning-rate option)
     * @throws IllegalArgumentException naming the command and option when the value is not a finite number &gt; 0
     */
    public boolean parse(String command, String option, String value) {
        switch (option) {
            case "--lr" -> model = OptionValues.positiveReal(command, option, value);
            case "--learner-lr" -> learner = OptionValues.positiveReal(command, option, value);
            case "--decoder-lr" -> decoder = OptionValues.positiveReal(command, option, value);
            default -> {
                return false;
            }
        }
        return true;
    }

    public double model() { return model != null ? model : MainJob.MODEL_LR; }
    public double learner() { return learner != null ? learner : MainJob.LEARNER_LR; }
    public double decoder() { return decoder != null ? decoder : MainJob.DECODER_LR; }
}
