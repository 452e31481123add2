package org.dl4jpgm.examples.tasks;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the task mains' tests share: small, fast settings, captured output, range checks. */
final class TaskTests {

    private TaskTests() {
    }

    /** DATA_DIR, then D = 8, N = 1, one epoch per stage, the given batch size, the output folder, then {@code extra}. */
    static String[] args(Path data, Path out, int batch, String... extra) {
        List<String> a = new ArrayList<>(List.of(data.toString(), "--width", "8", "--iterations", "1",
                "--stage1-epochs", "1", "--stage2-epochs", "1", "--batch", Integer.toString(batch), "--out",
                out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    /** A print stream whose text {@link Captured#text()} returns. */
    static final class Captured {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** Asserts that {@code name} of the report is finite and in [lo, hi]. */
    static void inRange(TaskReport r, String name, double lo, double hi) {
        double v = r.metric(name);
        assertTrue(Double.isFinite(v) && v >= lo && v <= hi, name + " = " + v + ", expected in [" + lo + ", " + hi + "]");
    }

    /** Asserts that the printed table has the report's columns and a PgM row with a number in each. */
    static void printedRow(String printed, TaskReport r) {
        assertTrue(printed.contains(r.title()), printed);
        StringBuilder re = new StringBuilder("(?s).*\\| Model +");
        for (String c : r.cells().keySet()) {
            re.append("\\| ").append(java.util.regex.Pattern.quote(c)).append(" +");
        }
        re.append("\\|\n\\|[-|]+\\|\n\\| PgM +");
        for (int i = 0; i < r.cells().size(); i++) {
            re.append("\\| -?[0-9]+\\.[0-9]+(/[0-9]+\\.[0-9]+)? +");
        }
        re.append("\\|\n.*");
        assertTrue(printed.matches(re.toString()), "a table with columns " + r.cells().keySet() + " in\n" + printed);
    }
}
