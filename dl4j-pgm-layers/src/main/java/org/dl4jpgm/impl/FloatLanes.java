package org.dl4jpgm.impl;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one float vector species of this package's Vector API kernels ({@link RowKernels}, {@link AdamKernels},
 * {@link ExpKernels}): vectors of 8 floats (256 bits) where the machine's hold at least that many, else the machine's
 * own.
 *
 * <p>Why one: the methods of {@code FloatVector} that the kernels call ({@code add}, {@code mul}, {@code intoArray},
 * ...) are shared by every species, and so is the type profile that the JIT compiler keeps of the calls inside them.
 * With two float species in one JVM (on AVX-512, ExpKernels' 8 floats, converted from 8 doubles, beside 16-float
 * vectors elsewhere) those profiles hold both vector classes; C2 then compiles a kernel whose vectors' class it cannot
 * pin down, the intrinsic fails, and every vector operation of that kernel falls back to Java arrays. Measured
 * (2026-12-05, AVX-512): a layer normalisation's gradient loop on {@code [384, 32]} allocated 73,728 bytes per call
 * once ExpKernels had run in the JVM ({@code FloatLanesTest} on the code before); in main-config training steps that
 * loop allocated 57 % of the process's bytes and took 40-76 us a call instead of 19 (docs/performance.md, "One float
 * vector species, and the JIT compiler's warm-up"). Which kernels got the slow code depended on the order in which the
 * JIT compiler met them, one JVM to the next.
 *
 * <p>Eight floats is ExpKernels' width, and enough for the others: a row of the main job's layer normalisations is
 * 32 floats, and Adam's loop is bound by memory traffic. Loaded only where the module {@code jdk.incubator.vector}
 * is in the JVM ({@link VectorExp#moduleLoaded}).
 */
final class FloatLanes {

    /** The species: {@code FloatVector.SPECIES_256} where the preferred one is at least that wide. */
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256
            ? FloatVector.SPECIES_256 : FloatVector.SPECIES_PREFERRED;

    private FloatLanes() {
    }

    /** Whether the vectors hold at least 8 floats (AVX2, AVX-512): narrower ones were not measured. */
    static boolean usable() {
        return SPECIES.vectorBitSize() >= 256;
    }
}
