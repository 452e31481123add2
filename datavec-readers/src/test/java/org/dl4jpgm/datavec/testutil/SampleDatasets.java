package org.dl4jpgm.datavec.testutil;

import org.dl4jpgm.datavec.meld.MeldLabel;
import org.dl4jpgm.datavec.wikipedia.WikipediaCategories;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Writes small, learnable samples of the four datasets in the exact formats the real datasets ship in, so that the
 * task mains can be tried (and tested) without them. Everything is generated from fixed seeds: two runs write
 * byte-identical files.
 *
 * <pre>
 * &lt;root&gt;/MOSI/Processed/aligned_50.pkl  MMSA pickle (protocol 4, numpy 1.x), train / valid / test 40 / 12 / 16
 * &lt;root&gt;/MELD/                           {train,dev,test}_sent_emo.csv, MELD's baseline feature pickles
 * &lt;root&gt;/wikipedia/                      the raw distribution: *_txt_img_cat.list, texts/, images/&lt;category&gt;/
 * &lt;root&gt;/wikipedia-mat/wikipedia.mat     the .mat feature version (I_tr, T_tr, L_tr, I_te, T_te, L_te)
 * &lt;root&gt;/UPMC_Food101/                   texts/{train,test}_titles.csv, images/{train,test}/&lt;class&gt;/
 * </pre>
 *
 * <p>Run with the root folder as the only argument; it prints one line per dataset folder with its file count.
 */
public final class SampleDatasets {

    /** Records of the MOSI sample per split: train, valid, test. */
    public static final int[] MOSI_SIZES = {40, 12, 16};
    /** Feature widths of the MOSI sample: text, audio, vision. */
    public static final int[] MOSI_DIMS = {8, 3, 4};
    /** Sequence length S of the MOSI sample. */
    public static final int MOSI_STEPS = 6;
    /** Rows of the MELD sample per emotion in train, dev and test. */
    public static final int[] MELD_PER_CLASS = {5, 2, 3};
    /** Feature widths of the MELD sample: text (GloVe average), audio. */
    public static final int[] MELD_DIMS = {8, 6};
    /** Pairs of the Wikipedia samples per category: train, test. */
    public static final int[] WIKIPEDIA_PER_CLASS = {4, 2};
    /** Pairs of the Wikipedia .mat sample per category: train, test. */
    public static final int[] WIKIPEDIA_MAT_PER_CLASS = {5, 2};
    /** Image and text feature widths of the Wikipedia .mat sample. */
    public static final int[] WIKIPEDIA_MAT_DIMS = {10, 6};
    /** Classes of the Food-101 sample, with their image colours {@link #FOOD101_COLOURS}. */
    public static final List<String> FOOD101_CLASSES = List.of("apple_pie", "pho", "ramen");
    /** Base RGB colour of the images of each Food-101 sample class. */
    private static final int[] FOOD101_COLOURS = {0xCC8844, 0x339966, 0x2244AA};
    /**
     * Items of the Food-101 sample per class: train, test (3 train items per class: a validation fraction of 0.1
     * holds out round(0.3) = 0 of them).
     */
    public static final int[] FOOD101_PER_CLASS = {3, 2};

    private static final String[] MELD_SPLITS = {"train", "dev", "test"};
    private static final String[] SPEAKERS = {"Joey", "Rachel", "Ross", "Monica", "Chandler", "Phoebe"};
    /** Words typical of each Wikipedia category, in {@link WikipediaCategories#DEFAULT} order. */
    private static final String[][] WIKIPEDIA_WORDS = {
            {"painting", "sculpture", "gallery", "portrait"},
            {"species", "cell", "organism", "genus"},
            {"river", "mountain", "region", "coast"},
            {"empire", "century", "treaty", "dynasty"},
            {"novel", "poet", "author", "verse"},
            {"television", "broadcast", "newspaper", "channel"},
            {"album", "song", "band", "symphony"},
            {"king", "queen", "throne", "duke"},
            {"team", "season", "championship", "league"},
            {"battle", "army", "regiment", "siege"}};
    private static final int[] WIKIPEDIA_COLOURS = {0xAA2222, 0x22AA22, 0x2222AA, 0xAAAA22, 0xAA22AA, 0x22AAAA,
            0x886644, 0x448866, 0x664488, 0x999999};

