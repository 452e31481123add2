package org.dl4jpgm.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Spark contexts for PgM: under spark-submit the master and the settings come from the command line; for a local try
 * ({@code local[N]}) everything stays on the loopback interface and the web UI is off.
 */
public final class SparkContexts {

    private SparkContexts() {
    }

    /**
     * @param master null = the one spark-submit set ({@code spark.master}); else e.g. {@code local[2]}
     */
    public static JavaSparkContext create(String appName, String master) {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            throw new IllegalArgumentException("SparkContexts: no master: run under spark-submit or give one, e.g. "
                    + "--master local[2]");
        }
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            conf.setIfMissing("spark.ui.enabled", "false");
        }
        return new JavaSparkContext(conf);
    }
}
