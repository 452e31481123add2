/**
 * Frozen pretrained encoders in front of PgM: text ({@link org.dl4jpgm.encoders.text.MiniLmTextEncoder},
 * [B, L, 384] and [B, 384]) and audio ({@link org.dl4jpgm.encoders.audio.OpenWakeWordAudioEncoder},
 * [N, 96] per clip), each runnable on ONNX Runtime (fast, default) or on its SameDiff conversion
 * ({@link org.dl4jpgm.encoders.EncoderBackend}); model files from Maven / npm ({@link org.dl4jpgm.encoders.ModelFiles}).
 */
package org.dl4jpgm.encoders;
