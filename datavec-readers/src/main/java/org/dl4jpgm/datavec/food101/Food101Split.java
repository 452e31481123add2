package org.dl4jpgm.datavec.food101;

/** Which part of UPMC Food-101 a reader serves. */
public enum Food101Split {
    /** {@code train_titles.csv} minus the validation hold-out */
    TRAIN,
    /** the stratified, seeded hold-out of {@code train_titles.csv} */
    VALIDATION,
    /** {@code test_titles.csv} */
    TEST
}
