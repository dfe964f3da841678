package dev.asyncrl.algorithms;

import dev.asyncrl.core.metrics.Statistics;

/**
 * GRPO (Shao et al. 2024, DeepSeekMath, eq. 3): {@code A_i = (R_i − mean_g) / (std + ε)}.
 *
 * <p>{@code scale} chooses the std: the group's ({@code group}), that of every reward in the batch
 * ({@code batch}), or none ({@code none}: {@code A_i = R_i − mean_g}, Dr.GRPO, Liu et al. 2025). The std is
 * unbiased (N−1) or population (N). A group of one response gets {@code A = 0}; all-equal rewards give
 * {@code A = 0}.
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
      if (r.length < 2) {
        continue; // singleton group: no baseline to compare with
      }
      double mean = Statistics.mean(r);
      double denominator = switch (scale) {
        case GROUP -> Statistics.std(r, unbiased) + eps;
        case BATCH -> batchStd + eps;
        case NONE -> 1.0;
      };
      for (int i = 0; i < r.length; i++) {
        double centred = r[i] - mean;
        out[g][i] = centred == 0 ? 0 : centred / denominator;
      }
    }
    return Advantages.of(out);
  }
}
