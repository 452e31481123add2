package org.dl4jpgm.examples.experiment;

import org.deeplearning4j.core.storage.Persistable;
import org.deeplearning4j.core.storage.StatsStorage;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.stats.impl.SbeStatsInitializationReport;
import org.deeplearning4j.ui.model.stats.impl.SbeStatsReport;
import org.deeplearning4j.ui.model.storage.FileStatsStorage;
import org.dl4jpgm.train.EpochRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * DL4J's training statistics of one run ({@code --stats FILE}), in a {@link FileStatsStorage} that DL4J's training UI
 * opens ({@code UIServer.getInstance().attach(new FileStatsStorage(file))}): a {@link StatsListener} on the graph
 * (session {@code <fusion>-seed<seed>}: the score, which is the task loss β L_T, parameters, updates, learning rates,
 * memory, every iteration), and PgM's objectives after every monitored epoch as their own workers of that session,
 * {@link #OBJECTIVE_WORKERS} ({@code pgm-UFC}, {@code pgm-PFC}, {@code pgm-UPR}, {@code pgm-task}), each a series of
 * reports whose score is the objective and whose iteration is the epoch over both stages.
 */
public final class TrainingStats {

    /** The workers of PgM's objectives, in the order UFC, PFC, UPR, task loss. */
    public static final List<String> OBJECTIVE_WORKERS = List.of("pgm-UFC", "pgm-PFC", "pgm-UPR", "pgm-task");

    private final ComputationGraph graph;
    private final StatsStorage storage;
    private final StatsListener listener;
    private final String session;
    private int epochs;
    /** The objectives' workers given static information so far. */
    private final java.util.Set<String> registered = new java.util.HashSet<>();

    private TrainingStats(ComputationGraph graph, StatsStorage storage, StatsListener listener, String session) {
        this.graph = graph;
        this.storage = storage;
        this.listener = listener;
        this.session = session;
    }

    /** Opens (or adds to) {@code file} and adds a {@link StatsListener} of session {@code session} to {@code g}. */
    public static TrainingStats attach(ComputationGraph g, Path file, String session) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StatsStorage storage = new FileStatsStorage(file.toFile());
        StatsListener l = new StatsListener(storage, 1, session);
        g.addListeners(l);
        return new TrainingStats(g, storage, l, session);
    }

    /**
     * Receives every epoch's record and stores its objectives (NaN ones, of unmonitored epochs and of the baselines'
     * PgM objectives, are left out). An objective's first report gives its worker the listener's static information
     * (model, hardware), which the UI lists workers by.
     */
    public Consumer<EpochRecord> objectives() {
        return e -> {
            epochs++;
            double[] v = {e.ufc(), e.pfc(), e.upr(), e.taskLoss()};
            for (int i = 0; i < v.length; i++) {
                if (!Double.isFinite(v[i])) {
                    continue;
                }
                String worker = OBJECTIVE_WORKERS.get(i);
                if (registered.add(worker)) {
                    Persistable info = storage.getStaticInfo(session, StatsListener.TYPE_ID, listener.getWorkerID());
                    if (info != null) {
                        SbeStatsInitializationReport copy = new SbeStatsInitializationReport();
                        copy.decode(info.encode());
                        copy.reportIDs(session, StatsListener.TYPE_ID, worker, System.currentTimeMillis());
                        storage.putStaticInfo(copy);
                    }
                }
                SbeStatsReport r = new SbeStatsReport();
                r.reportIDs(session, StatsListener.TYPE_ID, worker, System.currentTimeMillis());
                r.reportIterationCount(epochs);
                r.reportScore(v[i]);
                storage.putUpdate(r);
            }
        };
    }

    /** Removes the listener from the graph and closes the file. */
    public void detach() {
        List<TrainingListener> rest = new ArrayList<>(graph.getListeners());
        rest.remove(listener);
        graph.setListeners(rest);
        try {
            storage.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
