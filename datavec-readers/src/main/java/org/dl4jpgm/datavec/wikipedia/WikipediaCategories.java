package org.dl4jpgm.datavec.wikipedia;

import org.dl4jpgm.datavec.common.DataFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The 10 Wikipedia categories; category number k (1-based, as in the list files) is entry k-1. Read from
 * {@code <root>/categories.list} (one name per line) when the distribution has it, else the standard list.
 */
public final class WikipediaCategories {

    /** The standard categories, in number order 1..10; they are also the image folder names. */
    public static final List<String> DEFAULT = List.of("art", "biology", "geography", "history", "literature",
            "media", "music", "royalty", "sport", "warfare");

    private WikipediaCategories() {
    }

    /** @return the categories of the distribution at {@code root} */
    public static List<String> of(Path root) throws IOException {
        Path f = root.resolve("categories.list");
        if (!Files.isRegularFile(f)) {
            return DEFAULT;
        }
        List<String> out = new ArrayList<>();
        for (String line : org.dl4jpgm.datavec.common.Utf8.read(f).lines().toList()) {
            if (!line.trim().isEmpty()) {
                out.add(line.trim());
            }
        }
        if (out.isEmpty()) {
            throw new DataFormatException(f, "line 1", "one category name per line", "an empty file");
        }
        return List.copyOf(out);
    }
}
