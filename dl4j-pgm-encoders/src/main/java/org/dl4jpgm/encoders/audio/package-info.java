/** Audio encoder: WAV reading, resampling to 16 kHz, openWakeWord mel frames and 96-d speech embeddings. */
package org.dl4jpgm.encoders.audio;
