package org.dl4jpgm.examples.tasks;

import org.dl4jpgm.datavec.common.SkipReport;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The task mains by command name, with how each parses its command line and exports its data folder into the
 * project's layout: what {@link org.dl4jpgm.examples.predict.Predict} needs to read a data folder in a reader's format
 * the way a saved model's data was read.
 */
public enum TaskCommand {
    /** {@link MsaMain}. */
    MSA("MsaMain", MsaOptions::parse, (o, layout, out) -> MsaMain.export((MsaOptions) o, layout, out)),
    /** {@link MercMain}. */
    MERC("MercMain", MercOptions::parse, (o, layout, out) -> MercMain.export((MercOptions) o, layout, out)),
    /** {@link CrossModalRetrievalMain}. */
    CR("CrossModalRetrievalMain", CrossModalRetrievalOptions::parse,
            (o, layout, out) -> CrossModalRetrievalMain.export((CrossModalRetrievalOptions) o, layout, out)),
    /** {@link ImageTextClassificationMain}. */
    ITC("ImageTextClassificationMain", ImageTextClassificationOptions::parse,
            (o, layout, out) -> ImageTextClassificationMain.export((ImageTextClassificationOptions) o, layout, out));

    /** A main's export of its data folder. */
    @FunctionalInterface
    interface Export {
        SkipReport export(TaskOptions options, Path layout, PrintStream out) throws IOException;
    }

    private final String command;
    private final Function<String[], ? extends TaskOptions> parse;
    private final Export export;

    TaskCommand(String command, Function<String[], ? extends TaskOptions> parse, Export export) {
        this.command = command;
        this.parse = parse;
        this.export = export;
    }

    /** The task main of that command name, or null. */
    public static TaskCommand of(String command) {
        return Arrays.stream(values()).filter(c -> c.command.equals(command)).findFirst().orElse(null);
    }

    /**
     * Exports {@code dataDir} into {@code layout} with the options {@code args} (a saved model's command line),
     * reading and writing nothing else: the output folder becomes {@code layout}'s parent.
     *
     * @throws TaskOptionException when the folder does not hold what the task reads
     */
    public SkipReport export(String[] args, Path dataDir, Path layout, PrintStream out) throws IOException {
        TaskOptions o = parse.apply(args);
        o.relocate(dataDir, layout.getParent());
        o.validate();
        return export.export(o, layout, out);
    }
}
