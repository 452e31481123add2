package org.dl4jpgm.examples.cli;

import org.dl4jpgm.blocks.LearnerMode;
import org.dl4jpgm.fusion.FusionSpec;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoublePredicate;

/**
 * picocli converters of the option values the mains share; each error says what the option expects and what it found
 * (picocli prefixes the option: {@code Invalid value for option '--lr': expects a finite number > 0, found '0'}).
 */
public final class Converters {

    private Converters() {
    }

    /** Whether {@code x} is a finite number &gt; 0. */
    static boolean isPositive(double x) {
        return x > 0 && !Double.isInfinite(x);
    }

    /** Whether {@code x} is a finite number &ge; 0. */
    static boolean isNonNegative(double x) {
        return x >= 0 && !Double.isInfinite(x);
    }

    private static long whole(String v, long min) {
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("expects a whole number >= " + min + ", found '" + v + "'");
        }
        if (n < min) {
            throw new TypeConversionException("expects a number >= " + min + ", found " + n);
        }
        return n;
    }

    private static double real(String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** A whole number &ge; 1. */
    public static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            return Math.toIntExact(whole(v, 1));
        }
    }

    /** A whole number &ge; 0. */
    public static final class NonNegativeInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            return Math.toIntExact(whole(v, 0));
        }
    }

    /** A whole number &ge; 0, as a long (seeds). */
    public static final class NonNegativeLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            return whole(v, 0);
        }
    }

    /**
     * Colon-separated whole numbers &ge; 1, as many as the subclass names ({@code G:N:T}, {@code M:K:N}: the shapes
     * the benchmarks time), as a {@code long[]}.
     */
    abstract static class PositiveDims implements ITypeConverter<long[]> {
        private final String pattern;

        PositiveDims(String pattern) {
            this.pattern = pattern;
        }

        @Override
        public long[] convert(String v) {
            String[] f = v.split(":", -1);
            int n = pattern.split(":").length;
            long[] dims = new long[f.length];
            try {
                for (int i = 0; i < f.length; i++) {
                    dims[i] = Long.parseLong(f[i].trim());
                }
            } catch (NumberFormatException e) {
                dims = new long[0];
            }
            if (dims.length != n || Arrays.stream(dims).anyMatch(d -> d < 1)) {
                throw new TypeConversionException("expects " + pattern + " (" + n + " whole numbers >= 1), found '"
                        + v + "'");
            }
            return dims;
        }
    }

    /** {@code M:K:N}: a matrix product's rows, inner size and columns. */
    public static final class ProductShape extends PositiveDims {
        public ProductShape() {
            super("M:K:N");
        }
    }

    /** {@code G:N:T}: groups, rows and width. */
    public static final class GroupedShape extends PositiveDims {
        public GroupedShape() {
            super("G:N:T");
        }
    }

    /** A real number that a predicate accepts; otherwise the message says what is expected. */
    abstract static class CheckedReal implements ITypeConverter<Double> {
        private final DoublePredicate accepts;
        private final String expected;

        CheckedReal(DoublePredicate accepts, String expected) {
            this.accepts = accepts;
            this.expected = expected;
        }

        @Override
        public Double convert(String v) {
            double x = real(v);
            if (!accepts.test(x)) {
                throw new TypeConversionException("expects " + expected + ", found '" + v + "'");
            }
            return x;
        }
    }

    /** A finite real number &gt; 0. */
    public static final class PositiveReal extends CheckedReal {
        public PositiveReal() {
            super(Converters::isPositive, "a finite number > 0");
        }
    }

    /** A finite real number &ge; 0. */
    public static final class NonNegativeReal extends CheckedReal {
        public NonNegativeReal() {
            super(Converters::isNonNegative, "a finite number >= 0");
        }
    }

    /** A probability in [0, 1) (a dropout rate: 1 would drop everything). */
    public static final class DropProbability extends CheckedReal {
        public DropProbability() {
            super(FusionSpec::isDropProbability, "a number >= 0 and < 1");
        }
    }

    /** A fraction: a number in [0, 1]. */
    public static final class Fraction extends CheckedReal {
        public Fraction() {
            super(Converters::isFraction, "a number >= 0 and <= 1");
        }
    }

    static boolean isFraction(double x) {
        return x >= 0 && x <= 1;
    }

    /** yes/no (also true/false). */
    public static final class YesNo implements ITypeConverter<Boolean> {
        @Override
        public Boolean convert(String v) {
            return switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "yes", "true" -> true;
                case "no", "false" -> false;
                default -> throw new TypeConversionException("expects yes or no, found '" + v + "'");
            };
        }
    }

    /** An enum constant, case-insensitive; the error lists the accepted values. */
    public static class Choice<E extends Enum<E>> implements ITypeConverter<E> {
        private final Class<E> type;

        public Choice(Class<E> type) {
            this.type = type;
        }

        @Override
        public E convert(String v) {
            try {
                return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("expects one of " + Arrays.toString(type.getEnumConstants())
                        + ", found '" + v + "'");
            }
        }
    }

    /** {@link LearnerMode}, case-insensitive. */
    public static final class LearnerModes extends Choice<LearnerMode> {
        public LearnerModes() {
            super(LearnerMode.class);
        }
    }

    /** {@link org.dl4jpgm.blocks.UprSteps} by name. */
    public static final class UprStepChoices extends Choice<org.dl4jpgm.blocks.UprSteps> {
        public UprStepChoices() {
            super(org.dl4jpgm.blocks.UprSteps.class);
        }
    }
}
