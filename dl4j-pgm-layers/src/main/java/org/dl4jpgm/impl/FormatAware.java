package org.dl4jpgm.impl;

import org.deeplearning4j.nn.conf.RNNFormat;

/** A configuration that knows the recurrent layout (NCW or NWC) of its inputs, so masks get the right shape. */
public interface FormatAware {

    RNNFormat getDataFormat();
}
