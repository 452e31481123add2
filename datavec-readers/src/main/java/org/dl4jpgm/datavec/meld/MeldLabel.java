package org.dl4jpgm.datavec.meld;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** The two MELD label sets, in the index order of the MELD baselines. */
public enum MeldLabel {
    /** 7 emotions: neutral 0, surprise 1, fear 2, sadness 3, joy 4, disgust 5, anger 6 (column "Emotion"). */
    EMOTION("Emotion", "neutral", "surprise", "fear", "sadness", "joy", "disgust", "anger"),
    /** 3 sentiments: neutral 0, positive 1, negative 2 (column "Sentiment"). */
    SENTIMENT("Sentiment", "neutral", "positive", "negative");

    private final String column;
    private final List<String> classes;

    MeldLabel(String column, String... classes) {
        this.column = column;
        this.classes = Collections.unmodifiableList(Arrays.asList(classes));
    }

    /** @return the CSV column holding this label */
    public String column() {
        return column;
    }

    /** @return the class names in index order */
    public List<String> classes() {
        return classes;
    }
}
