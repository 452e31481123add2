/**
 * Image encoder: TF.js Keras layers models (model.json + uint8-quantised weight shards) imported with DL4J's
 * Keras import and a weight loader ({@link org.dl4jpgm.encoders.image.TfjsKerasImporter}); nsfwjs's
 * MobileNetV2 as a frozen backbone giving [B, 1280] pooled features
 * ({@link org.dl4jpgm.encoders.image.MobileNetV2ImageEncoder}).
 */
package org.dl4jpgm.encoders.image;
