package org.dl4jpgm.train;

import org.dl4jpgm.conf.LossWeights;
import org.dl4jpgm.fusion.PgmGraph;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One checkpoint of {@link TwoStageTrainer}: a {@code ModelSerializer} zip of the graph with its updater state (the
 * configuration holds α, β and the iteration and epoch counts), plus an entry {@value #STATE_KEY} with the trainer's
 * state as properties: epochs done over both stages (the index of the next epoch, whose shuffle the training iterator
 * derives from its seed and that index), the stage and epoch within it of the last epoch done, the (α, β) in effect,
 * N1 and N2, ND4J's random generator state, and the epoch records so far.
 *
 * @param done    epochs done over both stages
 * @param stage   stage of the last epoch done
 * @param epoch   epoch within that stage, from 1
 * @param weights (α, β) in effect during that epoch
 * @param history the records of the epochs done
 * @param file    where it is
 */
public record TrainingCheckpoint(int done, int stage, int epoch, LossWeights weights, List<EpochRecord> history, Path file) {

    /** Key of the trainer's state in the zip ({@code ModelSerializer.addObjectToFile}). */
    static final String STATE_KEY = "pgmTrainerState";

    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)\\.zip");

    /** The file name of the checkpoint after {@code done} epochs. */
    public static String fileName(int done) {
        return String.format(Locale.ROOT, "checkpoint-%04d.zip", done);
    }

    /**
     * Writes the checkpoint after {@code done} epochs: to a temporary file, then moved into place (atomic where the
     * file system allows), then the older checkpoints of the folder are deleted. A reader never sees a partial file.
     */
    static Path write(Path dir, ComputationGraph graph, int done, int stage, int epoch, LossWeights weights,
                      int stage1Epochs, int stage2Epochs, List<EpochRecord> history) {
        try {
            Files.createDirectories(dir);
            Path target = dir.resolve(fileName(done));
            Path tmp = dir.resolve(fileName(done) + ".tmp");
            ModelSerializer.writeModel(graph, tmp.toFile(), true);
            Properties p = new Properties();
            p.setProperty("done", Integer.toString(done));
            p.setProperty("stage", Integer.toString(stage));
            p.setProperty("epoch", Integer.toString(epoch));
            p.setProperty("alpha", Double.toString(weights.alpha()));
            p.setProperty("beta", Double.toString(weights.beta()));
            p.setProperty("stage1Epochs", Integer.toString(stage1Epochs));
            p.setProperty("stage2Epochs", Integer.toString(stage2Epochs));
            p.setProperty("nextIteratorEpoch", Integer.toString(done));
            Random rng = Nd4j.getRandom();
            p.setProperty("nd4jRandomSeed", Long.toString(rng.getSeed()));
            p.setProperty("nd4jRandomRootState", Long.toString(rng.rootState()));
            p.setProperty("nd4jRandomNodeState", Long.toString(rng.nodeState()));
            p.setProperty("history.size", Integer.toString(history.size()));
            for (int i = 0; i < history.size(); i++) {
                EpochRecord r = history.get(i);
                p.setProperty("history." + i, r.stage() + " " + r.epoch() + " " + r.ufc() + " " + r.pfc() + " "
                        + r.upr() + " " + r.taskLoss() + " " + r.seconds());
            }
            StringWriter w = new StringWriter();
            p.store(w, "TwoStageTrainer checkpoint");
            ModelSerializer.addObjectToFile(tmp.toFile(), STATE_KEY, w.toString());
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            for (Path old : list(dir)) {
                if (!old.equals(target)) {
                    Files.deleteIfExists(old);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("TwoStageTrainer: cannot write the checkpoint after epoch " + done + " to "
                    + dir, e);
        }
    }

    /** The checkpoint with the most epochs done in {@code dir}, or null if there is none (or no folder). */
    public static TrainingCheckpoint latest(Path dir) {
        try {
            List<Path> files = list(dir);
            if (files.isEmpty()) {
                return null;
            }
            return read(files.get(files.size() - 1));
        } catch (IOException e) {
            throw new UncheckedIOException("TwoStageTrainer: cannot list the checkpoints in " + dir, e);
        }
    }

    /** The checkpoint files of {@code dir}, fewest epochs first (temporary files left out). */
    public static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> NAME.matcher(f.getFileName().toString()).matches())
                    .sorted(java.util.Comparator.comparingInt(TrainingCheckpoint::number)).toList();
        }
    }

    private static int number(Path f) {
        Matcher m = NAME.matcher(f.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Reads the trainer's state of a checkpoint file. */
    public static TrainingCheckpoint read(Path file) {
        Properties p = stateOf(file);
        List<EpochRecord> history = new ArrayList<>();
        int n = Integer.parseInt(p.getProperty("history.size"));
        for (int i = 0; i < n; i++) {
            String[] f = p.getProperty("history." + i).split(" ");
            history.add(new EpochRecord(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                    Double.parseDouble(f[6])));
        }
        return new TrainingCheckpoint(Integer.parseInt(p.getProperty("done")), Integer.parseInt(p.getProperty("stage")),
                Integer.parseInt(p.getProperty("epoch")), new LossWeights(Double.parseDouble(p.getProperty("alpha")),
                Double.parseDouble(p.getProperty("beta"))), history, file);
    }

    /**
     * Puts the checkpoint's state into {@code graph} in place (its listeners stay): parameters, updater state,
     * iteration and epoch counts, the (α, β) of the last epoch, and ND4J's random generator state.
     *
     * @throws IllegalArgumentException if the checkpoint's graph has another number of parameters, naming both
     */
    void restoreInto(PgmGraph pgm) {
        ComputationGraph graph = pgm.graph();
        ComputationGraph saved;
        try {
            saved = ModelSerializer.restoreComputationGraph(file.toFile(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("TwoStageTrainer: cannot read the checkpoint " + file, e);
        }
        if (saved.numParams() != graph.numParams()) {
            throw new IllegalArgumentException("TwoStageTrainer: the checkpoint " + file + " holds a graph of "
                    + saved.numParams() + " parameters, the graph being trained has " + graph.numParams());
        }
        graph.setParams(saved.params());
        org.nd4j.linalg.api.ndarray.INDArray state = saved.getUpdater().getStateViewArray();
        if (state != null) {
            graph.getUpdater().getStateViewArray().assign(state);
        }
        graph.getConfiguration().setIterationCount(saved.getConfiguration().getIterationCount());
        graph.getConfiguration().setEpochCount(saved.getConfiguration().getEpochCount());
        pgm.setLossWeights(weights);
        Properties p = stateOf(file);
        Random rng = Nd4j.getRandom();
        rng.setSeed(Long.parseLong(p.getProperty("nd4jRandomSeed")));
        rng.setStates(Long.parseLong(p.getProperty("nd4jRandomRootState")),
                Long.parseLong(p.getProperty("nd4jRandomNodeState")));
    }

    /** The trainer's state entry of a checkpoint file. */
    private static Properties stateOf(Path file) {
        String text = ModelSerializer.getObjectFromFile(file.toFile(), STATE_KEY);
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
