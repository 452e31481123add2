package org.dl4jpgm.fusion;

import org.dl4jpgm.conf.PgmLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.blocks.GateGradient;
import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.blocks.PgmOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** JSON and YAML round trips of graphs built by {@link PgmFusion}, for PgM and every baseline. */
class FusionSerializationTest {

    @ParameterizedTest
    @EnumSource(FusionType.class)
    void configurationSurvivesJsonAndYaml(FusionType type) {
        PgmOptions o = FusionFixtures.smallPgm(LearnerMode.SEQUENCE, 3, GateGradient.STRAIGHT_THROUGH).toBuilder()
                .sharedPartitioner(true).usePfc(false).carry(PgmOptions.Carry.PARTITIONER).pairedShareWeight(0.25)
                .gateExclusivityWeight(0.5).streamDecorrelationWeight(2).build();
        FusionSpec spec = FusionSpec.builder().type(type).pgm(o).headHeads(2).uniModalIndex(1).build();
        ComputationGraph original = FusionFixtures.ffGraph(spec, new Adam(1e-3), f -> { });
        ComputationGraphConfiguration conf = original.getConfiguration();
        String json = conf.toJson();
        ComputationGraphConfiguration fromJson = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, fromJson, "JSON round trip");
        assertEquals(json, fromJson.toJson());
        ComputationGraphConfiguration fromYaml = ComputationGraphConfiguration.fromYaml(conf.toYaml());
        assertEquals(conf, fromYaml, "YAML round trip");
        if (type == FusionType.PGM) {
            PgmLayer v = PgmGraph.pgmLayer(fromJson, "fusionPgm");
            assertEquals(o.withWidth(4), v.getOptions());
            assertEquals(new Adam(1e-4), v.getLearnerUpdater());
            assertEquals(new Adam(1e-3), v.getDecoderUpdater());
        }
        ComputationGraph g = new ComputationGraph(fromJson);
        g.init();
        assertEquals(original.params().length(), g.params().length());
    }
}
