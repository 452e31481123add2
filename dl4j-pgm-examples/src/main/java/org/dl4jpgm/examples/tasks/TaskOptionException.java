package org.dl4jpgm.examples.tasks;

/**
 * An option of a task main that does not fit the task or the data folder (a split the export does not write, a
 * modality the data set lacks, a missing file an option names). The mains print its message and exit with status 2, as
 * for an option that does not parse; errors found while reading the data exit with 1.
 */
public class TaskOptionException extends IllegalArgumentException {

    public TaskOptionException(String message) {
        super(message);
    }
}
