package dev.asyncrl.core.metrics;

/** Mean and standard deviation of plain arrays, shared by advantage estimators and sweep summaries. */
public final class Statistics {
  private Statistics() {}

  /** NaN for an empty array. */
  public static double mean(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return x.length == 0 ? Double.NaN : s / x.length;
  }

  /** Standard deviation with divisor {@code N − 1} ({@code unbiased}) or {@code N}; 0 for fewer than 2 values. */
  public static double std(double[] x, boolean unbiased) {
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
}
