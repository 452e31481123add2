package org.dl4jpgm.datavec.testutil;

import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.mosi.MosiLayoutExport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A MOSI-format dataset at CMU-MOSI's size in the project's layout: an unaligned MMSA pickle written by
 * {@link SampleDatasets#writeMosiPickle} (synthetic features that carry the label, lengths 1..S) with MOSI's split
 * sizes 1284 / 229 / 686, S = 50 and MMSA's widths (text 768, audio 5, vision 20), exported by
 * {@link MosiLayoutExport#fromPickle}. Arguments: the output folder, optionally the generator seed (default 5).
 */
public final class MosiLayoutSample {

    /** MOSI's train, valid and test sizes. */
    public static final int[] SIZES = {1284, 229, 686};
    /** Steps S of MMSA's unaligned_50 features. */
    public static final int STEPS = 50;
    /** Widths of text, audio, vision in MMSA's MOSI pickles. */
    public static final int[] DIMS = {768, 5, 20};

    private MosiLayoutSample() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            throw new IllegalArgumentException("MosiLayoutSample: expected the output folder and optionally a seed, "
                    + "found " + args.length + " arguments");
        }
        Path out = Path.of(args[0]);
        long seed = args.length == 2 ? Long.parseLong(args[1]) : 5;
        Path pkl = Files.createTempFile("mosi-sample-", ".pkl");
        try {
            SampleDatasets.writeMosiPickle(pkl, SIZES, STEPS, DIMS, false, seed);
            MosiLayoutExport.fromPickle(pkl, out, BadRecordPolicy.FAIL);
        } finally {
            Files.deleteIfExists(pkl);
        }
        System.out.println("wrote " + out.toAbsolutePath() + ": train 1284, valid 229, test 686, S = 50, text 768, "
                + "audio 5, vision 20");
    }
}
