/** Text encoder: pure-Java WordPiece tokenizer and MiniLM (all-MiniLM-L6-v2) features. */
package org.dl4jpgm.encoders.text;
