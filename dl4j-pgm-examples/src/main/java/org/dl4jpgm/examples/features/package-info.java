/** Feature extraction with the pretrained encoders into the on-disk feature cache. */
package org.dl4jpgm.examples.features;
