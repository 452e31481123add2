package org.dl4jpgm.encoders.onnx;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Concrete shapes of the values of an ONNX graph (node outputs, inputs and initializers), measured by
 * running the graph once on sample inputs ({@link OnnxShapeProbe}). Rewrites that need a value's rank or
 * its non-batch dimensions read them here.
 */
public final class ValueShapes {

    private final Map<String, long[]> shapes;

    /** @param shapes value name to shape; copied */
    public ValueShapes(Map<String, long[]> shapes) {
        this.shapes = new HashMap<>(shapes);
    }

    /** @return shapes known for no value */
    public static ValueShapes empty() {
        return new ValueShapes(Collections.emptyMap());
    }

    /** @return the shape of {@code name}, or null when unknown */
    public long[] get(String name) {
        long[] s = shapes.get(name);
        return s == null ? null : s.clone();
    }

    /** @return the rank of {@code name}, or -1 when unknown */
    public int rank(String name) {
        long[] s = shapes.get(name);
        return s == null ? -1 : s.length;
    }

    /** Records (or replaces) the shape of a value, for rewrites that add values. */
    public void put(String name, long[] shape) {
        shapes.put(name, shape.clone());
    }

    /** @return the shape of {@code name}; fails naming the value and the rewrite when unknown */
    public long[] require(String name, String rewrite) {
        long[] s = shapes.get(name);
        if (s == null) {
            throw new IllegalStateException(rewrite + ": the shape of value '" + name
                    + "' is needed but was not measured (run OnnxShapeProbe on sample inputs first)");
        }
        return s.clone();
    }

    /** @return number of values with a known shape */
    public int size() {
        return shapes.size();
    }
}
