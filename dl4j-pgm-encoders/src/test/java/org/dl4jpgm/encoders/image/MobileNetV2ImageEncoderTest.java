package org.dl4jpgm.encoders.image;

import org.dl4jpgm.encoders.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * nsfwjs's MobileNetV2 through DL4J's Keras import and the TF.js weight loader. No reference runtime exists
 * for it here (no ONNX version, no TF.js), so the weight loader is checked layer by layer: the activations
 * DL4J computes for the first convolution, the first depthwise convolution, a batch normalisation and the
 * last dense layer equal a direct computation from the raw TF.js tensors (Keras layout) on the activations
 * that feed them.
 */
class MobileNetV2ImageEncoderTest {

    @TempDir
    static Path dir;
    private static MobileNetV2ImageEncoder enc;
    private static Map<String, INDArray> raw;
    private static INDArray images;

    @BeforeAll
    static void setUp() throws Exception {
        Path json = TestModels.nsfwjsModelJson();
        enc = MobileNetV2ImageEncoder.create(ImageEncoderConfig.builder().modelDir(json.getParent())
                .convertedCacheDir(dir).build());
        raw = TfjsKerasImporter.readWeights(json, new ObjectMapper().readTree(json.toFile()));
        // a drawing-like picture written as PNG and read back, and a photo-like noisy gradient
        BufferedImage drawing = new BufferedImage(300, 260, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = drawing.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 300, 260);
        g.setColor(new Color(30, 90, 200));
        g.fillOval(60, 40, 150, 150);
        g.setColor(Color.BLACK);
        g.drawLine(0, 250, 300, 10);
        g.dispose();
        Path png = dir.resolve("drawing.png");
        ImageIO.write(drawing, "png", png.toFile());
        BufferedImage photo = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
        java.util.Random r = new java.util.Random(5);
        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                int v = Math.min(255, x + r.nextInt(30));
                photo.setRGB(x, y, new Color(v, Math.min(255, y + r.nextInt(30)), 120).getRGB());
            }
        }
        images = MobileNetV2ImageEncoder.toInput(List.of(ImageIO.read(png.toFile()), photo));
    }

    @AfterAll
    static void tearDown() {
        if (enc != null) {
            enc.close();
        }
    }

    /**
     * Runs one layer of the imported graph on a copy of an input (the activations map of feedForward is not
     * used for outputs: DL4J's activation layers work in place, so a recorded BN output is already ReLU6-ed).
     */
    private static INDArray activate(String layer, INDArray input) {
        org.deeplearning4j.nn.api.Layer l = enc.graph().getLayer(layer);
        l.setInput(input.dup(), org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        return l.activate(false, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces()).dup();
    }

    private static float[] nhwc(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    @Test
    void weightLoaderMatchesDirectComputationLayerByLayer() {
        INDArray x = images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1));
        Map<String, INDArray> acts = enc.graph().feedForward(new INDArray[]{x}, false);

        // Conv1: 3x3, stride 2, valid, no bias, on the zero-padded input [1, 225, 225, 3]
        INDArray pad = acts.get("Conv1_pad");
        assertArrayEquals(new long[]{1, 225, 225, 3}, pad.shape(), "NHWC activations");
        float[] in = nhwc(pad);
        float[] k = nhwc(raw.get("Conv1/kernel")); // [3, 3, 3, 32]
        float[] got = nhwc(activate("Conv1", pad));
        double maxDiff = 0;
        for (int oy = 0; oy < 112; oy += 5) {
            for (int ox = 0; ox < 112; ox += 3) {
                for (int o = 0; o < 32; o++) {
                    double s = 0;
                    for (int i = 0; i < 3; i++) {
                        for (int j = 0; j < 3; j++) {
                            for (int c = 0; c < 3; c++) {
                                s += in[((2 * oy + i) * 225 + (2 * ox + j)) * 3 + c] * k[((i * 3 + j) * 3 + c) * 32 + o];
                            }
                        }
                    }
                    maxDiff = Math.max(maxDiff, Math.abs(s - got[(oy * 112 + ox) * 32 + o]));
                }
            }
        }
        assertTrue(maxDiff < 1e-4, "Conv1 max diff " + maxDiff);

        // bn_Conv1: (x - mean) / sqrt(var + 1e-3) * gamma + beta, per channel
        INDArray bnIn = activate("Conv1", pad);
        INDArray expected = bnIn.sub(raw.get("bn_Conv1/moving_mean").reshape(1, 1, 1, 32))
                .div(Transforms.sqrt(raw.get("bn_Conv1/moving_variance").add(1e-3)).reshape(1, 1, 1, 32))
                .mul(raw.get("bn_Conv1/gamma").reshape(1, 1, 1, 32)).add(raw.get("bn_Conv1/beta").reshape(1, 1, 1, 32));
        double bnDiff = expected.sub(activate("bn_Conv1", bnIn)).amaxNumber().doubleValue();
        assertTrue(bnDiff < 1e-4, "bn_Conv1 max diff " + bnDiff);

        // expanded_conv_depthwise: 3x3 depthwise, stride 1, same padding, on Conv1_relu [1, 112, 112, 32]
        INDArray dIn = acts.get("Conv1_relu");
        float[] d = nhwc(dIn);
        float[] dk = nhwc(raw.get("expanded_conv_depthwise/depthwise_kernel")); // [3, 3, 32, 1]
        float[] dGot = nhwc(activate("expanded_conv_depthwise", dIn));
        double dDiff = 0;
        for (int oy = 0; oy < 112; oy += 7) {
            for (int ox = 0; ox < 112; ox += 5) {
                for (int c = 0; c < 32; c++) {
                    double s = 0;
                    for (int i = 0; i < 3; i++) {
                        for (int j = 0; j < 3; j++) {
                            int yy = oy + i - 1;
                            int xx = ox + j - 1;
                            if (yy >= 0 && yy < 112 && xx >= 0 && xx < 112) {
                                s += d[(yy * 112 + xx) * 32 + c] * dk[(i * 3 + j) * 32 + c];
                            }
                        }
                    }
                    dDiff = Math.max(dDiff, Math.abs(s - dGot[(oy * 112 + ox) * 32 + c]));
                }
            }
        }
        assertTrue(dDiff < 1e-4, "depthwise max diff " + dDiff);

        // dense_3: softmax(h W + b) on the 128-d input
        INDArray h = acts.get("dropout_3");
        INDArray logits = h.reshape(1, 128).mmul(raw.get("dense_3/kernel")).add(raw.get("dense_3/bias").reshape(1, 5));
        INDArray probs = Transforms.softmax(logits);
        assertEquals(0.0, probs.sub(activate("dense_3", h)).amaxNumber().doubleValue(), 1e-5);
    }

    @Test
    void pooledFeaturesAre1280dAndDifferPerImage() {
        INDArray f = enc.encode(images);
        assertArrayEquals(new long[]{2, 1280}, f.shape());
        assertTrue(f.minNumber().doubleValue() >= 0 && f.maxNumber().doubleValue() <= 6.0001,
                "average of ReLU6 outputs lies in [0, 6]");
        assertTrue(f.getRow(0).sub(f.getRow(1)).norm2Number().doubleValue() > 1.0);
        INDArray p = enc.classify(images);
        assertEquals(0.0, p.sum(1).sub(1).amaxNumber().doubleValue(), 1e-5);
        System.out.println("nsfwjs classes " + MobileNetV2ImageEncoder.CLASSES + " for drawing / gradient: " + p);
    }

    @Test
    void secondLoadUsesTheSavedGraph() throws Exception {
        assertFalse(enc.loadedFromCache());
        try (MobileNetV2ImageEncoder again = MobileNetV2ImageEncoder.create(ImageEncoderConfig.builder()
                .modelDir(TestModels.nsfwjsModelJson().getParent()).convertedCacheDir(dir).build())) {
            assertTrue(again.loadedFromCache());
            assertEquals(0.0, again.encode(images).sub(enc.encode(images)).amaxNumber().doubleValue(), 1e-6);
        }
    }
}
