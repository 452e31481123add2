package org.dl4jpgm.impl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class HostMemoryTest {

    @Test
    void onlyTheCpuBackendsBuffersAreAddressable() {
        assertTrue(HostMemory.hasNativeBuffers(), "the tests run on the CPU backend");
        assertTrue(HostMemory.addressable(Nd4j.create(DataType.FLOAT, 3, 4)));
        assertTrue(HostMemory.addressable(Nd4j.create(DataType.DOUBLE, 5).get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3))));
        assertFalse(HostMemory.addressable(onAnotherBackend(4)),
                "a buffer that is not the CPU backend's, as a CUDA buffer is not");
    }

    /** A float array of {@code length} elements whose buffer is not a CPU backend buffer. */
    private static INDArray onAnotherBackend(long length) {
        DataBuffer buffer = (DataBuffer) Proxy.newProxyInstance(DataBuffer.class.getClassLoader(),
                new Class<?>[] {DataBuffer.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "length" -> length;
                    case "dataType" -> DataType.FLOAT;
                    case "getElementSize" -> 4;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (INDArray) Proxy.newProxyInstance(INDArray.class.getClassLoader(), new Class<?>[] {INDArray.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "data" -> buffer;
                    case "dataType" -> DataType.FLOAT;
                    case "length" -> length;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
