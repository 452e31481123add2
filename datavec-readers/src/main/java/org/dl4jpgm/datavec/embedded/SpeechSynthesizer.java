package org.dl4jpgm.datavec.embedded;

import java.io.IOException;
import java.nio.file.Path;

/** Speaks a word into a WAVE file (espeak-ng in the real build; a tone generator in tests). */
@FunctionalInterface
public interface SpeechSynthesizer {

    /**
     * @param word  the text to speak
     * @param voice the voice parameters
     * @param out   the WAVE file to write
     */
    void speak(String word, Voice voice, Path out) throws IOException;

    /**
     * Voice parameters.
     *
     * @param name    espeak-ng voice (language), e.g. "en-us"
     * @param variant espeak-ng variant, e.g. "f3" ("" for none)
     * @param speed   words per minute
     * @param pitch   0..99
     */
    record Voice(String name, String variant, int speed, int pitch) {
        /** The {@code -v} argument of espeak-ng. */
        public String espeakVoice() {
            return variant.isEmpty() ? name : name + "+" + variant;
        }
    }
}
