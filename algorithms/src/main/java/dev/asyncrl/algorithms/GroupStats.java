package dev.asyncrl.algorithms;

/** Means and standard deviations of reward groups, shared by the advantage estimators. */
final class GroupStats {
  private GroupStats() {}

  static double mean(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return s / x.length;
  }

  /** Standard deviation with divisor {@code N − 1} ({@code unbiased}) or {@code N}; 0 for fewer than 2 values. */
  static double std(double[] x, boolean unbiased) {
    if (x.length < 2) {
      return 0;
    }
    double m = mean(x);
    double ss = 0;
    for (double v : x) {
      ss += (v - m) * (v - m);
    }
    return Math.sqrt(ss / (unbiased ? x.length - 1 : x.length));
  }

  static double[] flatten(double[][] x) {
    int n = 0;
    for (double[] r : x) {
      n += r.length;
    }
    double[] out = new double[n];
    int k = 0;
    for (double[] r : x) {
      System.arraycopy(r, 0, out, k, r.length);
      k += r.length;
    }
    return out;
  }

  static boolean allEqual(double[] r) {
    for (double v : r) {
      if (v != r[0]) {
        return false;
      }
    }
    return true;
  }
}
