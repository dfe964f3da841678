package dev.asyncrl.algorithms;

import dev.asyncrl.core.metrics.Statistics;

/**
 * GRPO (Shao et al. 2024, DeepSeekMath, eq. 3): {@code A_i = (R_i − mean_g) / (std + ε)}.
 *
 * <p>{@code scale} chooses the std: the group's ({@code group}), that of every reward in the batch
 * ({@code batch}), or none ({@code none}: {@code A_i = R_i − mean_g}, Dr.GRPO, Liu et al. 2025). The std is
 * unbiased (N−1) or population (N). A group of one response gets {@code A = 0}; a group whose rewards are
 * all equal gets {@code A = 0} (tested for equality, not by {@code R_i − mean == 0}: the mean of
 * {@code [0.1, 0.1, 0.1]} is not exactly 0.1, and with {@code ε = 0} the rounding error divided by a
 * rounding-sized std would give {@code ±0.82}).
 */
public record GrpoAdvantage(StdMode stdMode, double eps, Scale scale) implements AdvantageEstimator {

  public enum StdMode { UNBIASED, POPULATION }

  public enum Scale { GROUP, BATCH, NONE }

  /** Dr.GRPO: centred, never divided. */
  public static GrpoAdvantage centredOnly() {
    return new GrpoAdvantage(StdMode.UNBIASED, 0, Scale.NONE);
  }

  @Override
  public Advantages advantages(double[][] groupRewards, TrajectoryStats stats) {
    boolean unbiased = stdMode == StdMode.UNBIASED;
    double batchStd = scale == Scale.BATCH ? Statistics.std(GroupStats.flatten(groupRewards), unbiased) : Double.NaN;
    double[][] out = new double[groupRewards.length][];
    for (int g = 0; g < groupRewards.length; g++) {
      double[] r = groupRewards[g];
      out[g] = new double[r.length];
      if (r.length < 2 || allEqual(r)) {
        continue; // a singleton group has no baseline; equal rewards carry no signal
      }
      double mean = Statistics.mean(r);
      double denominator = switch (scale) {
        case GROUP -> Statistics.std(r, unbiased) + eps;
        case BATCH -> batchStd + eps;
        case NONE -> 1.0;
      };
      for (int i = 0; i < r.length; i++) {
        out[g][i] = (r[i] - mean) / denominator;
      }
    }
    return Advantages.of(out);
  }

  private static boolean allEqual(double[] r) {
    for (double x : r) {
      if (x != r[0]) {
        return false;
      }
    }
    return true;
  }
}
