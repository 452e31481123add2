/**
 * MELD readers: the {@code *_sent_emo.csv} files (quoted multi-line utterances, UTF-8 as shipped), emotion (7) and
 * sentiment (3) labels in the baselines' index order, and utterance features joined by {@code dia{D}_utt{U}}.
 */
package org.dl4jpgm.datavec.meld;
