package org.dl4jpgm.examples.cli;

import org.dl4jpgm.impl.OpenBlasKernels;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parsing of every main's command line with picocli: the command object is a {@code @Command} class whose options are
 * annotated fields (usage, defaults and exit codes from the annotations), the training options a
 * {@link TrainingOptions} {@code @Mixin}. {@code --preset} is applied before the other options, whatever its place on
 * the command line, so that the options given explicitly override it.
 */
public final class Cli {

    /** Exit status of a usage error: a bad option, or one that does not fit the data. */
    public static final int USAGE_ERROR = 2;
    /** Exit status of a data error: the data cannot be read. */
    public static final int DATA_ERROR = 1;

    private Cli() {
    }

    /**
     * Parses {@code args} into {@code command}, first applying {@code --preset} (when given) to {@code training}.
     *
     * @param training the command's training options (null: it has none)
     * @return the command line, for {@link CommandLine#getUsageMessage()} and {@link CommandLine#isUsageHelpRequested()}
     * @throws IllegalArgumentException naming the command, the option and the value
     */
    public static CommandLine parse(Object command, TrainingOptions training, String... args) {
        String name = name(command);
        if (training != null) {
            applyPreset(command, training, args);
        }
        CommandLine cmd = commandLine(command);
        try {
            cmd.parseArgs(args);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(name + ": " + message(e), e);
        }
        if (training != null && training.getAlpha() + training.getBeta() == 0) {
            throw new IllegalArgumentException(name + ": --alpha and --beta are both 0, expected at least one > 0 (the "
                    + "stage-2 objective α L_P + β L_T would be 0)");
        }
        return cmd;
    }

    /**
     * Applies the preset that {@code args} names with {@code --preset} (if any) to {@code training}, before the command
     * line is parsed, so that the options given explicitly override it.
     *
     * @throws IllegalArgumentException naming the command, the preset and what is wrong with it
     */
    public static void applyPreset(Object command, TrainingOptions training, String... args) {
        String preset = valueOf("--preset", args);
        if (preset != null) {
            try {
                Presets.apply(training, preset);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name(command) + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Runs a {@code Callable<Integer>} command: parses {@code args} ({@link #parse}), prints the usage for
     * {@code --help}, calls it; a usage error is one line on stderr with the command's {@code exitCodeOnInvalidInput},
     * a failure of the call one line with its {@code exitCodeOnExecutionException} (both from its {@code @Command}).
     *
     * @return the exit status
     */
    public static int run(java.util.concurrent.Callable<Integer> command, TrainingOptions training, String... args) {
        CommandLine cmd;
        try {
            cmd = parse(command, training, args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return commandLine(command).getCommandSpec().exitCodeOnInvalidInput();
        }
        if (cmd.isUsageHelpRequested()) {
            System.out.print(cmd.getUsageMessage());
            return 0;
        }
        OpenBlasKernels.warnOnce();
        try {
            return command.call();
        } catch (Exception e) {
            System.err.println(name(command) + ": " + (e.getMessage() == null ? e : e.getMessage()));
            return cmd.getCommandSpec().exitCodeOnExecutionException();
        }
    }

    /** {@link #run} as a {@code main}: exits with its status when that is not 0. */
    public static void main(java.util.concurrent.Callable<Integer> command, TrainingOptions training, String... args) {
        int status = run(command, training, args);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** A command line for {@code command} as every main configures it (no {@code @file} expansion). */
    public static CommandLine commandLine(Object command) {
        CommandLine cmd = new CommandLine(command);
        cmd.setExpandAtFiles(false);
        for (ArgSpec a : cmd.getCommandSpec().args()) {
            if (a.type().isEnum()) {
                registerChoice(cmd, a.type());
            }
        }
        return cmd;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void registerChoice(CommandLine cmd, Class<?> type) {
        cmd.registerConverter((Class) type, new Converters.Choice(type.asSubclass(Enum.class)));
    }

    /** The {@code @Command} name of {@code command}'s class (or of a superclass). */
    public static String name(Object command) {
        for (Class<?> c = command.getClass(); c != null; c = c.getSuperclass()) {
            CommandLine.Command a = c.getAnnotation(CommandLine.Command.class);
            if (a != null && !a.name().equals("<main class>")) {
                return a.name();
            }
        }
        return command.getClass().getSimpleName();
    }

    /** A conversion error as {@code --option expects ..., found '...'}; other errors as picocli words them. */
    private static String message(ParameterException e) {
        ArgSpec a = e.getArgSpec();
        if (e.getCause() instanceof CommandLine.TypeConversionException t && a != null) {
            String label = a instanceof OptionSpec o ? o.longestName() : ((PositionalParamSpec) a).paramLabel();
            return label + " " + t.getMessage();
        }
        return e.getMessage();
    }

    /** The value of the last {@code option VALUE} or {@code option=VALUE} in {@code args} (null if none). */
    static String valueOf(String option, String... args) {
        String v = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(option) && i + 1 < args.length) {
                v = args[++i];
            } else if (args[i].startsWith(option + "=")) {
                v = args[i].substring(option.length() + 1);
            }
        }
        return v;
    }

    /** Whether the flag {@code option} is among {@code args}. */
    public static boolean has(String option, String... args) {
        return List.of(args).contains(option);
    }

    /**
     * Every positional parameter (by its label) and option (by its longest name) of a parsed command with the value in
     * effect, given or default, for the provenance written next to results; paths absolute, enums by name. The usage
     * and help options are left out.
     */
    public static Map<String, Object> values(CommandLine cmd) {
        Map<String, Object> v = new LinkedHashMap<>();
        for (PositionalParamSpec p : cmd.getCommandSpec().positionalParameters()) {
            v.put(p.paramLabel(), plain(p.getValue()));
        }
        for (OptionSpec o : cmd.getCommandSpec().options()) {
            if (!o.usageHelp() && !o.versionHelp() && !o.longestName().equals("--verbose")) {
                v.put(o.longestName(), plain(o.getValue()));
            }
        }
        return v;
    }

    private static Object plain(Object value) {
        if (value instanceof Path p) {
            return p.toAbsolutePath().normalize().toString();
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        return value;
    }
}
