package org.dl4jpgm.datavec.wikipedia;

import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.Text;
import org.datavec.api.writable.Writable;
import org.dl4jpgm.datavec.common.BadRecordPolicy;
import org.dl4jpgm.datavec.common.DataFormatException;
import org.dl4jpgm.datavec.common.IndexedRecordReader;
import org.dl4jpgm.datavec.common.Validation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Wikipedia image-text dataset (Rasiwasia et al. 2010) as distributed: {@code <root>/trainset_txt_img_cat.list}
 * and {@code testset_txt_img_cat.list}, lines {@code txt_id \t img_id \t category} (category 1..10), the articles at
 * {@code <root>/texts/<txt_id>.xml}, the images at {@code <root>/images/<category name>/<img_id>.jpg}. Initialize with
 * a {@code FileSplit} of {@code <root>}.
 *
 * <p>Record ({@link #next()}): {@code [txt_id (Text), img_id (Text), article text (Text), image path (Text, absolute),
 * category index 0..9 (Int)]}; label column {@link #COLUMN_LABEL}; {@link #getLabels()} gives the category names
 * ({@link WikipediaCategories}). The article text is the content of the XML's {@code <text>} element, entities
 * decoded; it is cut out textually because the shipped files are not all well-formed XML. The content is trimmed
 * ({@link String#trim()}: leading and trailing whitespace and control characters, the line breaks around the text in
 * the shipped files) before the entities are decoded; whitespace inside the text is kept as it is.
 *
 * <p>Errors name file and line: a line without 3 tab-separated fields, a category out of range, a missing or
 * text-less article, a missing image, an empty split; under {@link BadRecordPolicy#SKIP} they are counted in
 * {@link #getSkipReport()}.
 */
public class WikipediaRecordReader extends IndexedRecordReader {

    /** Column of the text id. */
    public static final int COLUMN_TEXT_ID = 0;
    /** Column of the image id. */
    public static final int COLUMN_IMAGE_ID = 1;
    /** Column of the article text. */
    public static final int COLUMN_TEXT = 2;
    /** Column of the image path. */
    public static final int COLUMN_IMAGE = 3;
    /** Column of the category index (0-based). */
    public static final int COLUMN_LABEL = 4;

    private WikipediaSplit split;
    private BadRecordPolicy policy;

    private transient List<String> categories;
    private transient List<Object[]> rows;

    private WikipediaRecordReader() {
    }

    @Override
    protected int[] load(Path root) throws IOException {
        categories = WikipediaCategories.of(root);
        Path list = root.resolve(split.listFile());
        if (!Files.isRegularFile(list)) {
            throw new DataFormatException(root, "", "the list file " + split.listFile(), "no such file");
        }
        List<String> lines = org.dl4jpgm.datavec.common.Utf8.read(list).lines().toList();
        rows = new ArrayList<>();
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.trim().isEmpty()) {
                continue;
            }
            String where = "line " + (i + 1);
            Object[] rec = null;
            try {
                String[] f = line.trim().split("\\s+");
                if (f.length != 3) {
                    throw new DataFormatException(list, where, "3 tab-separated fields (txt_id, img_id, category)",
                            f.length + " fields");
                }
                int cat;
                try {
                    cat = Integer.parseInt(f[2]);
                } catch (NumberFormatException e) {
                    throw new DataFormatException(list, where, "a category number", "'" + f[2] + "'");
                }
                if (cat < 1 || cat > categories.size()) {
                    throw new DataFormatException(list, where, "a category in [1, " + categories.size() + "]",
                            String.valueOf(cat));
                }
                String text = articleText(org.dl4jpgm.datavec.common.FileNames.resolve(root, list, where,
                        "the article", "texts", f[0] + ".xml"), list, where);
                Path image = org.dl4jpgm.datavec.common.FileNames.resolve(root, list, where, "the image", "images",
                        categories.get(cat - 1), f[1] + ".jpg");
                if (!Files.isRegularFile(image)) {
                    throw new DataFormatException(list, where, "the image " + image, "no such file");
                }
                rec = new Object[]{f[0], f[1], text, image.toAbsolutePath().toString(), cat - 1};
            } catch (DataFormatException e) {
                Validation.reject(e, policy, skipReport);
            }
            if (rec != null) {
                kept.add(rows.size());
            }
            rows.add(rec);
        }
        Validation.requireNonEmpty(kept.size(), list, "split " + split, skipReport.count());
        return toArray(kept);
    }

    private static String articleText(Path xml, Path list, String where) throws IOException {
        if (!Files.isRegularFile(xml)) {
            throw new DataFormatException(list, where, "the article " + xml, "no such file");
        }
        String s = new String(Files.readAllBytes(xml), StandardCharsets.UTF_8);
        int a = s.indexOf("<text>");
        int b = s.lastIndexOf("</text>");
        if (a < 0 || b < a) {
            throw new DataFormatException(xml, "", "a <text>...</text> element", "none");
        }
        return unescape(s.substring(a + "<text>".length(), b).trim());
    }

    /** Decodes the five predefined XML entities and numeric character references. */
    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int semi = c == '&' ? s.indexOf(';', i) : -1;
            if (semi > i && semi - i <= 10) {
                String ent = s.substring(i + 1, semi);
                String rep = null;
                switch (ent) {
                    case "amp": rep = "&"; break;
                    case "lt": rep = "<"; break;
                    case "gt": rep = ">"; break;
                    case "quot": rep = "\""; break;
                    case "apos": rep = "'"; break;
                    default:
                        try {
                            if (ent.startsWith("#x")) {
                                rep = new String(Character.toChars(Integer.parseInt(ent.substring(2), 16)));
                            } else if (ent.startsWith("#")) {
                                rep = new String(Character.toChars(Integer.parseInt(ent.substring(1))));
                            }
                        } catch (IllegalArgumentException e) {
                            rep = null;
                        }
                }
                if (rep != null) {
                    out.append(rep);
                    i = semi + 1;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    @Override
    protected List<Writable> recordAt(int index) {
        Object[] r = rows.get(index);
        List<Writable> out = new ArrayList<>(5);
        out.add(new Text((String) r[0]));
        out.add(new Text((String) r[1]));
        out.add(new Text((String) r[2]));
        out.add(new Text((String) r[3]));
        out.add(new IntWritable((Integer) r[4]));
        return out;
    }

    /** @return the category names, index 0 = category 1 */
    @Override
    public List<String> getLabels() {
        return categories;
    }

    /** Builder; all options have defaults. */
    public static final class Builder {
        /** The split to read. Default {@link WikipediaSplit#TRAIN}. */
        private WikipediaSplit split = WikipediaSplit.TRAIN;
        /** What to do with a bad line. Default {@link BadRecordPolicy#FAIL}. */
        private BadRecordPolicy policy = BadRecordPolicy.FAIL;

        /** @param split the split */
        public Builder split(WikipediaSplit split) {
            this.split = split;
            return this;
        }

        /** @param policy what to do with bad lines */
        public Builder badRecordPolicy(BadRecordPolicy policy) {
            this.policy = policy;
            return this;
        }

        /** @return the reader; call {@code initialize(new FileSplit(root))} next */
        public WikipediaRecordReader build() {
            if (split == null || policy == null) {
                throw new IllegalStateException("WikipediaRecordReader: split and badRecordPolicy must not be null "
                        + "(found split=" + split + ", policy=" + policy + ")");
            }
            WikipediaRecordReader r = new WikipediaRecordReader();
            r.split = split;
            r.policy = policy;
            return r;
        }
    }
}
