package org.dl4jpgm.datavec.embedded;

import org.dl4jpgm.datavec.audio.LogMelSpectrogram;
import org.dl4jpgm.datavec.audio.WavReader;
import org.dl4jpgm.datavec.layout.DatasetDescriptor;
import org.dl4jpgm.datavec.layout.DatasetFormatException;
import org.dl4jpgm.datavec.layout.LayoutWriter;
import org.dl4jpgm.datavec.layout.SplitData;
import org.dl4jpgm.datavec.layout.TargetSpec;
import org.dl4jpgm.datavec.layout.TargetStatistics;
import org.dl4jpgm.datavec.layout.TaskType;
import org.dl4jpgm.datavec.text.CharTrigramHasher;
import org.dl4jpgm.datavec.text.NoisyDigitText;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;

/**
 * Builds the real-material tri-modal set "digits-speech" in the project's dataset layout.
 * <ul>
 *   <li>image: the 1797 real 8x8 handwritten digits of Debian's python3-sklearn ({@code digits.csv.gz}),
 *       pixels / 16, [N, 64]; each image is used once;</li>
 *   <li>speech: a digit drawn independently of the image, spoken by espeak-ng with a random voice,
 *       variant, speed and pitch, silence-trimmed, with random gain and white noise at a random SNR;
 *       log-mel spectrogram ({@link LogMelSpectrogram}) standardised per band with train statistics,
 *       [N, S, D] with {@code speech_lengths.npy};</li>
 *   <li>text: a noisy transcript of the spoken digit ({@link NoisyDigitText}) as hashed character
 *       trigrams ({@link CharTrigramHasher}), [N, D].</li>
 * </ul>
 * Targets: {@code label} = (image digit + speech digit) mod 10 (paired, labels.csv); {@code image_digit}
 * (uni-modal: image); {@code speech_digit} (uni-modal: speech or text); {@code match} = whether the two
 * digits are equal (paired, "no"/"yes"). Each split also gets {@code meta.csv} (per example: image row,
 * both digits, voice, speed, pitch, SNR, gain, frames, text) and the root a {@code PROVENANCE} file.
 * Every random choice of example i comes from a generator seeded by (seed, i): the build is reproducible
 * given the same package versions.
 */
public final class DigitsSpeechBuilder {

    /** Dataset name. */
    public static final String NAME = "digits-speech";
    /** Digit class names "0".."9". */
    public static final List<String> DIGITS = IntStream.range(0, 10).mapToObj(Integer::toString).toList();

    /** One row of digits.csv.gz. */
    public record DigitImage(int row, float[] pixels, int digit) {
    }

    private final DigitsSpeechOptions options;
    private final SpeechSynthesizer synthesizer;

    /**
     * @param options     seed, splits, feature sizes
     * @param synthesizer speech source ({@link EspeakSynthesizer} for the real build)
     */
    public DigitsSpeechBuilder(DigitsSpeechOptions options, SpeechSynthesizer synthesizer) {
        this.options = options;
        this.synthesizer = synthesizer;
    }

