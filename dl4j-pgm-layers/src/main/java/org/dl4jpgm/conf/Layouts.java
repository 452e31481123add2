package org.dl4jpgm.conf;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Conversions between DL4J's activation layouts and the blocks' internal {@code [B, S, D]} layout, and the shape
 * checks and output types shared by PgM's layers and vertices.
 *
 * <p>Accepted inputs: recurrent {@code [B, D, S]} (NCW, DL4J's default) or {@code [B, S, D]} (NWC), and feed-forward
 * {@code [B, D]} (treated as S = 1). DL4J masks are {@code [B, S]}, 1 = real step, 0 = padding.
 */
public final class Layouts {

    private Layouts() {
    }

    /** S of a static input shape ({@code -1} allowed for B only); 1 for feed-forward input. */
    public static long seqLength(long[] shape, RNNFormat format) {
        return shape.length == 2 ? 1 : (format == RNNFormat.NWC ? shape[1] : shape[2]);
    }

    /** D of a static input shape. */
    public static long featureWidth(long[] shape, RNNFormat format) {
        return shape.length == 2 ? shape[1] : (format == RNNFormat.NWC ? shape[2] : shape[1]);
    }

    /** DL4J layout to {@code [B, S, D]}. */
    public static SDVariable toBSD(SDVariable x, int rank, RNNFormat format, long width) {
        if (rank == 2) {
            return x.reshape(-1, 1, width);
        }
        return format == RNNFormat.NWC ? x : x.permute(0, 2, 1);
    }

    /** {@code [B, S, D]} back to the DL4J layout of the input (rank 2 for feed-forward). */
    public static SDVariable fromBSD(SDVariable x, int rank, RNNFormat format, long width) {
        if (rank == 2) {
            return x.reshape(-1, width);
        }
        return format == RNNFormat.NWC ? x : x.permute(0, 2, 1);
    }

    /** The feature width of an input type, or -1 where the type carries none. */
    public static long width(InputType type) {
        if (type instanceof InputType.InputTypeFeedForward ff) {
            return ff.getSize();
        }
        if (type instanceof InputType.InputTypeRecurrent r) {
            return r.getSize();
        }
        return -1;
    }

    /** An output type of the same kind as {@code in}, with {@code width} features. */
    public static InputType outputType(String component, String name, InputType in, long width) {
        if (in instanceof InputType.InputTypeFeedForward) {
            return InputType.feedForward(width);
        }
        if (in instanceof InputType.InputTypeRecurrent r) {
            return InputType.recurrent(width, r.getTimeSeriesLength(), r.getFormat());
        }
        throw new IllegalArgumentException(component + " '" + name + "': expected a feed-forward or recurrent input, "
                + "found " + in);
    }

    /**
     * Checks the rank and feature width of an activation array.
     *
     * @throws IllegalArgumentException naming the component, the expected and the found shape
     */
    public static void checkInput(String component, String name, INDArray input, long expectedWidth, RNNFormat format) {
        long[] shape = input.shape();
        String expected = format == RNNFormat.NWC
                ? "[B, S, " + expectedWidth + "] (NWC) or [B, " + expectedWidth + "]"
                : "[B, " + expectedWidth + ", S] (NCW) or [B, " + expectedWidth + "]";
        if (shape.length != 2 && shape.length != 3) {
            throw new IllegalArgumentException(component + " '" + name + "': expected input of rank 2 or 3, " + expected
                    + ", found rank " + shape.length + " shape " + Arrays.toString(shape));
        }
        if (featureWidth(shape, format) != expectedWidth) {
            throw new IllegalArgumentException(component + " '" + name + "': expected input " + expected + ", found shape "
                    + Arrays.toString(shape) + " (feature width " + featureWidth(shape, format) + ")");
        }
    }
}
