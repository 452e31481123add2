/**
 * Benchmarks and probes: throughput of the SameDiff-converted encoders against ONNX Runtime, the cost of a fusion
 * step, of a parameter update (the graph's updater against DL4J's path) and of cumsoftmax's two running sums,
 * libnd4j's matrix products on a step's shapes with the OpenBLAS file in use (and
 * {@link org.dl4jpgm.examples.bench.OpenBlasOrder}: the order in which they sum each element), the stage-1 and
 * stage-2 probes, and
 * {@link org.dl4jpgm.examples.bench.PartitionRecoveryProbe} (does the partitioner separate uni-modal from paired-modal
 * information: ridge probes of u_m and p_m, gate shares and dynamics, Fig. 4 with the ground truth).
 * {@link org.dl4jpgm.examples.bench.ThreadAffinity} pins a benchmark's training thread to one core, as the comparison
 * with the PyTorch peer does for both sides, and {@link org.dl4jpgm.examples.bench.Lockstep} lets the two take turns
 * on that core round by round; {@link org.dl4jpgm.examples.bench.ParamsDigest} hashes a network's
 * parameters, so that two runs that trained to the same bits can be told apart from two that did not.
 */
package org.dl4jpgm.examples.bench;
