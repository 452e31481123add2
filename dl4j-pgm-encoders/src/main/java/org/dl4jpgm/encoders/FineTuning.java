package org.dl4jpgm.encoders;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;

import java.util.ArrayList;
import java.util.List;

/**
 * Prepares a converted encoder graph for fine-tuning: the importer stores every weight as a SameDiff
 * CONSTANT, which gets no gradient. {@link #makeTrainable} turns the floating-point constants with more than
 * one element (weights, biases, norms) into VARIABLEs; scalars and integer constants (shapes, axes) stay.
 */
public final class FineTuning {

    private FineTuning() {
    }

    /**
     * @param sd a converted graph (modified in place)
     * @return the names of the constants made trainable
     */
    public static List<String> makeTrainable(SameDiff sd) {
        List<SDVariable> weights = new ArrayList<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.CONSTANT && v.dataType().isFPType() && v.getArr() != null
                    && v.getArr().length() > 1) {
                weights.add(v);
            }
        }
        sd.convertToVariables(weights);
        List<String> names = new ArrayList<>();
        weights.forEach(w -> names.add(w.name()));
        return names;
    }

}
