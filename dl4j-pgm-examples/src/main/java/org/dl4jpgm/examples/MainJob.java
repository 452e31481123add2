package org.dl4jpgm.examples;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.datavec.embedded.EmbeddedDatasets;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.layout.TargetStatistics;
import org.dl4jpgm.datavec.layout.TaskType;
import org.dl4jpgm.examples.mainjob.ExperimentRunner;
import org.dl4jpgm.examples.mainjob.Figures;
import org.dl4jpgm.examples.mainjob.FusionChoice;
import org.dl4jpgm.examples.mainjob.MainJobOptions;
import org.dl4jpgm.examples.mainjob.ResultsTable;
import org.dl4jpgm.examples.mainjob.RunResult;
import org.dl4jpgm.fusion.EpochRecord;
import org.dl4jpgm.fusion.PartitionStatistics;
import org.dl4jpgm.util.ParameterCounts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The main job (the README's first command): trains PgM, every Table 2 baseline and every Table 3 ablation on a dataset
 * in the project's layout (default: the embedded digits-speech set), prints per-epoch progress, the results tables
 * (mean ± std over seeds), the parameter table (Table 5 style), and writes Fig. 4/5-style PNGs. The results table is
 * also written to {@code <out>/results.md}.
 *
 * <p>Run: {@code OMP_NUM_THREADS=1 mvn -B -q -pl dl4j-pgm-examples exec:java} (defaults), with options
 * {@code -Dexec.args="--quick"} (see {@link MainJobOptions#usage()}, {@code -Dexec.args="--help"}).
 */
public final class MainJob {

    /** Adam learning rate of everything but PgM's learners and decoder (higher than the paper's 3e-4: few epochs). */
    public static final double MODEL_LR = 3e-3;
    /** Adam learning rate of PgM's two learners (paper: 1e-4). */
    public static final double LEARNER_LR = 1e-3;
    /** Adam learning rate of PgM's decoder (paper: 1e-3). */
    public static final double DECODER_LR = 3e-3;
    /** Name of the results file written next to the figures. */
    public static final String RESULTS_MD = "results.md";

    private MainJob() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        MainJobOptions o;
        try {
            o = MainJobOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(MainJobOptions.usage());
            System.exit(2);
            return;
        }
        if (o.isHelp()) {
            System.out.println(MainJobOptions.usage());
            return;
        }
        run(o);
    }

    /** Runs everything {@code o} asks for; returns the formatted results tables. */
    public static String run(MainJobOptions o) throws IOException {
        long start = System.nanoTime();
        LayoutReader reader = o.getDataset() == null ? EmbeddedDatasets.openDigitsSpeech() : new LayoutReader(o.getDataset());
        DatasetDescriptor d = reader.descriptor();
        TargetSpec target = o.getTarget() == null ? d.getDefaultTarget() : d.getTarget(o.getTarget());
        SplitData train = limit(reader.readSplit(o.getTrainSplit()), o.getMaxTrain());
        SplitData test = limit(reader.readSplit(o.getTestSplit()), o.getMaxTest());
        ExperimentRunner runner = new ExperimentRunner(d, target, train, test, o);
        List<FusionChoice> choices = o.fusionChoices(runner.modalities());
        boolean classification = target.getTask() == TaskType.CLASSIFICATION;
        System.out.printf(Locale.ROOT, "dataset %s (%s), target '%s' (%s%s), modalities %s; train %d, test %d examples%n",
                d.getName(), o.getDataset() == null ? "embedded" : o.getDataset(), target.getName(),
                target.getTask().jsonName(), classification ? ", " + target.getClasses().size() + " classes" : "",
                runner.modalities(), train.size(), test.size());
        System.out.printf(Locale.ROOT, "fusions %s; seeds %d; epochs %d + %d; learner mode %s; D = %d, N = %d, batch %d; "
                        + "Adam lr %s (learners %s, decoder %s)%n",
                choices.stream().map(FusionChoice::name).toList(), o.getSeeds(), o.getStage1Epochs(),
                o.getStage2Epochs(), o.getLearnerMode(), o.getWidth(), o.getIterations(), o.getBatchSize(),
                o.getModelLearningRate(), o.getLearnerLearningRate(), o.getDecoderLearningRate());

        ResultsTable table = new ResultsTable(classification);
        List<List<EpochRecord>> pgmHistories = new ArrayList<>();
        List<List<PartitionStatistics.ModalityPartition>> pgmPartitions = new ArrayList<>();
        List<Long> pgmSeeds = new ArrayList<>();
        StringBuilder params = new StringBuilder();
        int total = choices.size() * o.getSeeds();
        int done = 0;
        for (FusionChoice c : choices) {
            for (int s = 0; s < o.getSeeds(); s++) {
                long seed = 1000L + s;
                done++;
                String tag = String.format(Locale.ROOT, "[%d/%d %s seed %d]", done, total, c.label(), seed);
                boolean monitored = c.name().equals("PGM") ? s == 0 : !c.isPgm();
                RunResult r = runner.run(c, seed, monitored, e -> System.out.println(tag + " " + (monitored ? e.format()
                        : String.format(Locale.ROOT, "stage %d epoch %3d  (%.1f s; losses monitored for PgM's first "
                        + "seed only)", e.stage(), e.epoch(), e.seconds()))));
                System.out.printf(Locale.ROOT, "%s %s  (%.1f s, elapsed %.0f s)%n", tag, r.metrics().format(),
                        r.seconds(), (System.nanoTime() - start) / 1e9);
                table.add(r);
                if (c.name().equals("PGM")) {
                    if (monitored) {
                        pgmHistories.add(r.history());
                        pgmSeeds.add(seed);
                    }
                    if (r.partitions() != null) {
                        pgmPartitions.add(r.partitions());
                    }
                }
            }
            params.append(parameterLine(runner, c));
        }

        String chance = classification ? String.format(Locale.ROOT,
                "Chance: uniform %.1f %%, majority class of train on test %.1f %%.",
                100 * TargetStatistics.uniformAccuracy(target),
                100 * TargetStatistics.majorityAccuracy(train.labels(target.getName()), test.labels(target.getName())))
                : null;
        String results = table.format(chance);
        System.out.println();
        System.out.println(results);
        String paramTable = parameterTable(runner, choices, params);
        System.out.println(paramTable);

        Files.createDirectories(o.getOut());
        if (!pgmHistories.isEmpty()) {
            Path f = Figures.curves(o.getOut(), d.getName() + " / " + target.getName(), pgmHistories, pgmSeeds,
                    o.getStage1Epochs());
            System.out.println("wrote " + f);
        }
        if (!pgmPartitions.isEmpty()) {
            Path f = Figures.partition(o.getOut(), "PgM partition per modality (" + d.getName() + " / "
                    + target.getName() + ", last iteration, test split)", pgmPartitions, runner.modalities());
            System.out.println("wrote " + f);
        }
        Files.writeString(o.getOut().resolve(RESULTS_MD), results + "\n" + paramTable);
        System.out.printf(Locale.ROOT, "total %.1f s%n", (System.nanoTime() - start) / 1e9);
        return results;
    }

    private static String parameterLine(ExperimentRunner runner, FusionChoice c) {
        ComputationGraph g = runner.build(c, 0).graph();
        return String.format(Locale.ROOT, "| %-22s | %,10d |%n", c.label(), ParameterCounts.of(g).total());
    }

    /** Table 5 style: PgM's graph per vertex and component, then every fusion's total. */
    private static String parameterTable(ExperimentRunner runner, List<FusionChoice> choices, StringBuilder totals) {
        StringBuilder sb = new StringBuilder();
        FusionChoice pgm = choices.stream().filter(c -> c.name().equals("PGM")).findFirst().orElse(null);
        if (pgm != null) {
            sb.append("Table 5 layout: parameters of the PgM graph, per vertex and component\n\n");
            sb.append(ParameterCounts.of(runner.build(pgm, 0).graph())).append('\n');
        }
        sb.append("Parameters per fusion (whole graph)\n\n| fusion                 | parameters |\n")
                .append("|------------------------|------------|\n").append(totals);
        return sb.toString();
    }

    private static SplitData limit(SplitData s, int max) {
        return max <= 0 || max >= s.size() ? s : s.rows(IntStream.range(0, max).toArray());
    }
}
