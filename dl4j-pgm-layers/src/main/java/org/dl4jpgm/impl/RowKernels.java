package org.dl4jpgm.impl;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The elementwise loops of {@link LayerNormFusion} along one row of E elements, written with the JDK's Vector API
 * ({@code jdk.incubator.vector}): the same float operations in the same order per element as the scalar loops they
 * stand for ({@link LayerNormFusion.RowLoops#SCALAR}; no fused multiply-adds), so the same bits.
 *
 * <p>Why: at the main job's sizes a row is short (E = 32), and the JIT compiler's vectorised form of a loop over one
 * row does at least 4 vectors per iteration, so a row of 32 floats runs in its scalar remainder loop: a layer
 * normalisation of {@code [384, 32]} took 28 us in Java against 12 with these loops (docs/performance.md, "exp,
 * sigmoid and the layer normalisation's rows on the Vector API").
 *
 * <p>Shapes: every array is flat ('c' order); each method covers columns {@code [from, e)} of the row whose first
 * element is at {@code base}, the per-column arrays (gain, bias and their gradients) indexed by column. Loaded only
 * where the module is in the JVM ({@link VectorExp#moduleLoaded}).
 */
final class RowKernels implements LayerNormFusion.RowLoops {

    /** The instance, for {@link LayerNormFusion}. */
    static final RowKernels VECTOR = new RowKernels();

    private static final VectorSpecies<Float> FLOATS = FloatLanes.SPECIES;
    private static final int LANES = FLOATS.length();

    private RowKernels() {
    }

    @Override
    public void centre(float[] x, float mean, float[] c, float[] sq, int base, int from, int e) {
        int j = from;
        for (int bound = from + FLOATS.loopBound(e - from); j < bound; j += LANES) {
            FloatVector ci = FloatVector.fromArray(FLOATS, x, base + j).sub(mean);
            ci.intoArray(c, base + j);
            ci.mul(ci).intoArray(sq, base + j);
        }
        SCALAR.centre(x, mean, c, sq, base, j, e);
    }

    @Override
    public void normalise(float[] c, float inv, float[] gain, float[] bias, float[] n, float[] s, float[] y, int base,
                          int from, int e) {
        int j = from;
        for (int bound = from + FLOATS.loopBound(e - from); j < bound; j += LANES) {
            FloatVector ni = FloatVector.fromArray(FLOATS, c, base + j).mul(inv);
            FloatVector si = ni.mul(FloatVector.fromArray(FLOATS, gain, j));
            ni.intoArray(n, base + j);
            si.intoArray(s, base + j);
            si.add(FloatVector.fromArray(FLOATS, bias, j)).intoArray(y, base + j);
        }
        SCALAR.normalise(c, inv, gain, bias, n, s, y, base, j, e);
    }

    @Override
    public void outputTerms(float[] gy, float[] n, float[] c, float[] gain, float[] gbias, float[] ggain, float[] gn,
                            float[] terms, int base, int from, int e) {
        int j = from;
        for (int bound = from + FLOATS.loopBound(e - from); j < bound; j += LANES) {
            FloatVector g = FloatVector.fromArray(FLOATS, gy, base + j);
            FloatVector.fromArray(FLOATS, gbias, j).add(g).intoArray(gbias, j);
            FloatVector.fromArray(FLOATS, ggain, j).add(g.mul(FloatVector.fromArray(FLOATS, n, base + j)))
                    .intoArray(ggain, j);
            FloatVector gni = g.mul(FloatVector.fromArray(FLOATS, gain, j));
            gni.intoArray(gn, base + j);
            gni.mul(FloatVector.fromArray(FLOATS, c, base + j)).intoArray(terms, base + j);
        }
        SCALAR.outputTerms(gy, n, c, gain, gbias, ggain, gn, terms, base, j, e);
    }

    @Override
    public void inputGradient(float[] gn, float[] c, float inv, float gsq, float[] gx1, int base, int from, int e) {
        int j = from;
        for (int bound = from + FLOATS.loopBound(e - from); j < bound; j += LANES) {
            FloatVector m = FloatVector.fromArray(FLOATS, c, base + j).mul(gsq);
            FloatVector.fromArray(FLOATS, gn, base + j).mul(inv).add(m).add(m).intoArray(gx1, base + j);
        }
        SCALAR.inputGradient(gn, c, inv, gsq, gx1, base, j, e);
    }
}
