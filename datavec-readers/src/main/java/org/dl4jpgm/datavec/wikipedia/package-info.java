/**
 * Wikipedia (Rasiwasia et al. 2010) readers: the list files with {@code texts/<id>.xml} and
 * {@code images/<category>/<id>.jpg}, and the MATLAB v5 feature version.
 */
package org.dl4jpgm.datavec.wikipedia;
