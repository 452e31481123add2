/**
 * Audio features computed in Java: {@link org.dl4jpgm.datavec.audio.WavReader} decodes PCM WAVE files and
 * {@link org.dl4jpgm.datavec.audio.LogMelSpectrogram} turns a mono signal into a log-mel spectrogram [S, D]
 * (frames x mel bands, numpy order of the dataset layout).
 */
package org.dl4jpgm.datavec.audio;
