package org.dl4jpgm.examples;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.datavec.embedded.EmbeddedDatasets;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.layout.TargetStatistics;
import org.dl4jpgm.datavec.layout.TaskType;
import org.dl4jpgm.examples.cli.Cli;
import org.dl4jpgm.examples.cli.Presets;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.mainjob.Figures;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.dl4jpgm.examples.mainjob.MainJobOptions;
import org.dl4jpgm.examples.mainjob.ResultsTable;
import org.dl4jpgm.examples.experiment.ModelRate;
import org.dl4jpgm.examples.experiment.RunResult;
import org.dl4jpgm.examples.experiment.TrainingSettings;
import org.dl4jpgm.examples.predict.SavedModel;
import org.dl4jpgm.examples.tasks.RunProvenance;
import org.dl4jpgm.train.EpochRecord;
import org.dl4jpgm.fusion.PartitionStatistics;
import org.dl4jpgm.util.ParameterCounts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * The main job (the README's first command): trains PgM, every Table 2 baseline and every Table 3 ablation on a dataset
 * in the project's layout (default: the embedded digits-speech set), prints per-epoch progress, the results tables
 * (mean ± std over seeds), the parameter table (Table 5 style), and writes Fig. 4/5-style PNGs. The results table is
 * also written to {@code <out>/results.md}.
 *
 * <p>It also writes {@code <out>/results.json} (every run's metrics, the options, the data set's fingerprint, the git
 * commit, the machine) and saves every run's trained graph to {@code <out>/models/<fusion>-seed<seed>.zip}
 * ({@link SavedModel}; {@link org.dl4jpgm.examples.predict.Predict} runs it on a data set).
 *
 * <p>Run: {@code OMP_NUM_THREADS=1 mvn -B -q -pl dl4j-pgm-examples exec:java} (defaults), with options
 * {@code -Dexec.args="--quick"} (see {@link MainJobOptions#usage()}, {@code -Dexec.args="--help"}).
 */
public final class MainJob {

    /** Name of the results file written next to the figures. */
    public static final String RESULTS_MD = "results.md";
    /** Name of the results file as JSON (results, options, provenance). */
    public static final String RESULTS_JSON = "results.json";
    /** Folder under {@code --out} of the trained models, one {@code <fusion>-seed<seed>.zip} per run. */
    public static final String MODELS = "models";

    private MainJob() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        MainJobOptions o;
        try {
            o = MainJobOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("(--help lists the options)");
            System.exit(Cli.USAGE_ERROR);
            return;
        }
        if (o.isHelp()) {
            System.out.print(o.help());
            return;
        }
        run(o);
    }

    /** Runs everything {@code o} asks for; returns the formatted results tables. */
    public static String run(MainJobOptions o) throws IOException {
        long start = System.nanoTime();
        Path root = o.getDataset() == null ? EmbeddedDatasets.digitsSpeech() : o.getDataset();
        LayoutReader reader = new LayoutReader(root);
        DatasetDescriptor d = reader.descriptor();
        TargetSpec target = o.getTarget() == null ? d.getDefaultTarget() : d.getTarget(o.getTarget());
        SplitData train = limit(reader.readSplit(o.getTrainSplit()), o.getMaxTrain());
        SplitData test = limit(reader.readSplit(o.getTestSplit()), o.getMaxTest());
        String selectName = o.selectionSplit(d.getSplits());
        List<Double> sweep = o.getLearningRateSweep();
        if (!sweep.isEmpty() && selectName == null) {
            throw new IllegalArgumentException("MainJob: option --lr-sweep chooses the rate on a selection split; the "
                    + "data set's splits are " + d.getSplits() + " and --select-split is "
                    + (o.getCheckpointDir() != null ? "off with --checkpoint-dir" : "'" + o.getSelectSplit() + "'"));
        }
        SplitData valid = selectName == null ? null : limit(reader.readSplit(selectName), o.getMaxTest());
        List<Double> rates = sweep.isEmpty() ? List.of(o.getModelLearningRate()) : sweep;
        List<ExperimentRunner> runners = new ArrayList<>();
        for (double rate : rates) {
            TrainingSettings settings = sweep.isEmpty() ? o : new ModelRate(o, rate);
            runners.add(new ExperimentRunner(d, target, train, test, settings).selectEpochsOn(valid));
        }
        ExperimentRunner runner = runners.get(0);
        List<FusionChoice> choices = o.fusionChoices(runner.modalities());
        boolean classification = target.getTask() == TaskType.CLASSIFICATION;
        System.out.printf(Locale.ROOT, "dataset %s (%s), target '%s' (%s%s), modalities %s; train %d, test %d examples%n",
                d.getName(), o.getDataset() == null ? "embedded" : o.getDataset(), target.getName(),
                target.getTask().jsonName(), classification ? ", " + target.getClasses().size() + " classes" : "",
                runner.modalities(), train.size(), test.size());
        System.out.printf(Locale.ROOT, "fusions %s; seeds %d; epochs %d + %d; learner mode %s; D = %d, N = %d, batch %d; "
                        + "Adam lr %s%s (learners %s, decoder %s)%s%s%n",
                choices.stream().map(FusionChoice::name).toList(), o.getSeeds(), o.getStage1Epochs(),
                o.getStage2Epochs(), o.getLearnerMode(), o.getWidth(), o.getIterations(), o.getBatchSize(),
                sweep.isEmpty() ? o.getModelLearningRate() : "swept over " + sweep,
                sweep.isEmpty() && o.getBaselineLearningRate() != o.getModelLearningRate()
                        ? ", baselines " + o.getBaselineLearningRate() : "", o.getLearnerLearningRate(),
                o.getDecoderLearningRate(), o.getHeadWarmup() == 0 ? "" : "; PgM's head warmed up over the first "
                        + o.getHeadWarmup() + " stage-2 iterations", o.getFinalLearningRateFraction() == 1 ? ""
                        : "; every rate decays over stage 2 (cosine) to " + o.getFinalLearningRateFraction() + " of it");
        System.out.println(valid == null ? "selection: none, every run keeps its last epoch"
                + (o.getCheckpointDir() != null && !o.isSelectSplitGiven() ? " (--checkpoint-dir)" : "")
                : String.format(Locale.ROOT, "selection: each run keeps its best stage-2 epoch%s on split '%s' (%d "
                        + "examples, %s); the test split is evaluated once", sweep.isEmpty() ? "" : " and learning rate",
                selectName, valid.size(), classification ? "ACC" : "MAE"));

        ResultsTable table = new ResultsTable(classification);
        List<List<EpochRecord>> pgmHistories = new ArrayList<>();
        List<List<PartitionStatistics.ModalityPartition>> pgmPartitions = new ArrayList<>();
        List<Long> pgmSeeds = new ArrayList<>();
        StringBuilder params = new StringBuilder();
        RunProvenance provenance = RunProvenance.of("MainJob", o.values(), root);
        List<Map<String, Object>> runs = new ArrayList<>();
        List<RunJob> jobs = new ArrayList<>();
        for (FusionChoice c : choices) {
            for (int s = 0; s < o.getSeeds(); s++) {
                long seed = 1000L + s;
                String tag = String.format(Locale.ROOT, "[%d/%d %s seed %d]", jobs.size() + 1,
                        choices.size() * o.getSeeds(), c.label(), seed);
                boolean monitored = c.name().equals("PGM") ? s == 0 : !c.isPgm();
                Path model = o.getOut().resolve(MODELS).resolve(c.label().replaceAll("[^A-Za-z0-9._-]+", "_") + "-seed"
                        + seed + ".zip");
                jobs.add(new RunJob(c, seed, tag, monitored, model));
            }
        }
        int parallel = Math.min(o.parallelRuns(), jobs.size());
        if (parallel > 1) {
            System.out.printf(Locale.ROOT, "training %d runs at once, one per thread (--parallel-runs)%n", parallel);
        }
        List<RunResult> trained = inParallel(jobs, parallel, job -> {
            BiConsumer<ExperimentRunner.Trained, Double> saveModel = (t, rate) -> save(t, rate, job.choice(),
                    job.seed(), o, d, target, train, provenance, job.model());
            RunResult r = train(runners, sweep.isEmpty() ? List.of(job.choice().learningRate(o)) : sweep,
                    !sweep.isEmpty(), job.choice(), job.seed(), job.tag(), job.monitored(), saveModel);
            System.out.printf(Locale.ROOT, "%s %s%s  (%.1f s, elapsed %.0f s)%n", job.tag(), r.metrics().format(),
                    r.selection() == null ? "" : String.format(Locale.ROOT, "  [kept epoch %d of %d%s, %s %.4f on "
                            + "%s]", r.selection().epoch(), o.getStage2Epochs(), sweep.isEmpty() ? ""
                            : String.format(Locale.ROOT, " at lr %s", r.selection().learningRate()),
                            classification ? "ACC" : "-MAE", r.selection().validationScore(), selectName),
                    r.seconds(), (System.nanoTime() - start) / 1e9);
            return r;
        });
        for (int k = 0; k < jobs.size(); k++) {
            RunJob job = jobs.get(k);
            RunResult r = trained.get(k);
            FusionChoice c = job.choice();
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("fusion", c.label());
            run.put("seed", job.seed());
            r.metrics().named().forEach((name, value) -> run.put(name, finite(value)));
            run.put("parameters", r.parameters());
            run.put("seconds", r.seconds());
            if (r.selection() != null) {
                run.put("learningRate", r.selection().learningRate());
                run.put("selectedEpoch", r.selection().epoch());
                run.put("validationScore", r.selection().validationScore());
            }
            run.put("model", job.model().toAbsolutePath().normalize().toString());
            runs.add(run);
            table.add(r);
            if (c.name().equals("PGM")) {
                if (job.monitored()) {
                    pgmHistories.add(r.history());
                    pgmSeeds.add(job.seed());
                }
                if (r.partitions() != null) {
                    pgmPartitions.add(r.partitions());
                }
            }
        }
        for (FusionChoice c : choices) {
            params.append(parameterLine(runner, c));
        }

        String chance = classification ? String.format(Locale.ROOT,
                "Chance: uniform %.1f %%, majority class of train on test %.1f %%.",
                100 * TargetStatistics.uniformAccuracy(target),
                100 * TargetStatistics.majorityAccuracy(train.labels(target.getName()), test.labels(target.getName())))
                : null;
        String results = table.format(chance) + table.pairedComparison("PgM") + table.selection();
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
        Files.writeString(o.getOut().resolve(RESULTS_MD), results + "\n" + paramTable + "\n" + provenance.markdown());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("title", results.lines().findFirst().orElse(""));
        json.put("dataset", d.getName());
        json.put("target", target.getName());
        json.put("trainExamples", train.size());
        json.put("testExamples", test.size());
        json.put("seeds", IntStream.range(0, o.getSeeds()).mapToObj(s -> 1000L + s).toList());
        json.put("training", Presets.values(o.getTraining()));
        json.put("runs", runs);
        json.put("table", results);
        Files.writeString(o.getOut().resolve(RESULTS_JSON), provenance.json(json));
        System.out.println("results: " + o.getOut().resolve(RESULTS_MD) + ", " + RESULTS_JSON + ", models in "
                + o.getOut().resolve(MODELS) + " (data set fingerprint " + provenance.fingerprint() + ")");
        System.out.printf(Locale.ROOT, "total %.1f s%n", (System.nanoTime() - start) / 1e9);
        return results;
    }

    /** One run of the main job: a fusion at a seed, its progress tag and where its model is saved. */
    private record RunJob(FusionChoice choice, long seed, String tag, boolean monitored, Path model) {
    }

    /**
     * {@code train} applied to every job, {@code parallel} at a time on threads of their own (1: one after another on
     * this thread); the results in the jobs' order. Every run builds its graph, iterators and random state from its
     * seed, so the results do not depend on how many run at once. The first failure stops the rest and is rethrown as
     * the one-at-a-time path throws it.
     */
    private static List<RunResult> inParallel(List<RunJob> jobs, int parallel, Function<RunJob, RunResult> train) {
        if (parallel <= 1) {
            return jobs.stream().map(train).toList();
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "mainjob-run-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<RunResult>> futures = jobs.stream().map(job -> pool.submit(() -> train.apply(job))).toList();
            List<RunResult> results = new ArrayList<>();
            for (Future<RunResult> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("MainJob: interrupted while waiting for the runs", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Trains one fusion at one seed: with one runner, its run; with a sweep, one run per learning rate, the rate whose
     * kept epoch scores best on the selection split (the first of equal ones) evaluated on the test split.
     *
     * @param rates the rate of each runner (without a sweep: the fusion's own, {@link FusionChoice#learningRate})
     * @param swept whether {@code rates} are a sweep's (false: the one runner's run)
     */
    private static RunResult train(List<ExperimentRunner> runners, List<Double> rates, boolean swept,
                                   FusionChoice c, long seed, String tag, boolean monitored,
                                   BiConsumer<ExperimentRunner.Trained, Double> saveModel) {
        ExperimentRunner.Trained best = null;
        int bestIndex = -1;
        double seconds = 0;
        for (int k = 0; k < runners.size(); k++) {
            String at = !swept ? tag : tag.substring(0, tag.length() - 1) + " lr " + rates.get(k) + "]";
            ExperimentRunner.Trained t = runners.get(k).train(c, seed, monitored, e -> System.out.println(at + " "
                    + (monitored ? e.format() : String.format(Locale.ROOT, "stage %d epoch %3d  (%.1f s; losses "
                    + "monitored for PgM's first seed only)", e.stage(), e.epoch(), e.seconds()))));
            seconds += t.seconds();
            if (best == null || (t.selection() != null
                    && t.selection().bestScore() > best.selection().bestScore())) {
                best = t;
                bestIndex = k;
            }
        }
        double rate = rates.get(bestIndex);
        return runners.get(bestIndex).result(c, seed, best, rate, seconds, (t, m) -> saveModel.accept(t, rate));
    }

    /**
     * Saves one run's trained graph with what it was trained on ({@link SavedModel}); its training options record
     * the model part's learning rate it was trained with ({@code rate}: with {@code --lr-sweep}, the rate chosen).
     */
    private static void save(ExperimentRunner.Trained t, double rate, FusionChoice c, long seed, MainJobOptions o,
                             DatasetDescriptor d, TargetSpec target, SplitData train, RunProvenance provenance,
                             Path file) {
        Map<String, Object> training = Presets.values(o.getTraining());
        training.put("lr", rate);
        try {
            new SavedModel("MainJob", c.label(), seed, target.getName(), SavedModel.task(target), target.getClasses(),
                    SavedModel.shapes(d, train), provenance.fingerprint(), training,
                    provenance.options(), o.getArgs(), null).write(t.graph(), file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
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
