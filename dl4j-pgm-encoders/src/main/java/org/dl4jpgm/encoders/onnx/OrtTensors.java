package org.dl4jpgm.encoders.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/** Conversions between ND4J arrays and ONNX Runtime tensors (c order, float32 / int64 / int32). */
public final class OrtTensors {

    private OrtTensors() {
    }

    /**
     * @param env the ONNX Runtime environment
     * @param a   FLOAT, LONG or INT array, any rank
     * @return a new tensor with a copy of the data (the caller closes it)
     */
    public static OnnxTensor toOrt(OrtEnvironment env, INDArray a) throws OrtException {
        INDArray c = a.dup('c');
        long[] shape = c.shape();
        switch (c.dataType()) {
            case FLOAT:
                return OnnxTensor.createTensor(env, FloatBuffer.wrap(c.data().asFloat()), shape);
            case LONG:
                return OnnxTensor.createTensor(env, LongBuffer.wrap(c.data().asLong()), shape);
            case INT:
                return OnnxTensor.createTensor(env, IntBuffer.wrap(c.data().asInt()), shape);
            default:
                throw new IllegalArgumentException("OrtTensors: expected a FLOAT, LONG or INT array, found "
                        + c.dataType());
        }
    }

    /** @return an ND4J copy of a FLOAT, INT64 or INT32 tensor */
    public static INDArray toNd4j(OnnxTensor t) {
        TensorInfo info = t.getInfo();
        long[] shape = info.getShape();
        OnnxJavaType type = info.type;
        switch (type) {
            case FLOAT: {
                FloatBuffer b = t.getFloatBuffer();
                float[] d = new float[b.remaining()];
                b.get(d);
                return Nd4j.create(d, shape, 'c');
            }
            case INT64: {
                LongBuffer b = t.getLongBuffer();
                long[] d = new long[b.remaining()];
                b.get(d);
                return Nd4j.createFromArray(d).reshape(shape);
            }
            case INT32: {
                IntBuffer b = t.getIntBuffer();
                int[] d = new int[b.remaining()];
                b.get(d);
                return Nd4j.createFromArray(d).reshape(shape).castTo(DataType.INT);
            }
            default:
                throw new IllegalArgumentException("OrtTensors: expected a FLOAT, INT64 or INT32 tensor, found "
                        + type);
        }
    }
}
