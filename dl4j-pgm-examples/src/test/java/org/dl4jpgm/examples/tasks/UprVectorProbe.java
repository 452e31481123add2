package org.dl4jpgm.examples.tasks;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dl4jpgm.blocks.PgmBlock;
import org.dl4jpgm.blocks.PgmOptions;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutIteratorOptions;
import org.dl4jpgm.datavec.layout.LayoutMultiDataSetIterator;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.meld.MeldLabel;
import org.dl4jpgm.datavec.testutil.MeldFixtures;
import org.dl4jpgm.datavec.testutil.Pickle4Writer;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.fusion.Fused;
import org.dl4jpgm.fusion.FusionSpec;
import org.dl4jpgm.fusion.PgmFusion;
import org.dl4jpgm.fusion.PgmGraph;
import org.dl4jpgm.conf.PgmLayer;
import org.dl4jpgm.train.TrainerOptions;
import org.dl4jpgm.train.TwoStageTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * A measurement, not a check (run on request: {@code -Dtest=UprVectorProbe}): UPR (Eq. 10) on MELD-style utterance
 * vectors, epoch by epoch, with what it is made of. Writes MELD in the real format (text [N, 300] ~ N(0, 0.3²),
 * audio [N, 100] with openSMILE-like per-dimension scales 0.1 .. 1e3 and positive offsets; or both standardised),
 * runs {@link MercMain} with its defaults, then trains the same graph again and after every epoch prints per modality
 * m: the target scale {@code T = mean_b ||I_m||² / D}, the spread {@code V = Σ_d Var_b(I_m,d) / D} (the error of the
 * best constant reconstruction), the reconstruction's scale {@code R = mean_b ||Î_m||² / D}, the error
 * {@code E = mean_b ||I_m - Î_m||² / D} (UPR is Σ_m E), {@code E / T}, {@code E / V} and the projection's Frobenius
 * norm {@code |W_m|}. Model variants: system property {@code upr.variants} (comma-separated; see {@link #variant});
 * data: {@code upr.data} ({@code raw}, {@code standardised} or both); epochs per stage: {@code upr.epochs} (4).
 * {@link #mosiStyleSequences} prints MsaMain's UPR on the same kinds of features as sequences.
 */
class UprVectorProbe {

    private static final String[] SPLITS = {"train", "dev", "test"};
    private static final int[] ROWS = {320, 35, 70};
    private static final int TEXT_D = 300;
    private static final int AUDIO_D = 100;
    private static final int EPOCHS = Integer.getInteger("upr.epochs", 4);

    @Test
    void meldStyleVectors(@TempDir Path dir) throws Exception {
        String variants = System.getProperty("upr.variants", "default");
        for (String data : System.getProperty("upr.data", "raw,standardised").split(",")) {
            Path meld = dir.resolve("MELD-" + data);
            writeMeld(meld, data.equals("standardised"), new Random(11));
            TaskTests.Captured c = new TaskTests.Captured();
            Path out = dir.resolve("out-" + data);
            MercMain.run(MercOptions.parse(meld.toString(), "--stage1-epochs", "" + EPOCHS, "--stage2-epochs",
                    "" + EPOCHS, "--out", out.toString()), c.out);
            System.out.println("=== MercMain, " + data + " features, defaults ===");
            c.text().lines().filter(l -> l.startsWith("stage") || l.contains(" D = ")).forEach(System.out::println);
            for (String v : variants.split(",")) {
                System.out.println("=== probe, " + data + " features, variant " + v + " ===");
                probe(out.resolve("layout"), v);
            }
        }
    }

    /**
     * The same two kinds of features as sequences (MOSI-style {@code unaligned_50.pkl}: text [N, S, 64], audio
     * [N, S, 100], vision [N, S, 20], S = 8, lengths 4..8) through {@link MsaMain} with its defaults: UPR per epoch.
     */
    @Test
    void mosiStyleSequences(@TempDir Path dir) throws Exception {
        for (String data : System.getProperty("upr.data", "raw,standardised").split(",")) {
            Random rnd = new Random(13);
            int[] dims = {64, AUDIO_D, 20};
            int steps = 8;
            double[] scale = new double[AUDIO_D];
            double[] offset = new double[AUDIO_D];
            for (int k = 0; k < AUDIO_D; k++) {
                scale[k] = data.equals("standardised") ? 1 : Math.pow(10, -1 + 4 * rnd.nextDouble());
                offset[k] = data.equals("standardised") ? 0 : scale[k] * 2 * rnd.nextDouble();
            }
            Map<String, Object> root = new LinkedHashMap<>();
            String[] names = {"train", "valid", "test"};
            String[] prefixes = {"", "v", "t"};
            int[] rows = {256, 32, 64};
            for (int s = 0; s < 3; s++) {
                int n = rows[s];
                double[] labels = new double[n];
                long[] lengths = new long[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = Math.round((rnd.nextDouble() * 6 - 3) * 10) / 10.0;
                    lengths[i] = 4 + rnd.nextInt(steps - 3);
                }
                long seed = rnd.nextLong();
                root.put(names[s], org.dl4jpgm.datavec.testutil.MosiFixtures.split(prefixes[s], labels, lengths, steps,
                        dims, (m, i, t, k) -> {
                            double z = new Random(seed + ((m * 1000L + i) * 100 + t) * 1000 + k).nextGaussian()
                                    + labels[i] / 3 * (k % 2 == 0 ? 1 : -1);
                            return (float) (m == 0 ? 0.3 * z : m == 1 ? offset[k] + scale[k] * z : z);
                        }));
            }
            Path mosi = dir.resolve("MOSI-" + data);
            Files.createDirectories(mosi);
            Pickle4Writer.write(mosi.resolve("unaligned_50.pkl"), root);
            TaskTests.Captured c = new TaskTests.Captured();
            MsaMain.run(MsaOptions.parse(mosi.toString(), "--stage1-epochs", "" + EPOCHS, "--stage2-epochs",
                    "" + EPOCHS, "--out", dir.resolve("out-mosi-" + data).toString()), c.out);
            System.out.println("=== MsaMain, " + data + " audio, defaults ===");
            c.text().lines().filter(l -> l.startsWith("stage") || l.contains(" D = ") || l.contains("modalities"))
                    .forEach(System.out::println);
        }
    }

    /**
     * Model variants: default, attached (target not detached), noufcpfc (no UFC, no PFC), declrR (decoder Adam learning
     * rate R, e.g. declr1e-4).
     */
    private static UnaryOperator<PgmOptions> variant(String v) {
        return switch (v) {
            case "attached" -> o -> o.toBuilder().detachUprTarget(false).build();
            case "noufcpfc" -> o -> o.toBuilder().useUfc(false).usePfc(false).build();
            default -> o -> o;
        };
    }

    private static void probe(Path layout, String variant) {
        LayoutReader reader = new LayoutReader(layout);
        DatasetDescriptor d = reader.descriptor();
        TargetSpec t = d.getDefaultTarget();
        SplitData train = reader.readSplit("train");
        MercOptions o = MercOptions.parse(layout.toString());
        if (variant.startsWith("declr")) {
            o = MercOptions.parse(layout.toString(), "--decoder-lr", variant.substring(5));
        }
        List<String> modalities = d.getModalities().stream().map(m -> m.getName()).toList();
        FusionChoice choice = FusionChoice.parse("PGM").expand(modalities).get(0);
        FusionSpec spec = choice.spec(o, modalities);
        spec = spec.toBuilder().pgm(variant(variant).apply(spec.getPgm())).build();
        int width = o.getWidth();
        InputType[] types = new InputType[modalities.size()];
        for (int m = 0; m < types.length; m++) {
            types[m] = InputType.feedForward(train.features(modalities.get(m)).size(1));
        }
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(o.getSeed())
                .dataType(DataType.FLOAT).updater(new Adam(o.getModelLearningRate())).weightInit(WeightInit.XAVIER)
                .graphBuilder().addInputs(modalities.toArray(new String[0])).setInputTypes(types);
        Fused f = PgmFusion.add(b, spec, modalities.toArray(new String[0]));
        b.addLayer("dense", new DenseLayer.Builder().nOut(width).activation(Activation.RELU).build(), f.output())
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(t.labelWidth())
                        .activation(Activation.SOFTMAX).build(), "dense");
        b.setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        LayoutMultiDataSetIterator it = new LayoutMultiDataSetIterator(d, train,
                LayoutIteratorOptions.builder().batchSize(o.getBatchSize()).targets(t.getName()).shuffle(o.getSeed())
                        .build());
        List<INDArray> x = new ArrayList<>();
        for (String m : modalities) {
            x.add(train.features(m));
        }
        System.out.println(header(modalities));
        System.out.println(row("init", 0, 0, Double.NaN, measure(g, f.pgmVertex(), x)));
        TrainerOptions to = TrainerOptions.builder().stage1Epochs(EPOCHS).stage2Epochs(EPOCHS).monitorBatches(4)
                .build();
        new TwoStageTrainer(to).onEpoch(r -> System.out.println(row("s" + r.stage(), r.epoch(), r.ufc() + r.pfc(),
                r.upr(), measure(g, f.pgmVertex(), x)))).fit(new org.dl4jpgm.fusion.PgmGraph(g, f), it, it);
    }

    private static String header(List<String> modalities) {
        StringBuilder s = new StringBuilder("stage ep  UFC+PFC    UPR   |");
        for (String m : modalities) {
            s.append(String.format(Locale.ROOT, " %-6s T        V        R        E        E/T    E/V    |W|     |",
                    m));
        }
        return s.toString();
    }

    private static String row(String stage, int epoch, double cls, double upr, double[][] m) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-5s %2d  %7.4f  %7.4f |", stage, epoch, cls,
                upr));
        for (double[] v : m) {
            s.append(String.format(Locale.ROOT, "        %-8.4g %-8.4g %-8.4g %-8.4g %-6.3f %-6.3f %-7.3g|",
                    v[0], v[1], v[2], v[3], v[3] / v[0], v[3] / v[1], v[4]));
        }
        return s.toString();
    }

    /** Per modality {T, V, R, E, |W|} on the whole split (see the class comment), from the vertex's parameters. */
    static double[][] measure(ComputationGraph g, String vertex, List<INDArray> x) {
        PgmLayer conf = PgmGraph.pgmLayer(g.getConfiguration(), vertex);
        PgmBlock block = conf.toBlock();
        Map<String, INDArray> params = g.getVertex(vertex).paramTable(false);
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> vars = new HashMap<>();
        params.forEach((k, v) -> vars.put(k, sd.var(k, v.dup())));
        List<SDVariable> in = new ArrayList<>();
        List<SDVariable> masks = new ArrayList<>();
        long[] seqs = new long[x.size()];
        for (int m = 0; m < x.size(); m++) {
            long w = x.get(m).size(1);
            in.add(sd.placeHolder("in" + m, DataType.FLOAT, -1, w).reshape(-1, 1, w));
            masks.add(null);
            seqs[m] = 1;
        }
        PgmBlock.Outputs o = block.define(vars, in, masks, seqs);
        List<String> names = new ArrayList<>();
        for (int m = 0; m < x.size(); m++) {
            names.add(o.projected.get(m).rename("target" + m).name());
            List<SDVariable> recs = o.reconstructions.get(m);
            names.add(recs.get(recs.size() - 1).rename("rec" + m).name());
        }
        Map<String, INDArray> ph = new LinkedHashMap<>();
        for (int m = 0; m < x.size(); m++) {
            ph.put("in" + m, x.get(m).castTo(DataType.FLOAT));
        }
        Map<String, INDArray> out = sd.output(ph, names.toArray(new String[0]));
        double[][] r = new double[x.size()][];
        for (int m = 0; m < x.size(); m++) {
            INDArray target = out.get("target" + m).reshape(x.get(m).size(0), -1).castTo(DataType.DOUBLE);
            INDArray rec = out.get("rec" + m).reshape(x.get(m).size(0), -1).castTo(DataType.DOUBLE);
            double dWidth = target.size(1);
            double tNorm = target.mul(target).sum(1).meanNumber().doubleValue() / dWidth;
            double spread = target.var(false, 0).sumNumber().doubleValue() / dWidth;
            double rNorm = rec.mul(rec).sum(1).meanNumber().doubleValue() / dWidth;
            INDArray diff = target.sub(rec);
            double err = diff.mul(diff).sum(1).meanNumber().doubleValue() / dWidth;
            INDArray w = params.get(PgmBlock.PROJ_W + m);
            r[m] = new double[]{tNorm, spread, rNorm, err, w == null ? Double.NaN : w.norm2Number().doubleValue()};
        }
        return r;
    }

    /** MELD's three CSVs and the text and audio pickles, 7 emotions, class signal in a few dimensions. */
    static void writeMeld(Path data, boolean standardised, Random rnd) throws Exception {
        Files.createDirectories(data);
        List<String> emotions = MeldLabel.EMOTION.classes();
        double[] scale = new double[AUDIO_D];
        double[] offset = new double[AUDIO_D];
        for (int k = 0; k < AUDIO_D; k++) {
            scale[k] = Math.pow(10, -1 + 4 * rnd.nextDouble());       // 0.1 .. 1e3, as openSMILE functionals
            offset[k] = scale[k] * 2 * rnd.nextDouble();
        }
        Object[] text = new Object[3];
        Object[] audio = new Object[3];
        for (int s = 0; s < 3; s++) {
            StringBuilder csv = new StringBuilder(MeldFixtures.HEADER);
            Map<String, Object> tm = new LinkedHashMap<>();
            Map<String, Object> am = new LinkedHashMap<>();
            for (int row = 0; row < ROWS[s]; row++) {
                int e = rnd.nextInt(emotions.size());
                int dia = row / 5;
                int utt = row % 5;
                csv.append(MeldFixtures.row(row + 1, "line " + row, "Joey", emotions.get(e), "neutral", dia, utt));
                float[] tv = new float[TEXT_D];
                for (int k = 0; k < TEXT_D; k++) {
                    tv[k] = (float) (0.3 * rnd.nextGaussian() + (k % 7 == e ? 0.3 : 0));
                }
                float[] av = new float[AUDIO_D];
                for (int k = 0; k < AUDIO_D; k++) {
                    double z = rnd.nextGaussian() + (k % 7 == e ? 0.5 : 0);
                    av[k] = (float) (standardised ? z : offset[k] + scale[k] * z);
                }
                tm.put(dia + "_" + utt, new Pickle4Writer.Nd("f4", new long[]{TEXT_D}, tv));
                am.put(dia + "_" + utt, new Pickle4Writer.Nd("f4", new long[]{AUDIO_D}, av));
            }
            Files.write(data.resolve(SPLITS[s] + "_sent_emo.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
            text[s] = tm;
            audio[s] = am;
        }
        Pickle4Writer.write(data.resolve("text_glove_average_emotion.pkl"), text);
        Pickle4Writer.write(data.resolve("audio_embeddings_feature_selection_emotion.pkl"), audio);
    }
}
