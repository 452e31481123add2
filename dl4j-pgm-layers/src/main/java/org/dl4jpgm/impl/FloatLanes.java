package org.dl4jpgm.impl;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one float vector species of this package's Vector API kernels ({@link RowKernels}, {@link AdamKernels},
 * {@link ExpKernels}): the machine's preferred one (16 floats with AVX-512, 8 with AVX2).
 *
 * <p>Why one: the methods of {@code FloatVector} that the kernels call ({@code add}, {@code mul}, {@code intoArray},
 * ...) are shared by every species, and so is the type profile that the JIT compiler keeps of the calls inside them.
 * With two float species in one JVM (on AVX-512, ExpKernels' 8 floats, converted from 8 doubles, as they were,
 * beside 16-float vectors elsewhere) those profiles hold both vector classes; C2 then compiles a kernel whose vectors'
 * class it cannot pin down, the intrinsic fails, and every vector operation of that kernel falls back to Java arrays.
 * Measured (2026-12-05, AVX-512): a layer normalisation's gradient loop on {@code [384, 32]} allocated 73,728 bytes
 * per call once ExpKernels had run in the JVM ({@code FloatLanesTest} on the code before); in main-config training
 * steps that loop allocated 57 % of the process's bytes and took 38-76 us a call instead of 20 (docs/performance.md,
 * "One float vector species, and the JIT compiler's warm-up"). Which kernels got the slow code depended on the order
 * in which the JIT compiler met them, one JVM to the next.
 *
 * <p>The preferred width, not 8 floats everywhere: Adam's loop on 8-float vectors took 85-93 ms per paper-config
 * update against 66-68 on 16 (docs/performance.md, same section). ExpKernels widens each half of a vector to doubles
 * in turn. Loaded only where the module {@code jdk.incubator.vector} is in the JVM ({@link VectorExp#moduleLoaded}).
 */
final class FloatLanes {

    /** The species: {@code FloatVector.SPECIES_PREFERRED}. */
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private FloatLanes() {
    }

    /** Whether the vectors hold at least 8 floats (AVX2, AVX-512): narrower ones were not measured. */
    static boolean usable() {
        return SPECIES.vectorBitSize() >= 256;
    }
}
