package org.dl4jpgm.datavec.wikipedia;

/** The two Wikipedia splits (2173 training pairs, 693 test pairs). */
public enum WikipediaSplit {
    /** {@code trainset_txt_img_cat.list}; .mat variables {@code I_tr, T_tr, L_tr} */
    TRAIN("trainset_txt_img_cat.list", "_tr"),
    /** {@code testset_txt_img_cat.list}; .mat variables {@code I_te, T_te, L_te} */
    TEST("testset_txt_img_cat.list", "_te");

    private final String listFile;
    private final String suffix;

    WikipediaSplit(String listFile, String suffix) {
        this.listFile = listFile;
        this.suffix = suffix;
    }

    /** @return the name of the split's list file */
    public String listFile() {
        return listFile;
    }

    /** @return the suffix of the split's .mat variable names ("_tr" or "_te") */
    public String suffix() {
        return suffix;
    }
}
