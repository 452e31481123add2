package org.dl4jpgm.datavec.layout;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class DatasetDescriptorMetadataTest {

    @TempDir
    Path root;

    /** A dataset.json as a dataset builder writes it: the layout's keys plus a provenance object and a version. */
    static final String JSON = "{\n"
            + "  \"name\": \"digits\",\n"
            + "  \"task\": \"classification\",\n"
            + "  \"classes\": [\"0\", \"1\"],\n"
            + "  \"modalities\": [{\"name\": \"image\", \"file\": \"image.npy\"}],\n"
            + "  \"splits\": [\"train\"],\n"
            + "  \"provenance\": {\"tool\": \"make_dataset.py\", \"seed\": 7, \"sources\": [\"a\", \"b\"]},\n"
            + "  \"version\": \"1.2\"\n"
            + "}\n";

    @Test
    void unknownTopLevelKeysAreKeptAsMetadataWithOneWarning() throws Exception {
        Files.writeString(root.resolve("dataset.json"), JSON, StandardCharsets.UTF_8);
        java.util.function.Consumer<String> log = DatasetDescriptor.warnings;
        List<String> warned = new java.util.ArrayList<>();
        DatasetDescriptor d;
        DatasetDescriptor.warnings = warned::add;
        try {
            d = DatasetDescriptor.read(root);
        } finally {
            DatasetDescriptor.warnings = log;
        }
        assertEquals("digits", d.getName());
        assertEquals(List.of("provenance", "version"), List.copyOf(d.getMetadata().keySet()));
        assertEquals(Map.of("tool", "make_dataset.py", "seed", 7, "sources", List.of("a", "b")),
                d.getMetadata().get("provenance"));
        assertEquals("1.2", d.getMetadata().get("version"));
        assertThrows(UnsupportedOperationException.class, () -> d.getMetadata().put("x", 1));
        assertEquals(List.of(root.resolve("dataset.json") + ": top-level key(s) [provenance, version] not used by "
                + "the reader; kept as metadata (DatasetDescriptor.getMetadata())"), warned);

        // written back as read
        DatasetDescriptor again = DatasetDescriptor.fromJson(d.toJson(), null);
        assertEquals(d.getMetadata(), again.getMetadata());
        assertEquals(d, again);

        // a descriptor without extra keys has no metadata and writes none
        DatasetDescriptor plain = DatasetDescriptor.builder().name("p").classification(List.of("a", "b"))
                .modality("image").splits("train").build();
        assertTrue(plain.getMetadata().isEmpty());
        assertFalse(plain.toJson().contains("provenance"));
        DatasetDescriptor built = DatasetDescriptor.builder().name("p").classification(List.of("a", "b"))
                .modality("image").splits("train").metadata("provenance", Map.of("tool", "x")).build();
        assertTrue(built.toJson().contains("\"provenance\""), built.toJson());
    }

    @Test
    void anUnknownKeyInsideAModalityIsStillAnError() throws Exception {
        Files.writeString(root.resolve("dataset.json"), JSON.replace("\"file\": \"image.npy\"",
                "\"file\": \"image.npy\", \"dtype\": \"f4\""), StandardCharsets.UTF_8);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> DatasetDescriptor.read(root));
        assertTrue(e.getMessage().contains("dtype"), e.getMessage());
    }
}
