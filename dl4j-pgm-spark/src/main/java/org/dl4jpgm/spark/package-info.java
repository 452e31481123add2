/**
 * PgM on Apache Spark through dl4j-spark: {@link org.dl4jpgm.spark.SparkPgmTrainer} trains a PgM graph's two stages
 * with parameter averaging (α and β switched between epochs, the workers receiving the changed configuration with
 * the parameters of every averaging round), {@link org.dl4jpgm.spark.SparkData} turns the project's dataset layout,
 * feature-cache arrays or exported batches into the RDDs it trains on (read back with
 * {@link org.dl4jpgm.spark.MaskSafeMultiDataSetLoader}), {@link org.dl4jpgm.spark.SparkFeatureExtractor}
 * runs the encoders per partition and writes the feature cache, and {@link org.dl4jpgm.spark.SparkTrainMain} is the
 * command line for spark-submit and local runs.
 */
package org.dl4jpgm.spark;
