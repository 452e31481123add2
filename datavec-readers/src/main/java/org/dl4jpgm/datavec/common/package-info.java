/** Shared reader machinery: the indexed record reader base, strict CSV parsing, validation, error and skip reporting. */
package org.dl4jpgm.datavec.common;
