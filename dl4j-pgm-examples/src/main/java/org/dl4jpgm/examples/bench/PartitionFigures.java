package org.dl4jpgm.examples.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The figures of {@link PartitionRecoveryProbe}, rendered by XChart as the main job's figures are: the paper's Fig. 4
 * (per modality, the share of uni, paired and overlapping channels) with the ground truth beside the learned shares,
 * and the gate dynamics (shares and gate entropy per epoch).
 */
final class PartitionFigures {

    private PartitionFigures() {
    }

    /**
     * Fig. 4 with the ground truth: for each modality m a bar group "m learned" and, when known, "m truth".
     *
     * @param learned per modality {uni share, paired share, overlap} of the trained PgM
     * @param truth   per modality {uni share, paired share, overlap} of the data, or null when unknown
     * @return the PNG written ({@code <name>-fig4-partition-truth.png}, or {@code <name>-fig4-partition.png} without
     *         ground truth)
     */
    static Path partition(Path dir, String name, List<String> modalities, List<double[]> learned, List<double[]> truth)
            throws IOException {
        Files.createDirectories(dir);
        List<String> groups = new ArrayList<>();
        List<List<Double>> series = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int m = 0; m < modalities.size(); m++) {
            if (truth != null) {
                groups.add(modalities.get(m) + " truth");
                for (int k = 0; k < 3; k++) {
                    series.get(k).add(truth.get(m)[k]);
                }
            }
            groups.add(modalities.get(m) + " learned");
            for (int k = 0; k < 3; k++) {
                series.get(k).add(learned.get(m)[k]);
            }
        }
        CategoryChart c = new CategoryChartBuilder().width(880).height(420)
                .title(name + ": share of channels per modality" + (truth == null ? "" : ", ground truth and learned"))
                .xAxisTitle("modality").yAxisTitle("share of channels").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        c.getStyler().setDecimalPattern("0.00");
        c.addSeries("uni (g_u > 0.5" + (truth == null ? ")" : "; truth: uni-factor and nuisance channels)"), groups,
                series.get(0));
        c.addSeries("paired (g_p > 0.5" + (truth == null ? ")" : "; truth: paired-factor channels)"), groups,
                series.get(1));
        c.addSeries("overlap (both)", groups, series.get(2));
        Path f = dir.resolve(name + "-fig4-partition" + (truth == null ? "" : "-truth") + ".png");
        BitmapEncoder.saveBitmap(c, f.toString(), BitmapEncoder.BitmapFormat.PNG);
        return f;
    }

    /**
     * Gate dynamics: per modality, the uni and paired shares (left) and the mean binary gate entropy (right) against
     * the epoch (0 = initialisation), averaged over seeds.
     *
     * @param dynamics per seed, per epoch (0 = initialisation), per modality {uni, paired, overlap, entropy}
     * @return the PNG written ({@code <name>-gate-dynamics.png})
     */
    static Path dynamics(Path dir, String name, List<String> modalities, List<List<double[][]>> dynamics, int stage1)
            throws IOException {
        Files.createDirectories(dir);
        int epochs = dynamics.get(0).size();
        double[] x = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            x[e] = e;
        }
        String axis = "epoch (0 = initialisation, 1.." + stage1 + " = stage 1)";
        XYChart shares = new XYChartBuilder().width(560).height(380).title(name + ": uni and paired share")
                .xAxisTitle(axis).yAxisTitle("share of channels").build();
        XYChart entropy = new XYChartBuilder().width(560).height(380).title(name + ": gate entropy")
                .xAxisTitle(axis).yAxisTitle("mean binary entropy (bits)").build();
        for (XYChart c : List.of(shares, entropy)) {
            c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
            c.getStyler().setXAxisDecimalPattern("0");
            c.getStyler().setYAxisDecimalPattern("0.00");
            c.getStyler().setYAxisMin(0.0);
            c.getStyler().setYAxisMax(1.0);
        }
        for (int m = 0; m < modalities.size(); m++) {
            shares.addSeries(modalities.get(m) + " uni", x, meanOverSeeds(dynamics, m, 0));
            shares.addSeries(modalities.get(m) + " paired", x, meanOverSeeds(dynamics, m, 1));
            entropy.addSeries(modalities.get(m), x, meanOverSeeds(dynamics, m, 3));
        }
        Path f = dir.resolve(name + "-gate-dynamics.png");
        BitmapEncoder.saveBitmap(List.of(shares, entropy), 1, 2, f.toString(), BitmapEncoder.BitmapFormat.PNG);
        return f;
    }

    private static double[] meanOverSeeds(List<List<double[][]>> dynamics, int m, int k) {
        int epochs = dynamics.get(0).size();
        double[] y = new double[epochs];
        for (List<double[][]> seed : dynamics) {
            for (int e = 0; e < epochs; e++) {
                y[e] += seed.get(e)[m][k] / dynamics.size();
            }
        }
        return y;
    }
}
