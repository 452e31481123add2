/**
 * The command lines of every main, with picocli: {@link org.dl4jpgm.examples.cli.TrainingOptions} (the training options
 * every main shares, a {@code @Mixin}, and the class the presets are read into), {@link org.dl4jpgm.examples.cli.Presets}
 * (the presets {@code cpu}, {@code tasks}, {@code quick}, {@code paper} in {@code presets/*.json}, or a file),
 * {@link org.dl4jpgm.examples.cli.Converters} (option values with their errors) and
 * {@link org.dl4jpgm.examples.cli.Cli} (parsing with {@code --preset} first, exit statuses, the values in effect).
 */
package org.dl4jpgm.examples.cli;