    /**
     * Reads sklearn's {@code digits.csv.gz}: no header, 64 pixel values 0..16 then the digit 0..9 per line.
     *
     * @throws DatasetFormatException naming file, line, expected and found
     */
    public static List<DigitImage> readDigits(Path csvGz) throws IOException {
        if (!Files.exists(csvGz)) {
            throw new DatasetFormatException(csvGz, -1, "expected sklearn's digits.csv.gz (Debian python3-sklearn), found no such file");
        }
        List<DigitImage> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(csvGz)), StandardCharsets.UTF_8))) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",");
                if (f.length != 65) {
                    throw new DatasetFormatException(csvGz, lineNo, "expected 65 comma-separated values (64 pixels, digit), found " + f.length);
                }
                float[] px = new float[64];
                for (int i = 0; i < 64; i++) {
                    double v = parse(f[i], csvGz, lineNo);
                    if (v < 0 || v > 16) {
                        throw new DatasetFormatException(csvGz, lineNo, "expected pixel " + i + " in 0..16, found " + f[i]);
                    }
                    px[i] = (float) (v / 16.0);
                }
                double d = parse(f[64], csvGz, lineNo);
                if (d != Math.rint(d) || d < 0 || d > 9) {
                    throw new DatasetFormatException(csvGz, lineNo, "expected a digit 0..9 in the last column, found " + f[64]);
                }
                out.add(new DigitImage(out.size(), px, (int) d));
            }
        }
        if (out.isEmpty()) {
            throw new DatasetFormatException(csvGz, -1, "expected digit images, found none");
        }
        return out;
    }

    private static double parse(String s, Path file, int line) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new DatasetFormatException(file, line, "expected a number, found \"" + s + "\"");
        }
    }

    /** Everything drawn for one example. */
    private record Drawn(DigitImage image, int speechDigit, SpeechSynthesizer.Voice voice, double snrDb, double gain,
                         String text, float[][] logMel) {
    }

    /**
     * Builds the set.
     *
     * @param digitsCsvGz sklearn's digits.csv.gz
     * @param out         dataset root to write
     * @param provenance  extra "key: value" lines for the PROVENANCE file (package versions, command)
     * @return the chance-level report (also in PROVENANCE)
     */
    public String build(Path digitsCsvGz, Path out, Map<String, String> provenance) throws IOException {
        List<DigitImage> images = readDigits(digitsCsvGz);
        int n = images.size();
        List<Integer> order = new ArrayList<>(IntStream.range(0, n).boxed().toList());
        Collections.shuffle(order, new Random(options.getSeed()));
        int nTrain = (int) Math.round(n * options.getTrainFraction());
        int nValid = (int) Math.round(n * options.getValidFraction());
        LogMelSpectrogram lm = null;
        NoisyDigitText noisy = new NoisyDigitText();
        Path wav = Files.createTempFile("digits-speech", ".wav");
        List<Drawn> drawn = new ArrayList<>();
        try {
            for (int p = 0; p < n; p++) {
                Random r = new Random(options.getSeed() * 1_000_003L + p);
                DigitImage img = images.get(order.get(p));
                int sd = r.nextInt(10);
                SpeechSynthesizer.Voice v = new SpeechSynthesizer.Voice(
                        options.getVoices().get(r.nextInt(options.getVoices().size())),
                        options.getVariants().get(r.nextInt(options.getVariants().size())),
                        options.getSpeedMin() + r.nextInt(options.getSpeedMax() - options.getSpeedMin() + 1),
                        options.getPitchMin() + r.nextInt(options.getPitchMax() - options.getPitchMin() + 1));
                double snr = options.getSnrMinDb() + r.nextDouble() * (options.getSnrMaxDb() - options.getSnrMinDb());
                double gain = 0.5 + 0.5 * r.nextDouble();
                String text = noisy.text(sd, r);
                synthesizer.speak(NoisyDigitText.WORDS.get(sd), v, wav);
                WavReader.Audio audio = WavReader.read(wav);
                if (lm == null || lm.getSampleRate() != audio.sampleRate()) {
                    lm = LogMelSpectrogram.builder().sampleRate(audio.sampleRate()).frameLength(options.getFrameLength())
                            .hopLength(options.getHopLength()).numMels(options.getNumMels())
                            .frequencyRange(options.getFMin(), Math.min(options.getFMax(), audio.sampleRate() / 2.0)).build();
                }
                float[] signal = degrade(trim(audio.samples()), gain, snr, r);
                drawn.add(new Drawn(img, sd, v, snr, gain, text, lm.compute(signal)));
                if ((p + 1) % 200 == 0 || p + 1 == n) {
                    System.out.printf(Locale.ROOT, "digits-speech: %d / %d utterances%n", p + 1, n);
                }
            }
        } finally {
            Files.deleteIfExists(wav);
        }
        // per-band standardisation with train statistics over valid frames
        int s = options.getMaxFrames();
        int d = options.getNumMels();
        double[] mean = new double[d];
        double[] sq = new double[d];
        long count = 0;
        for (int p = 0; p < nTrain; p++) {
            float[][] m = drawn.get(p).logMel();
            for (int t = 0; t < Math.min(s, m.length); t++) {
                for (int b = 0; b < d; b++) {
                    mean[b] += m[t][b];
                    sq[b] += m[t][b] * (double) m[t][b];
                }
                count++;
            }
        }
        double[] std = new double[d];
        for (int b = 0; b < d; b++) {
            mean[b] /= count;
            std[b] = Math.sqrt(Math.max(1e-12, sq[b] / count - mean[b] * mean[b]));
        }

        DatasetDescriptor desc = DatasetDescriptor.builder()
                .name(NAME)
                .description("Real 8x8 handwritten digits (Debian python3-sklearn digits.csv.gz) paired with an independently drawn "
                        + "digit spoken by espeak-ng (log-mel) and a noisy text transcript of the spoken digit (char-trigram hashing). "
                        + "label = (image digit + spoken digit) mod 10. See PROVENANCE.")
                .classification(DIGITS)
                .modality("image")
                .modality("speech")
                .modality("text")
                .splits("train", "valid", "test")
                .target(new TargetSpec("image_digit", TaskType.CLASSIFICATION, DIGITS, null))
                .target(new TargetSpec("speech_digit", TaskType.CLASSIFICATION, DIGITS, null))
                .target(new TargetSpec("match", TaskType.CLASSIFICATION, List.of("no", "yes"), null))
                .build();
        LayoutWriter writer = new LayoutWriter(out, desc);
        CharTrigramHasher hasher = new CharTrigramHasher(options.getTextDims());
        int[][] ranges = {{0, nTrain}, {nTrain, nTrain + nValid}, {nTrain + nValid, n}};
        Map<String, SplitData> splits = new LinkedHashMap<>();
        for (int k = 0; k < 3; k++) {
            String split = desc.getSplits().get(k);
            int from = ranges[k][0];
            int m = ranges[k][1] - from;
            float[] img = new float[m * 64];
            float[] sp = new float[m * s * d];
            int[] len = new int[m];
            float[] txt = new float[m * options.getTextDims()];
            List<String> ids = new ArrayList<>();
            Map<String, List<String>> labels = new LinkedHashMap<>();
            for (String t : List.of("label", "image_digit", "speech_digit", "match")) {
                labels.put(t, new ArrayList<>());
            }
            StringBuilder meta = new StringBuilder("id,image_row,image_digit,speech_digit,voice,speed,pitch,snr_db,gain,frames,text\n");
            for (int i = 0; i < m; i++) {
                Drawn e = drawn.get(from + i);
                String id = "img" + e.image().row();
                ids.add(id);
                System.arraycopy(e.image().pixels(), 0, img, i * 64, 64);
                float[][] mel = e.logMel();
                len[i] = Math.min(s, mel.length);
                for (int t = 0; t < len[i]; t++) {
                    for (int b = 0; b < d; b++) {
                        sp[(i * s + t) * d + b] = (float) ((mel[t][b] - mean[b]) / std[b]);
                    }
                }
                System.arraycopy(hasher.features(e.text()), 0, txt, i * options.getTextDims(), options.getTextDims());
                int id1 = e.image().digit();
                int id2 = e.speechDigit();
                labels.get("label").add(Integer.toString((id1 + id2) % 10));
                labels.get("image_digit").add(Integer.toString(id1));
                labels.get("speech_digit").add(Integer.toString(id2));
                labels.get("match").add(id1 == id2 ? "yes" : "no");
                meta.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%s,%d,%d,%.2f,%.3f,%d,\"%s\"%n", id, e.image().row(), id1, id2,
                        e.voice().espeakVoice(), e.voice().speed(), e.voice().pitch(), e.snrDb(), e.gain(), mel.length,
                        e.text().replace("\"", "\"\"")));
            }
            Map<String, org.nd4j.linalg.api.ndarray.INDArray> feats = new LinkedHashMap<>();
            feats.put("image", Nd4j.create(img, new long[]{m, 64}, 'c'));
            feats.put("speech", Nd4j.create(sp, new long[]{m, s, d}, 'c'));
            feats.put("text", Nd4j.create(txt, new long[]{m, options.getTextDims()}, 'c'));
            SplitData data = new SplitData(ids, feats, Map.of("speech", len), labels);
            writer.writeSplit(split, data);
            Files.writeString(out.resolve(split).resolve("meta.csv"), meta.toString(), StandardCharsets.UTF_8);
            splits.put(split, data);
        }
        String chance = chanceReport(desc, splits);
        writeProvenance(out, digitsCsvGz, provenance, mean, std, splits, chance);
        return chance;
    }

    /** Removes leading and trailing samples below 2% of the peak (keeping 10 ms around the speech). */
    static float[] trim(float[] x) {
        float peak = 0;
        for (float v : x) {
            peak = Math.max(peak, Math.abs(v));
        }
        if (peak == 0) {
            return x;
        }
        int first = 0;
        while (first < x.length && Math.abs(x[first]) < 0.02f * peak) {
            first++;
        }
        int last = x.length - 1;
        while (last > first && Math.abs(x[last]) < 0.02f * peak) {
            last--;
        }
        int margin = 220;
        int a = Math.max(0, first - margin);
        int b = Math.min(x.length, last + 1 + margin);
        float[] out = new float[b - a];
        System.arraycopy(x, a, out, 0, out.length);
        return out;
    }

    /** Scales by {@code gain} and adds white Gaussian noise at {@code snrDb} relative to the scaled signal's RMS. */
    static float[] degrade(float[] x, double gain, double snrDb, Random r) {
        double ss = 0;
        for (float v : x) {
            ss += v * v;
        }
        double rms = Math.sqrt(ss / Math.max(1, x.length)) * gain;
        double noiseStd = rms / Math.pow(10, snrDb / 20);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (x[i] * gain + noiseStd * r.nextGaussian());
        }
        return out;
    }

    /** Per target: uniform rate 1/K and the accuracy of the train majority class on each split. */
    static String chanceReport(DatasetDescriptor desc, Map<String, SplitData> splits) {
        StringBuilder sb = new StringBuilder("target          classes  uniform  majority(train class) on train / valid / test\n");
        SplitData train = splits.get("train");
        for (TargetSpec t : desc.getTargets()) {
            List<String> ref = train.labels(t.getName());
            sb.append(String.format(Locale.ROOT, "%-15s %7d  %7.4f  \"%s\": ", t.getName(), t.getClasses().size(),
                    TargetStatistics.uniformAccuracy(t), TargetStatistics.majorityClass(ref)));
            List<String> parts = new ArrayList<>();
            for (SplitData sd : splits.values()) {
                parts.add(String.format(Locale.ROOT, "%.4f", TargetStatistics.majorityAccuracy(ref, sd.labels(t.getName()))));
            }
            sb.append(String.join(" / ", parts)).append('\n');
        }
        return sb.toString();
    }

    private void writeProvenance(Path out, Path digits, Map<String, String> provenance, double[] mean, double[] std,
                                 Map<String, SplitData> splits, String chance) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# digits-speech: provenance (written by org.dl4jpgm.datavec.embedded.DigitsSpeechBuilder)\n\n");
        sb.append("## inputs\n");
        sb.append("digits.csv.gz: ").append(digits).append("\n");
        sb.append("digits.csv.gz sha256: ").append(sha256(digits)).append("\n");
        provenance.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\n"));
        sb.append("\n## options\n").append(options.describe());
        sb.append("\n## speech feature standardisation (train frames, per mel band): mean / std\n");
        for (int b = 0; b < mean.length; b++) {
            sb.append(String.format(Locale.ROOT, "band %2d: %.5f / %.5f%n", b, mean[b], std[b]));
        }
        sb.append("\n## splits\n");
        splits.forEach((k, v) -> sb.append(k).append(": ").append(v.size()).append(" examples\n"));
        sb.append("\n## chance levels (measured)\n").append(chance);
        sb.append("\n## files (sha256)\n");
        List<Path> files;
        try (var w = Files.walk(out)) {
            files = w.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals("PROVENANCE")).sorted().toList();
        }
        for (Path f : files) {
            sb.append(sha256(f)).append("  ").append(out.relativize(f).toString().replace('\\', '/')).append("\n");
        }
        Files.writeString(out.resolve("PROVENANCE"), sb.toString(), StandardCharsets.UTF_8);
    }

    static String sha256(Path f) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String dpkgVersions(String... packages) {
        List<String> cmd = new ArrayList<>(List.of("dpkg-query", "-W", "-f", "${Package}=${Version} "));
        cmd.addAll(List.of(packages));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return s;
        } catch (IOException | InterruptedException e) {
            return "unavailable: " + e.getMessage();
        }
    }

    /**
     * Command line: {@code --digits <digits.csv.gz> --out <dir> [--seed N] [--espeak espeak-ng]}.
     */
    public static void main(String[] args) {
        int status = new CommandLine(new Command(args)).execute(args);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** The command line of {@link #main}. */
    @CommandLine.Command(name = "DigitsSpeechBuilder", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Builds the embedded digits-speech data set (datavec-readers/scripts/build-digits-speech.sh).")
    static final class Command implements Callable<Integer> {
        private final String[] args;
        @CommandLine.Option(names = "--digits", paramLabel = "FILE", required = true,
                description = "scikit-learn's digits.csv.gz")
        private Path digits;
        @CommandLine.Option(names = "--out", paramLabel = "DIR", required = true, description = "output folder")
        private Path out;
        @CommandLine.Option(names = "--seed", paramLabel = "N",
                description = "seed (default: DigitsSpeechOptions' default)")
        private Long seed;
        @CommandLine.Option(names = "--espeak", paramLabel = "COMMAND",
                description = "the espeak-ng command (default ${DEFAULT-VALUE})")
        private String espeakCommand = "espeak-ng";

        Command(String[] args) {
            this.args = args.clone();
        }

        @Override
        public Integer call() throws IOException {
            DigitsSpeechOptions.Builder ob = DigitsSpeechOptions.builder();
            if (seed != null) {
                ob.seed(seed);
            }
            EspeakSynthesizer espeak = new EspeakSynthesizer(espeakCommand);
            Map<String, String> prov = new LinkedHashMap<>();
            prov.put("packages", dpkgVersions("python3-sklearn", "espeak-ng", "espeak-ng-data", "libespeak-ng1"));
            prov.put("espeak-ng --version", espeak.version());
            prov.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
            prov.put("command", "datavec-readers/scripts/build-digits-speech.sh (DigitsSpeechBuilder "
                    + String.join(" ", args) + ")");
            String chance = new DigitsSpeechBuilder(ob.build(), espeak).build(digits, out, prov);
            System.out.println("digits-speech written to " + out.toAbsolutePath());
            System.out.print(chance);
            return 0;
        }
    }
}
