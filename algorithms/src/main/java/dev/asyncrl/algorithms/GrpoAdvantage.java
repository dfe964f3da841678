package dev.asyncrl.algorithms;

/**
 * GRPO (Shao et al. 2024, DeepSeekMath, eq. 3): {@code A_i = (R_i − mean_g) / (std + ε)}.
 *
 * <p>{@code scale} chooses the std: the group's ({@code group}), that of every reward in the batch
 * ({@code batch}), or none ({@code none}: {@code A_i = R_i − mean_g}). The std is unbiased (N−1) or
 * population (N). A group of one response gets {@code A = 0}; all-equal rewards give {@code A = 0}.
 */
public record GrpoAdvantage(StdMode stdMode, double eps, Scale scale) implements AdvantageEstimator {

  public enum StdMode { UNBIASED, POPULATION }

  public enum Scale { GROUP, BATCH, NONE }

  @Override
  public double[][] advantages(double[][] groupRewards) {
    double batchStd = scale == Scale.BATCH ? std(flatten(groupRewards)) : Double.NaN;
    double[][] out = new double[groupRewards.length][];
    for (int g = 0; g < groupRewards.length; g++) {
      double[] r = groupRewards[g];
      out[g] = new double[r.length];
      if (r.length < 2) {
        continue; // singleton group: no baseline to compare with
      }
      double mean = mean(r);
      double denominator = switch (scale) {
        case GROUP -> std(r) + eps;
        case BATCH -> batchStd + eps;
        case NONE -> 1.0;
      };
      for (int i = 0; i < r.length; i++) {
        double centred = r[i] - mean;
        out[g][i] = centred == 0 ? 0 : centred / denominator;
      }
    }
    return out;
  }

  static double mean(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return s / x.length;
  }

  double std(double[] x) {
    if (x.length < 2) {
      return 0;
    }
    double m = mean(x);
    double ss = 0;
    for (double v : x) {
      ss += (v - m) * (v - m);
    }
    return Math.sqrt(ss / (stdMode == StdMode.UNBIASED ? x.length - 1 : x.length));
  }

  private static double[] flatten(double[][] x) {
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
}
