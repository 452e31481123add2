/**
 * Small text features computed in Java: {@link org.dl4jpgm.datavec.text.NoisyDigitText} makes noisy digit words
 * and {@link org.dl4jpgm.datavec.text.CharTrigramHasher} turns a text into a hashed character-trigram vector [D].
 */
package org.dl4jpgm.datavec.text;
