package org.dl4jpgm.datavec.testutil;

import java.util.Locale;

/** Writes rows of MELD's {@code {train,dev,test}_sent_emo.csv} as the dataset ships them. */
public final class MeldFixtures {

    /** The header line of every MELD CSV file, with its line break. */
    public static final String HEADER = "Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,"
            + "Episode,StartTime,EndTime\n";

    private MeldFixtures() {
    }

    /**
     * One data row with its line break: the utterance always quoted (quotes doubled), the times quoted as
     * {@code "00:mm:ss,mmm"} (they hold a comma), season 1, episode 1.
     *
     * @param srNo      the running number
     * @param utterance the utterance, any characters (line breaks included)
     * @param emotion   one of MELD's 7 emotion names
     * @param sentiment neutral, positive or negative
     */
    public static String row(int srNo, String utterance, String speaker, String emotion, String sentiment,
                             int dialogue, int utteranceId) {
        int second = srNo % 60;
        return String.format(Locale.ROOT, "%d,\"%s\",%s,%s,%s,%d,%d,1,1,\"00:00:%02d,000\",\"00:00:%02d,900\"%n",
                srNo, utterance.replace("\"", "\"\""), speaker, emotion, sentiment, dialogue, utteranceId, second,
                second).replace(System.lineSeparator(), "\n");
    }
}
