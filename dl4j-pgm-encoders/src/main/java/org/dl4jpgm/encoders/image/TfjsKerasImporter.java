package org.dl4jpgm.encoders.image;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Imports a TF.js "layers" model ({@code model.json} with a Keras topology and a weights manifest, plus its
 * binary weight shards) into a DL4J {@link ComputationGraph}: the topology through DL4J's Keras import,
 * the weights through {@link #readWeights} (float32, or uint8 / uint16 quantised: {@code w = min + scale * q})
 * handed to each Keras layer in Keras layout, as the HDF5 path would.
 */
public final class TfjsKerasImporter {

    /** Keras config fields that must be floating point; JavaScript writes whole numbers (e.g. ReLU max 6) as ints. */
    static final Set<String> FLOAT_FIELDS = Set.of("max_value", "negative_slope", "threshold", "alpha", "epsilon",
            "momentum", "rate", "l1", "l2", "scale", "stddev", "mean", "minval", "maxval", "value");

    private TfjsKerasImporter() {
    }

    /**
     * @param modelJson the TF.js {@code model.json}; shards are read from its folder
     * @return the graph with the weights loaded
     */
    public static ComputationGraph importModel(Path modelJson) throws IOException {
        ObjectMapper om = new ObjectMapper();
        JsonNode root = om.readTree(modelJson.toFile());
        JsonNode topo = root.path("modelTopology");
        JsonNode mc = topo.has("model_config") ? topo.get("model_config") : topo;
        if (!mc.has("class_name") || !mc.has("config")) {
            throw new IOException("TfjsKerasImporter: " + modelJson + ": modelTopology has no Keras model config"
                    + " (class_name + config)");
        }
        ObjectNode keras = mc.deepCopy();
        floatFields(keras);
        keras.put("keras_version", topo.path("keras_version").asText("2.2.4"));
        keras.put("backend", topo.path("backend").asText("tensorflow"));
        Map<String, INDArray> weights = readWeights(modelJson, root);
        try {
            KerasModel km = new KerasModel().modelBuilder().modelJson(om.writeValueAsString(keras))
                    .enforceTrainingConfig(false).buildModel();
            Map<String, Map<String, INDArray>> byLayer = new HashMap<>();
            for (Map.Entry<String, INDArray> e : weights.entrySet()) {
                int slash = e.getKey().lastIndexOf('/');
                byLayer.computeIfAbsent(e.getKey().substring(0, slash), k -> new HashMap<>())
                        .put(e.getKey().substring(slash + 1), e.getValue());
            }
            List<String> unused = new ArrayList<>(byLayer.keySet());
            for (Map.Entry<String, KerasLayer> e : km.getLayers().entrySet()) {
                Map<String, INDArray> w = byLayer.get(e.getKey());
                if (w != null) {
                    e.getValue().setWeights(w);
                    unused.remove(e.getKey());
                }
            }
            if (!unused.isEmpty()) {
                throw new IOException("TfjsKerasImporter: " + modelJson + ": weights for layers not in the topology: "
                        + unused);
            }
            return km.getComputationGraph(true);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("TfjsKerasImporter: Keras import of " + modelJson + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Reads and dequantises the weights listed in the manifest, in Keras layout.
     *
     * @return weight name ({@code layer/param}) to array
     */
    public static Map<String, INDArray> readWeights(Path modelJson, JsonNode root) throws IOException {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (JsonNode group : root.path("weightsManifest")) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (JsonNode p : group.path("paths")) {
                Path shard = modelJson.resolveSibling(p.asText());
                if (!Files.isRegularFile(shard)) {
                    throw new IOException("TfjsKerasImporter: weight shard " + shard + " listed in " + modelJson
                            + " not found");
                }
                bytes.write(Files.readAllBytes(shard));
            }
            ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            for (JsonNode w : group.path("weights")) {
                String name = w.path("name").asText();
                long[] shape = new long[w.path("shape").size()];
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = w.path("shape").get(i).asLong();
                    n *= shape[i];
                }
                if (!"float32".equals(w.path("dtype").asText("float32"))) {
                    throw new IOException("TfjsKerasImporter: " + modelJson + ": weight " + name + " has dtype "
                            + w.path("dtype").asText() + ", expected float32");
                }
                JsonNode q = w.path("quantization");
                String qType = q.isMissingNode() ? "none" : q.path("dtype").asText();
                int width = "uint8".equals(qType) ? 1 : "uint16".equals(qType) ? 2 : "none".equals(qType) ? 4 : -1;
                if (width < 0) {
                    throw new IOException("TfjsKerasImporter: " + modelJson + ": weight " + name
                            + " has quantization dtype " + qType + ", expected uint8, uint16 or none");
                }
                if (b.remaining() < n * width) {
                    throw new IOException("TfjsKerasImporter: " + modelJson + ": shards end at byte " + b.limit()
                            + " inside weight " + name + " (needs " + n * width + " bytes from " + b.position() + ")");
                }
                double min = q.path("min").asDouble();
                double scale = q.path("scale").asDouble();
                float[] f = new float[(int) n];
                for (int i = 0; i < n; i++) {
                    if (width == 1) {
                        f[i] = (float) (min + scale * (b.get() & 0xff));
                    } else if (width == 2) {
                        f[i] = (float) (min + scale * (b.getShort() & 0xffff));
                    } else {
                        f[i] = b.getFloat();
                    }
                }
                out.put(name, Nd4j.create(f, shape, 'c'));
            }
            if (b.remaining() != 0) {
                throw new IOException("TfjsKerasImporter: " + modelJson + ": " + b.remaining()
                        + " bytes of the shards are not described by the manifest");
            }
        }
        return out;
    }

    static void floatFields(JsonNode n) {
        if (n instanceof ObjectNode) {
            ObjectNode o = (ObjectNode) n;
            List<String> fix = new ArrayList<>();
            o.fields().forEachRemaining(e -> {
                if (FLOAT_FIELDS.contains(e.getKey()) && e.getValue().isIntegralNumber()) {
                    fix.add(e.getKey());
                } else {
                    floatFields(e.getValue());
                }
            });
            fix.forEach(k -> o.put(k, o.get(k).asDouble()));
        } else if (n instanceof ArrayNode) {
            n.forEach(TfjsKerasImporter::floatFields);
        }
    }
}
