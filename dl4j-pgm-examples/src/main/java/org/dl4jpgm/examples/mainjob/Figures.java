package org.dl4jpgm.examples.mainjob;

import org.dl4jpgm.train.EpochRecord;
import org.dl4jpgm.fusion.PartitionStatistics.ModalityPartition;
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
import java.util.function.ToDoubleFunction;

/**
 * The main job's PNG figures, rendered by XChart: the paper's Fig. 4 (per modality, the share of uni, paired and
 * overlapping features after the last iteration, averaged over seeds) and Fig. 5 (per-epoch UFC, PFC, UPR and task
 * loss of PgM, one curve per seed).
 */
public final class Figures {

    /** File name of the Fig. 4-style chart. */
    public static final String PARTITION_PNG = "fig4-partition.png";
    /** File name of the Fig. 5-style chart. */
    public static final String CURVES_PNG = "fig5-objectives.png";

    private Figures() {
    }

    /**
     * Fig. 4: grouped bars per modality.
     *
     * @param perSeed    per seed, one {@link ModalityPartition} per modality (M entries)
     * @param modalities modality names (M)
     * @return the PNG written
     */
    public static Path partition(Path dir, String title, List<List<ModalityPartition>> perSeed, List<String> modalities)
            throws IOException {
        Files.createDirectories(dir);
        CategoryChart c = new CategoryChartBuilder().width(720).height(440).title(title)
                .xAxisTitle("modality").yAxisTitle("share of features").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        c.getStyler().setDecimalPattern("0.00");
        c.addSeries("uni (g_u > 0.5)", modalities, mean(perSeed, ModalityPartition::lastUni));
        c.addSeries("paired (g_p > 0.5)", modalities, mean(perSeed, ModalityPartition::lastPaired));
        c.addSeries("overlap (both)", modalities, mean(perSeed, ModalityPartition::lastOverlap));
        Path f = dir.resolve(PARTITION_PNG);
        BitmapEncoder.saveBitmap(c, f.toString(), BitmapEncoder.BitmapFormat.PNG);
        return f;
    }

    private static List<Double> mean(List<List<ModalityPartition>> perSeed, ToDoubleFunction<ModalityPartition> f) {
        List<Double> r = new ArrayList<>();
        for (int m = 0; m < perSeed.get(0).size(); m++) {
            int mm = m;
            r.add(perSeed.stream().mapToDouble(s -> f.applyAsDouble(s.get(mm))).average().orElse(Double.NaN));
        }
        return r;
    }

    /**
     * Fig. 5: a 2 x 2 grid (UFC, PFC, UPR, task loss) against the epoch (stage-1 epochs first, then stage 2).
     *
     * @param histories per seed, the trainer's records
     * @param seeds     the seeds (legend)
     * @param stage1    number of stage-1 epochs (marked in the x-axis title)
     * @return the PNG written
     */
    public static Path curves(Path dir, String title, List<List<EpochRecord>> histories, List<Long> seeds, int stage1)
            throws IOException {
        Files.createDirectories(dir);
        List<XYChart> charts = new ArrayList<>();
        String[] names = {"UFC", "PFC", "UPR", "task loss"};
        List<ToDoubleFunction<EpochRecord>> getters = List.of(EpochRecord::ufc, EpochRecord::pfc, EpochRecord::upr,
                EpochRecord::taskLoss);
        for (int k = 0; k < names.length; k++) {
            XYChart c = new XYChartBuilder().width(480).height(320).title(title + ": " + names[k])
                    .xAxisTitle("epoch (1.." + stage1 + " = stage 1)").yAxisTitle(names[k]).build();
            c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
            c.getStyler().setDecimalPattern("0.###");
            for (int s = 0; s < histories.size(); s++) {
                List<EpochRecord> h = histories.get(s);
                double[] x = new double[h.size()];
                double[] y = new double[h.size()];
                for (int e = 0; e < h.size(); e++) {
                    x[e] = e + 1;
                    y[e] = getters.get(k).applyAsDouble(h.get(e));
                }
                c.addSeries("seed " + seeds.get(s), x, y);
            }
            charts.add(c);
        }
        Path f = dir.resolve(CURVES_PNG);
        BitmapEncoder.saveBitmap(charts, 2, 2, f.toString(), BitmapEncoder.BitmapFormat.PNG);
        return f;
    }
}
