/**
 * Embedded benchmark data: {@link org.dl4jpgm.datavec.embedded.EmbeddedDatasets} opens the datasets shipped as
 * classpath resources (in the project's dataset layout); {@link org.dl4jpgm.datavec.embedded.DigitsSpeechBuilder}
 * builds the real-material tri-modal "digits-speech" set (sklearn's handwritten digits, espeak-ng speech as
 * log-mel [S, D], noisy digit text as hashed trigrams) from Debian packages
 * ({@code datavec-readers/scripts/build-digits-speech.sh}).
 */
package org.dl4jpgm.datavec.embedded;
