package org.dl4jpgm.util;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The table "Where each equation lives" of docs/design.md has one row per equation 1-14, and every
 * {@code package/Class#method} it names exists (a later rename fails here, not in a reader's hands).
 */
class EquationTableTest {

    /** {@code `package/Class#method`}, {@code `package/Class`} or {@code `#method`} (of the class named before). */
    private static final Pattern NAME =
            Pattern.compile("`(?:(blocks|fusion|conf|util|impl)/([A-Za-z.]+))?(?:#(\\w+))?`");

    private static Path designDoc() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path doc = dir.resolve("docs/design.md");
            if (Files.isRegularFile(doc)) {
                return doc;
            }
        }
        throw new AssertionError("docs/design.md not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void everyEquationHasARowAndEveryNamedMethodExists() throws IOException {
        List<String> lines = Files.readAllLines(designDoc());
        int start = lines.indexOf("## Where each equation lives");
        assertTrue(start >= 0, "section present");
        List<Integer> equations = new ArrayList<>();
        int checked = 0;
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher row = Pattern.compile("^\\| (\\d+) \\|").matcher(line);
            if (!row.find()) {
                continue;
            }
            equations.add(Integer.parseInt(row.group(1)));
            String where = line.substring(line.lastIndexOf(" | ") + 3);
            Class<?> last = null;
            Matcher n = NAME.matcher(where);
            while (n.find()) {
                if (n.group(2) != null) {
                    last = load(n.group(1), n.group(2), line);
                }
                if (n.group(3) != null) {
                    assertNotNull(last, "a #method after a class in: " + line);
                    assertHasMethod(last, n.group(3), line);
                    checked++;
                }
            }
        }
        List<Integer> all = new ArrayList<>();
        for (int e = 1; e <= 14; e++) {
            all.add(e);
        }
        assertEquals(all, equations, "one row per equation, in order");
        assertTrue(checked >= 20, "methods checked: " + checked);
    }

    private static Class<?> load(String pkg, String name, String line) {
        String binary = "org.dl4jpgm." + pkg + "." + name.replace('.', '$');
        try {
            return Class.forName(binary);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("no class " + binary + " for: " + line, e);
        }
    }

    private static void assertHasMethod(Class<?> c, String method, String line) {
        boolean found = Arrays.stream(c.getDeclaredMethods()).map(Method::getName).anyMatch(method::equals);
        assertTrue(found, c.getName() + "#" + method + " does not exist; named in: " + line);
    }
}
