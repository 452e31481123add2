package org.dl4jpgm.examples.tasks;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dl4jpgm.datavec.layout.LayoutReader;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.testutil.SampleDatasets;
import org.dl4jpgm.examples.experiment.ExperimentRunner;
import org.dl4jpgm.examples.experiment.FusionChoice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CrossModalRetrievalMain end to end on Wikipedia's .mat feature version written by
 * {@link SampleDatasets#writeWikipediaMatFile} (MATLAB v5, I_tr, T_tr, L_tr, I_te, T_te, L_te with 1-based categories),
 * and the claim its retrieval rests on: an image's representation does not depend on the text of its pair.
 */
class CrossModalRetrievalMainTest {

    /** Writes {@code wikipedia.mat} with {@code perClass} train and 2 test pairs of each of the 10 categories. */
    static Path writeMat(Path data, int perClass) throws Exception {
        return SampleDatasets.writeWikipediaMatFile(data, perClass, 2);
    }

    @Test
    void trainsOnTheMatAndPrintsMapAndPrecisionAt10(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("wikipedia");
        writeMat(data, 3);

        TaskTests.Captured c = new TaskTests.Captured();
        TaskReport r = CrossModalRetrievalMain.run(CrossModalRetrievalOptions.parse(
                TaskTests.args(data, dir.resolve("out"), 30)), c.out);

        String printed = c.text();
        System.out.print(printed);
        assertEquals(20, r.testExamples(), "every test pair is a query and in the gallery");
        for (String m : new String[]{"MAP", "Precision@10", "MAP image->text", "MAP text->image", "P@10 image->text",
                "P@10 text->image"}) {
            TaskTests.inRange(r, m, 0, 1);
        }
        assertEquals((r.metric("MAP image->text") + r.metric("MAP text->image")) / 2, r.metric("MAP"), 1e-12);
        assertEquals(List.of("MAP", "Precision@10"), List.copyOf(r.cells().keySet()).subList(0, 2),
                "Table 2's columns first");
        TaskTests.printedRow(printed, r);
        assertTrue(printed.contains("image [10], text [6]; train 30, test 20"), printed);
    }

    @Test
    void anImagesRepresentationDoesNotDependOnItsPairedText(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("wikipedia");
        writeMat(data, 1);
        CrossModalRetrievalOptions o = CrossModalRetrievalOptions.parse(TaskTests.args(data, dir.resolve("out"), 20));
        org.dl4jpgm.datavec.wikipedia.WikipediaLayoutExport.fromMat(o.resolveMat(), dir.resolve("layout"),
                o.getBadRecords());
        LayoutReader reader = new LayoutReader(dir.resolve("layout"));
        SplitData test = reader.readSplit("test");
        RetrievalHead head = new RetrievalHead(RetrievalHead.Embedding.BOTH, 10);
        ExperimentRunner runner = new ExperimentRunner(reader.descriptor(), reader.descriptor().getDefaultTarget(),
                reader.readSplit("train"), test, o, head);
        ComputationGraph g = runner.build(FusionChoice.parse("PGM"), 7).graph();
        // the same images with every text replaced by another pair's text
        int n = test.size();
        INDArray text = test.features("text");
        int[] shifted = new int[n];
        for (int i = 0; i < n; i++) {
            shifted[i] = (i + 1) % n;
        }
        Map<String, INDArray> swapped = new LinkedHashMap<>();
        swapped.put("image", test.features("image"));
        swapped.put("text", SplitData.takeRows(text, shifted));
        SplitData other = new SplitData(test.ids(), swapped, Map.of(), Map.of("label", test.labels("label")));
        String[] v = head.embeddingVertices().toArray(new String[0]);
        Map<String, INDArray> a = runner.activations(g, test, v);
        Map<String, INDArray> b = runner.activations(g, other, v);
        assertEquals(List.of(RetrievalHead.EMBED_PREFIX + "image", RetrievalHead.EMBED_PREFIX + "text"), List.of(v));
        assertEquals(2 * 8, a.get(v[0]).size(1), "[u_m ; p_m], 2D wide");
        assertTrue(a.get(v[0]).equalsWithEps(b.get(v[0]), 1e-6), "image representations unchanged");
        assertNotEquals(a.get(v[1]), b.get(v[1]), "the text representations did change");
        assertTrue(SplitData.takeRows(a.get(v[1]), shifted).equalsWithEps(b.get(v[1]), 1e-6),
                "text i's representation moved with text i");
    }

    @Test
    void dataDirectoryIsResolvedOrTheErrorSaysWhatIsMissing(@TempDir Path dir) throws Exception {
        CrossModalRetrievalOptions o = CrossModalRetrievalOptions.parse(dir.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, o::resolveMat);
        assertTrue(e.getMessage().contains("one .mat feature file or the raw distribution's trainset_txt_img_cat.list, "
                + "found neither"), e.getMessage());
        Path mat = writeMat(dir, 1);
        assertEquals(mat, o.resolveMat());
        Files.copy(mat, dir.resolve("copy.mat"));
        e = assertThrows(IllegalArgumentException.class, o::resolveMat);
        assertTrue(e.getMessage().contains("2 .mat files") && e.getMessage().contains("--mat"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CrossModalRetrievalOptions.parse(dir.toString(), "--embedding", "JOINT"));
        assertTrue(e.getMessage().contains("--embedding expects one of [BOTH, UNI, PAIRED], found 'JOINT'"),
                e.getMessage());
    }
}
