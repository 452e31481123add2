/**
 * Runtime implementations behind the configurations of {@code org.dl4jpgm.conf}: DL4J's SameDiff layer and vertex
 * runtimes with the corrections that DL4J 1.0.0-M2.1 needs ({@link org.dl4jpgm.impl.GradientScale} for the doubled
 * gradients, mask shapes, stale masks, workspaces), and {@link org.dl4jpgm.impl.OpPlan}, which runs a layer's
 * SameDiff graph without the session's per-op work (and some groups of its ops as one Java loop each,
 * {@link org.dl4jpgm.impl.OpGroup}, and a weight's gradients summed in its products,
 * {@link org.dl4jpgm.impl.GradientAccumulation}), and {@link org.dl4jpgm.impl.BoundBatchNormalizationRuntime}, DL4J's
 * batch normalisation with its ops bound once, and the updater's fast paths ({@link org.dl4jpgm.impl.GraphUpdaters}:
 * {@link org.dl4jpgm.impl.FlatGradientUpdater} with {@link org.dl4jpgm.impl.UpdaterPass},
 * {@link org.dl4jpgm.impl.JavaAdamUpdater} and {@link org.dl4jpgm.impl.FusedParameterStep}), and
 * {@link org.dl4jpgm.impl.OpenBlasKernels}, the warning where ND4J's OpenBLAS runs generic kernels on a CPU it does not
 * know; see {@code docs/design.md}.
 */
package org.dl4jpgm.impl;
