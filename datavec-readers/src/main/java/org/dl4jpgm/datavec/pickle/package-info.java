/** Python pickles with numpy arrays, read with Pyrolite (numpy 1.x and 2.x module paths). */
package org.dl4jpgm.datavec.pickle;
