package org.dl4jpgm.blocks;

import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.weights.WeightInitConstant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link SdBlock} contract on the composite model: every parameter a block declares is initialised (no NaN left
 * of a NaN-filled table), weight matrices follow the weight initialisation it is given, and {@link PgmBlock} declares
 * its parameters in the order of the flat parameter vector that saved models hold (projections, partitioners, uni
 * learner, paired learner, decoder, UFC, PFC).
 */
class BlockContractTest {

    private static final long[] WIDTHS = {4, 3};

    private static PgmOptions options(LearnerMode mode) {
        return PgmOptions.builder().width(4).iterations(2).learnerMode(mode).learnerHeads(2).learnerChunkSize(2)
                .tokenWidth(4).learnerFfnSize(6).decoderHeads(2).decoderFfnSize(6).build();
    }

    private static Map<String, INDArray> nanTable(SdBlock block, SDLayerParams declared) {
        block.defineParameters(declared);
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        declared.getParamShapes().forEach((k, s) -> arrays.put(k, Nd4j.create(DataType.DOUBLE, s).assign(Double.NaN)));
        return arrays;
    }

    @ParameterizedTest
    @EnumSource(LearnerMode.class)
    void everyDeclaredParameterIsInitialisedOnce(LearnerMode mode) {
        SDLayerParams declared = new SDLayerParams();
        PgmBlock block = new PgmBlock(options(mode), WIDTHS);
        Map<String, INDArray> arrays = nanTable(block, declared);
        block.initializeParameters(arrays);
        arrays.forEach((k, a) -> assertFalse(a.isNaN().any(), k + " left uninitialised"));
        long total = arrays.values().stream().mapToLong(INDArray::length).sum();
        assertEquals(total, block.numParams(), "the count follows from the declared shapes");
        assertEquals(total, block.parameterCounts().values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void weightMatricesFollowTheGivenWeightInitialisation() {
        SDLayerParams declared = new SDLayerParams();
        PgmBlock block = new PgmBlock(options(LearnerMode.FEATURE), WIDTHS);
        Map<String, INDArray> arrays = nanTable(block, declared);
        block.initializeParameters(arrays, new WeightInitConstant(0.25));
        int weights = 0;
        for (String k : declared.getWeightParameterKeys()) {
            if (k.endsWith(LayerNormBlock.GAIN)) {
                assertEquals(1.0, arrays.get(k).minNumber().doubleValue(), 0.0, k + ": layer-norm gains start at 1");
                continue;
            }
            INDArray w = arrays.get(k);
            assertEquals(0.25, w.minNumber().doubleValue(), 0.0, k);
            assertEquals(0.25, w.maxNumber().doubleValue(), 0.0, k);
            weights++;
        }
        assertTrue(weights > 10, "weight matrices checked: " + weights);

        Map<String, INDArray> xavier = nanTable(block, new SDLayerParams());
        block.initializeParameters(xavier);
        assertTrue(xavier.get(PgmBlock.UFC_W).stdNumber().doubleValue() > 0, "the default draws Xavier weights");
    }

    /** Weights, then biases, each in declaration order, lay out the flat parameter vector (SDLayerParams). */
    @Test
    void pgmBlockDeclaresItsComponentsInTheSavedOrder() {
        SDLayerParams declared = new SDLayerParams();
        new PgmBlock(options(LearnerMode.SEQUENCE), WIDTHS).defineParameters(declared);
        List<String> order = List.of("proj", "part", "uni", "pair", "dec", "ufc", "pfc");
        assertEquals(order, components(declared.getWeightParameterKeys()), "weights");
        assertEquals(order, components(declared.getBiasParameterKeys()), "biases");
        assertEquals(List.of("projW1", "part0partWu", "part0partWp", "part1partWu", "part1partWp", "uniL0attnWq"),
                declared.getWeightParameterKeys().subList(0, 6));
        assertEquals(List.of("projB1", "part0partBu", "part0partBp", "part1partBu", "part1partBp", "uniL0attnbq"),
                declared.getBiasParameterKeys().subList(0, 6));
    }

    /** The component of each key, runs of one component collapsed. */
    private static List<String> components(List<String> keys) {
        List<String> components = new ArrayList<>();
        for (String k : keys) {
            String c = k.startsWith("proj") ? "proj" : k.startsWith(PgmBlock.PARTITIONER_PREFIX) ? "part"
                    : k.startsWith(PgmBlock.UNI_PREFIX) ? "uni" : k.startsWith(PgmBlock.PAIRED_PREFIX) ? "pair"
                    : k.startsWith(PgmBlock.DECODER_PREFIX) ? "dec" : k.startsWith("ufc") ? "ufc"
                    : k.startsWith("pfc") ? "pfc" : k;
            if (components.isEmpty() || !components.get(components.size() - 1).equals(c)) {
                components.add(c);
            }
        }
        return components;
    }

    @Test
    void switchedOffComponentsDeclareNothing() {
        PgmOptions off = options(LearnerMode.SEQUENCE).toBuilder().usePartitioner(false).useUfc(false).usePfc(false)
                .useUpr(false).build();
        SDLayerParams declared = new SDLayerParams();
        PgmBlock block = new PgmBlock(off, WIDTHS);
        block.defineParameters(declared);
        for (String k : declared.getParamShapes().keySet()) {
            assertTrue(k.startsWith("proj") || k.startsWith(PgmBlock.UNI_PREFIX)
                    || k.startsWith(PgmBlock.PAIRED_PREFIX), k);
        }
        assertEquals(0L, block.parameterCounts().get("decoder"));
        assertEquals(0L, block.parameterCounts().get("partitioners"));
    }
}
