package dev.asyncrl.algorithms;

/**
 * RLOO (Ahmadian et al. 2024) and LOOP (Chen et al. 2025): each response is compared with the mean of the
 * other {@code K − 1} responses of its group,
 * {@code A_i = R_i − (Σ_j R_j − R_i)/(K − 1) = K/(K − 1)·(R_i − mean_g)}. Singleton groups get {@code A = 0}.
 */
public record LeaveOneOutAdvantage() implements AdvantageEstimator {

  @Override
  public Advantages advantages(double[][] groupRewards, TrajectoryStats stats) {
    double[][] out = new double[groupRewards.length][];
    for (int g = 0; g < groupRewards.length; g++) {
      double[] r = groupRewards[g];
      int k = r.length;
      out[g] = new double[k];
      if (k < 2 || GroupStats.allEqual(r)) {
        continue;
      }
      double sum = 0;
      for (double v : r) {
        sum += v;
      }
      for (int i = 0; i < k; i++) {
        out[g][i] = r[i] - (sum - r[i]) / (k - 1);
      }
    }
    return Advantages.of(out);
  }
}
