package org.dl4jpgm.datavec.synthetic;

/** Plain-Java k-nearest-neighbour classifier (Euclidean, majority vote), for measuring what features reveal. */
final class Knn {

    private Knn() {
    }

    static double accuracy(double[][] trainX, int[] trainY, double[][] testX, int[] testY, int k) {
        int classes = 0;
        for (int y : trainY) {
            classes = Math.max(classes, y + 1);
        }
        int correct = 0;
        double[] dist = new double[trainX.length];
        for (int i = 0; i < testX.length; i++) {
            for (int j = 0; j < trainX.length; j++) {
                double s = 0;
                for (int c = 0; c < testX[i].length; c++) {
                    double d = testX[i][c] - trainX[j][c];
                    s += d * d;
                }
                dist[j] = s;
            }
            boolean[] used = new boolean[trainX.length];
            int[] votes = new int[classes];
            for (int n = 0; n < k; n++) {
                int best = -1;
                for (int j = 0; j < trainX.length; j++) {
                    if (!used[j] && (best < 0 || dist[j] < dist[best])) {
                        best = j;
                    }
                }
                used[best] = true;
                votes[trainY[best]]++;
            }
            int pred = 0;
            for (int c = 1; c < classes; c++) {
                if (votes[c] > votes[pred]) {
                    pred = c;
                }
            }
            if (pred == testY[i]) {
                correct++;
            }
        }
        return correct / (double) testX.length;
    }
}