    private SampleDatasets() {
    }

    /**
     * Writes all samples into {@code args[0]} and prints one line per dataset folder.
     *
     * @param args the root folder
     * @throws IOException when a file cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("SampleDatasets: expected one argument, the root folder, found "
                    + args.length);
        }
        for (Path p : writeAll(Path.of(args[0]))) {
            System.out.println("wrote " + describe(p));
        }
    }

    /**
     * Writes all five sample folders (MOSI, MELD, Wikipedia raw and .mat, Food-101) under {@code root}.
     *
     * @return the dataset folders, in that order
     */
    public static List<Path> writeAll(Path root) throws IOException {
        return List.of(writeMosi(root), writeMeld(root), writeWikipedia(root), writeWikipediaMat(root),
                writeFood101(root));
    }

    /** @return the number of regular files under {@code dir} */
    public static long fileCount(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    // ---- CMU-MOSI ------------------------------------------------------------------------------------------------

    /**
     * Writes {@code <root>/MOSI/Processed/aligned_50.pkl}: {@link #MOSI_SIZES} records, S = {@link #MOSI_STEPS},
     * widths {@link #MOSI_DIMS}, seed 5.
     *
     * @return the folder holding the pickle (MsaMain's DATA_DIR)
     */
    public static Path writeMosi(Path root) throws IOException {
        Path dir = root.resolve("MOSI").resolve("Processed");
        writeMosiPickle(dir.resolve("aligned_50.pkl"), MOSI_SIZES, MOSI_STEPS, MOSI_DIMS, true, 5);
        return dir;
    }

    /**
     * Writes an MMSA pickle {train, valid, test} as {@link MosiFixtures#split} builds it: labels in [-3, 3] rounded to
     * 0.1 with every 6th exactly 0, features {@code label / 3} (sign alternating over the dimensions) plus Gaussian
     * noise of deviation 0.3; unaligned files get true lengths in 1..S with zero padding after them.
     *
     * @param file    the pickle to write (parent folders are created)
     * @param sizes   records of train, valid, test (ids prefixed "", "v", "t")
     * @param steps   padded sequence length S
     * @param dims    widths of text, audio, vision
     * @param aligned true: no lengths (aligned_50.pkl); false: audio_lengths and vision_lengths (unaligned_50.pkl)
     * @param seed    seed of the one {@link Random} all values are drawn from
     * @return {@code file}
     */
    public static Path writeMosiPickle(Path file, int[] sizes, int steps, int[] dims, boolean aligned, long seed)
            throws IOException {
        Random rnd = new Random(seed);
        Map<String, Object> root = new LinkedHashMap<>();
        String[] names = {"train", "valid", "test"};
        String[] prefixes = {"", "v", "t"};
        for (int s = 0; s < 3; s++) {
            root.put(names[s], mosiSplit(prefixes[s], sizes[s], steps, dims, aligned, rnd));
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Pickle4Writer.write(file, root);
        return file;
    }

    private static Map<String, Object> mosiSplit(String prefix, int n, int steps, int[] dims, boolean aligned,
                                                 Random rnd) {
        double[] labels = new double[n];
        long[] lengths = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 6 == 0 ? 0.0 : Math.round((rnd.nextDouble() * 6 - 3) * 10) / 10.0;
            lengths[i] = 1 + rnd.nextInt(steps);
        }
        int stride = Math.max(dims[0], Math.max(dims[1], dims[2]));
        float[] noise = new float[3 * n * steps * stride];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) rnd.nextGaussian() * 0.3f;
        }
        return MosiFixtures.split(prefix, labels, aligned ? null : lengths, steps, dims,
                (m, i, t, k) -> (float) (labels[i] / 3 * (k % 2 == 0 ? 1 : -1))
                        + noise[((m * n + i) * steps + t) * stride + k]);
    }

    // ---- MELD ----------------------------------------------------------------------------------------------------

    /**
     * Writes {@code <root>/MELD/}: {@link #MELD_PER_CLASS} rows per emotion, feature widths {@link #MELD_DIMS},
     * seed 3.
     *
     * @return the MELD folder (MercMain's DATA_DIR)
     */
    public static Path writeMeld(Path root) throws IOException {
        return writeMeld(root.resolve("MELD"), MELD_PER_CLASS, MELD_DIMS[0], MELD_DIMS[1], 3);
    }

    /**
     * Writes MELD's {@code {train,dev,test}_sent_emo.csv} (quoted utterances, the first of every emotion multi-line
     * with doubled quotes and the original's mojibake) and the baseline's feature pickles
     * {@code text_glove_average_emotion.pkl} and {@code audio_embeddings_feature_selection_emotion.pkl}, each a
     * {@code (train, dev, test)} tuple of dicts keyed {@code "{D}_{U}"} (three utterances per dialogue, dialogue ids
     * restarting in every split, so keys repeat across the dicts as in the baseline's pickles). Feature of a row with
     * emotion e: 1 at index {@code e mod D} plus Gaussian noise of deviation 0.2. Sentiment follows the emotion
     * (neutral; joy and surprise positive; the rest negative).
     *
     * @param dir      the folder to write
     * @param perClass rows per emotion in train, dev, test
     * @param textD    width of the text features
     * @param audioD   width of the audio features
     * @param seed     seed of the feature noise
     * @return {@code dir}
     */
    public static Path writeMeld(Path dir, int[] perClass, int textD, int audioD, long seed) throws IOException {
        Files.createDirectories(dir);
        Random rnd = new Random(seed);
        List<String> emotions = MeldLabel.EMOTION.classes();
        Object[] text = new Object[3];
        Object[] audio = new Object[3];
        for (int s = 0; s < 3; s++) {
            StringBuilder csv = new StringBuilder(MeldFixtures.HEADER);
            Map<String, Object> t = new LinkedHashMap<>();
            Map<String, Object> a = new LinkedHashMap<>();
            int row = 0;
            for (int e = 0; e < emotions.size(); e++) {
                String emotion = emotions.get(e);
                for (int k = 0; k < perClass[s]; k++) {
                    int dia = row / 3;
                    int utt = row % 3;
                    String utterance = k == 0 ? "Oh my God\u00c2\u0085 that\u2019s \"" + emotion + "\"!\nReally?"
                            : "Line " + row + ", dialogue " + dia + ": well\u2026 " + emotion + "?";
                    csv.append(MeldFixtures.row(row + 1, utterance, SPEAKERS[row % SPEAKERS.length], emotion,
                            sentiment(emotion), dia, utt));
                    t.put(dia + "_" + utt, meldVector(textD, e, rnd));
                    a.put(dia + "_" + utt, meldVector(audioD, e, rnd));
                    row++;
                }
            }
            Files.write(dir.resolve(MELD_SPLITS[s] + "_sent_emo.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
            text[s] = t;
            audio[s] = a;
        }
        Pickle4Writer.write(dir.resolve("text_glove_average_emotion.pkl"), text);
        Pickle4Writer.write(dir.resolve("audio_embeddings_feature_selection_emotion.pkl"), audio);
        return dir;
    }

    private static String sentiment(String emotion) {
        return switch (emotion) {
            case "neutral" -> "neutral";
            case "joy", "surprise" -> "positive";
            default -> "negative";
        };
    }

    /** A class-dependent vector: 1 at index e mod D, plus noise. */
    private static Pickle4Writer.Nd meldVector(int d, int e, Random rnd) {
        float[] v = new float[d];
        for (int i = 0; i < d; i++) {
            v[i] = (float) rnd.nextGaussian() * 0.2f + (i == e % d ? 1f : 0f);
        }
        return new Pickle4Writer.Nd("f4", new long[]{d}, v);
    }

    // ---- Wikipedia -----------------------------------------------------------------------------------------------

    /**
     * Writes {@code <root>/wikipedia/}, the raw distribution, with {@link #WIKIPEDIA_PER_CLASS} pairs per category,
     * seed 7.
     *
     * @return the folder (CrossModalRetrievalMain's DATA_DIR)
     */
    public static Path writeWikipedia(Path root) throws IOException {
        return writeWikipediaRaw(root.resolve("wikipedia"), WIKIPEDIA_PER_CLASS[0], WIKIPEDIA_PER_CLASS[1], 7);
    }

    /**
     * Writes Wikipedia's raw distribution: {@code trainset_txt_img_cat.list} and {@code testset_txt_img_cat.list}
     * ({@code txt_id TAB img_id TAB category 1..10}), {@code texts/<txt_id>.xml} (a {@code <document>} whose
     * {@code <text>} holds words typical of the category, entities and non-ASCII) and
     * {@code images/<category>/<img_id>.jpg} (a 4x4 JPEG in the category's colour). Ids are hexadecimal as in the
     * original ({@code <32 hex>-<n>.<m>} for texts, 32 hex for images).
     *
     * @param dir           the folder to write
     * @param trainPerClass train pairs per category
     * @param testPerClass  test pairs per category
     * @param seed          seed of ids and words
     * @return {@code dir}
     */
    public static Path writeWikipediaRaw(Path dir, int trainPerClass, int testPerClass, long seed) throws IOException {
        Random rnd = new Random(seed);
        List<String> categories = WikipediaCategories.DEFAULT;
        Files.createDirectories(dir.resolve("texts"));
        String[] lists = {"trainset_txt_img_cat.list", "testset_txt_img_cat.list"};
        int[] perClass = {trainPerClass, testPerClass};
        for (int s = 0; s < 2; s++) {
            StringBuilder list = new StringBuilder();
            for (int k = 0; k < perClass[s]; k++) {
                for (int c = 0; c < categories.size(); c++) {
                    String txt = hex(rnd) + "-" + (1 + rnd.nextInt(3)) + "." + (1 + rnd.nextInt(20));
                    String img = hex(rnd);
                    list.append(txt).append('\t').append(img).append('\t').append(c + 1).append('\n');
                    Images.jpeg(dir.resolve("images").resolve(categories.get(c)).resolve(img + ".jpg"),
                            WIKIPEDIA_COLOURS[c] + 0x050505 * (k % 3));
                    Files.write(dir.resolve("texts").resolve(txt + ".xml"), article(c, k, rnd)
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
            Files.write(dir.resolve(lists[s]), list.toString().getBytes(StandardCharsets.UTF_8));
        }
        return dir;
    }

    private static String hex(Random rnd) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            b.append(Character.forDigit(rnd.nextInt(16), 16));
        }
        return b.toString();
    }

    private static String article(int category, int k, Random rnd) {
        String[] words = WIKIPEDIA_WORDS[category];
        StringBuilder text = new StringBuilder();
        for (int sentence = 0; sentence < 3; sentence++) {
            text.append("The ").append(words[rnd.nextInt(words.length)]).append(" and the ")
                    .append(words[rnd.nextInt(words.length)]).append(" of Fran\u00e7ois &amp; co. were ")
                    .append(words[rnd.nextInt(words.length)]).append("s of note.\n");
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<document>\n<title>"
                + WikipediaCategories.DEFAULT.get(category) + " article " + (k + 1) + "</title>\n<text>\n" + text
                + "</text>\n</document>\n";
    }

    /**
     * Writes {@code <root>/wikipedia-mat/wikipedia.mat} with {@link #WIKIPEDIA_MAT_PER_CLASS} pairs per category.
     *
     * @return the folder holding the .mat (CrossModalRetrievalMain's DATA_DIR)
     */
    public static Path writeWikipediaMat(Path root) throws IOException {
        Path dir = root.resolve("wikipedia-mat");
        writeWikipediaMatFile(dir, WIKIPEDIA_MAT_PER_CLASS[0], WIKIPEDIA_MAT_PER_CLASS[1]);
        return dir;
    }

    /**
     * Writes {@code wikipedia.mat} (MATLAB v5, doubles) into {@code dir}: {@code I_tr [N, 10], T_tr [N, 6],
     * L_tr [N, 1]} and the same for {@code _te}, categories 1-based and cycling 1..10; a row of category c has
     * {@code 1 + (c - 1) / D} at coordinate {@code (c - 1) mod D} plus Gaussian noise of deviation 0.3 (seed 11). The
     * header's date is fixed so that the file is reproducible.
     *
     * @param dir           the folder to write (created)
     * @param trainPerClass train pairs per category
     * @param testPerClass  test pairs per category
     * @return the .mat file
     */
    public static Path writeWikipediaMatFile(Path dir, int trainPerClass, int testPerClass) throws IOException {
        Files.createDirectories(dir);
        Random rnd = new Random(11);
        int[] train = cycle(10 * trainPerClass);
        int[] test = cycle(10 * testPerClass);
        int imageD = WIKIPEDIA_MAT_DIMS[0];
        int textD = WIKIPEDIA_MAT_DIMS[1];
        Mat5File file = new Mat5File(", Platform: GLNXA64, Created on: Thu Jan  1 00:00:00 2015") {
        };
        file.addArray("I_tr", MatFixtures.matrix(matFeatures(train, imageD, rnd)))
                .addArray("T_tr", MatFixtures.matrix(matFeatures(train, textD, rnd)))
                .addArray("L_tr", MatFixtures.matrix(column(train)))
                .addArray("I_te", MatFixtures.matrix(matFeatures(test, imageD, rnd)))
                .addArray("T_te", MatFixtures.matrix(matFeatures(test, textD, rnd)))
                .addArray("L_te", MatFixtures.matrix(column(test)));
        Path mat = dir.resolve("wikipedia.mat");
        Mat5.writeToFile(file, mat.toFile());
        return mat;
    }

    private static int[] cycle(int n) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = 1 + i % 10;
        }
        return labels;
    }

    /** [rows, d] features whose category (1..10, {@code labels}) shows in one coordinate, plus noise. */
    private static double[][] matFeatures(int[] labels, int d, Random rnd) {
        double[][] f = new double[labels.length][d];
        for (int i = 0; i < labels.length; i++) {
            for (int k = 0; k < d; k++) {
                f[i][k] = rnd.nextGaussian() * 0.3 + (k == (labels[i] - 1) % d ? 1 + (labels[i] - 1) / d : 0);
            }
        }
        return f;
    }

    private static double[][] column(int[] labels) {
        double[][] c = new double[labels.length][1];
        for (int i = 0; i < labels.length; i++) {
            c[i][0] = labels[i];
        }
        return c;
    }

    // ---- UPMC Food-101 -------------------------------------------------------------------------------------------

    /**
     * Writes {@code <root>/UPMC_Food101/} with the classes {@link #FOOD101_CLASSES} and {@link #FOOD101_PER_CLASS}
     * items per class.
     *
     * @return the folder (ImageTextClassificationMain's DATA_DIR)
     */
    public static Path writeFood101(Path root) throws IOException {
        return writeFood101(root.resolve("UPMC_Food101"), FOOD101_PER_CLASS[0], FOOD101_PER_CLASS[1]);
    }

    /**
     * Writes UPMC Food-101's headerless {@code texts/{train,test}_titles.csv} ({@code image file, title, class}; the
     * titles quoted, with commas, doubled quotes and non-ASCII, and naming the dish) and real JPEGs under
     * {@code images/{train,test}/<class>/<class>_<i>.jpg} in the class's colour (3 shades).
     *
     * @param dir           the folder to write
     * @param trainPerClass train items per class
     * @param testPerClass  test items per class
     * @return {@code dir}
     */
    public static Path writeFood101(Path dir, int trainPerClass, int testPerClass) throws IOException {
        for (String part : new String[]{"train", "test"}) {
            StringBuilder csv = new StringBuilder();
            int n = part.equals("train") ? trainPerClass : testPerClass;
            for (int c = 0; c < FOOD101_CLASSES.size(); c++) {
                String cls = FOOD101_CLASSES.get(c);
                for (int i = 0; i < n; i++) {
                    String file = cls + "_" + i + ".jpg";
                    csv.append(file).append(",\"").append(cls.replace('_', ' ')).append(" recipe, \"\"best\"\" #")
                            .append(i).append(" \u2013 caf\u00e9\",").append(cls).append('\n');
                    Images.jpeg(dir.resolve("images").resolve(part).resolve(cls).resolve(file),
                            FOOD101_COLOURS[c] + 0x050505 * (i % 3));
                }
            }
            Files.createDirectories(dir.resolve("texts"));
            Files.write(dir.resolve("texts").resolve(part + "_titles.csv"),
                    csv.toString().getBytes(StandardCharsets.UTF_8));
        }
        return dir;
    }

    /** @return {@code "<folder> (<n> files)"} for printing */
    static String describe(Path dir) throws IOException {
        return String.format(Locale.ROOT, "%s (%d files)", dir, fileCount(dir));
    }
}
