/**
 * UPMC Food-101 reader: the headerless {@code texts/{train,test}_titles.csv} with images under
 * {@code images/<split>/<class>/}, 101 classes in alphabetical order, and a stratified seeded validation split.
 */
package org.dl4jpgm.datavec.food101;
