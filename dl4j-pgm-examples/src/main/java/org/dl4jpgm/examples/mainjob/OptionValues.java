package org.dl4jpgm.examples.mainjob;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parsing of command-line option values shared by the main job's and the task mains' options: each error names the
 * command, the option, what it expects and what it found.
 */
public final class OptionValues {

    private OptionValues() {
    }

    /** A whole number &ge; 1. */
    public static int positive(String command, String option, String v) {
        int n = nonNegative(command, option, v);
        if (n < 1) {
            throw new IllegalArgumentException(command + ": " + option + " expects a number >= 1, found " + v);
        }
        return n;
    }

    /** A whole number &ge; 0. */
    public static int nonNegative(String command, String option, String v) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": " + option + " expects a whole number >= 0, found '" + v
                    + "'");
        }
    }

    /** A finite real number &gt; 0. */
    public static double positiveReal(String command, String option, String v) {
        double x;
        try {
            x = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            x = Double.NaN;
        }
        if (!(x > 0) || Double.isInfinite(x)) {
            throw new IllegalArgumentException(command + ": " + option + " expects a finite number > 0, found '" + v
                    + "'");
        }
        return x;
    }

    /** An enum constant, case-insensitive; the error lists the accepted values. */
    public static <E extends Enum<E>> E choice(String command, String option, String v, Class<E> type) {
        try {
            return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E c : type.getEnumConstants()) {
                names.add(c.name());
            }
            throw new IllegalArgumentException(command + ": " + option + " expects one of " + names + ", found '" + v
                    + "'");
        }
    }
}
