package dev.asyncrl.algorithms;

import dev.asyncrl.core.metrics.Statistics;
import java.util.Map;

/**
 * VCPO's advantage (variance-controlled off-policy RL, its optimal-baseline advantage): {@code A_i = (R_i − b_g) / σ_g}, σ_g the population std of
 * the group's rewards (no division when {@code σ_g ≤ 1e-8}), with the off-policy optimal baseline
 *
 * <pre>
 *   b_g = Σ_i W_i R_i / Σ_i W_i
 *   paper:  W_i = w_i² · ‖∇θ log πθ(τ_i)‖²
 *   code:   W_i = (w̃_i · ‖∇θ log πθ(τ_i)‖)² · w_i²
 * </pre>
 *
 * where {@code w_i = exp(clamp(S_i, ±20))} and {@code w̃_i = min(w_i, C)}. The denominator carries a
 * relative epsilon ({@code ΣW·(1 + 1e-12)}); a group whose weights are all zero or any non-finite falls back
 * to its mean, as does {@link Baseline#GROUP_MEAN} everywhere (no per-trajectory backward needed).
 * Singleton groups and all-equal rewards give {@code A = 0}.
 */
public record OptimalBaselineAdvantage(Baseline baseline, BaselineWeights weights, double isCap)
    implements AdvantageEstimator {

  public enum Baseline { OPTIMAL, GROUP_MEAN }

  public enum BaselineWeights { PAPER, CODE }

  static final double SIGMA_FLOOR = 1e-8;

  @Override
  public boolean needsTrajectoryStats() {
    return baseline == Baseline.OPTIMAL;
  }

  @Override
  public Advantages advantages(double[][] groupRewards, TrajectoryStats stats) {
    double[][] out = new double[groupRewards.length][];
    double shift = 0;
    int fallbacks = 0;
    for (int g = 0; g < groupRewards.length; g++) {
      double[] r = groupRewards[g];
      out[g] = new double[r.length];
      if (r.length < 2 || GroupStats.allEqual(r)) {
        continue;
      }
      double mean = Statistics.mean(r);
      double b = mean;
      if (baseline == Baseline.OPTIMAL) {
        double[] w = baselineWeights(stats.logWeights()[g], stats.gradNormSq()[g]);
        double sw = 0;
        double swr = 0;
        boolean finite = true;
        for (int i = 0; i < r.length; i++) {
          finite &= Double.isFinite(w[i]) && w[i] >= 0;
          sw += w[i];
          swr += w[i] * r[i];
        }
        if (finite && sw > 0 && Double.isFinite(sw)) {
          b = swr / (sw * (1 + 1e-12));
        } else {
          fallbacks++;
        }
      }
      shift += b - mean;
      double sigma = Statistics.std(r, false);
      double denominator = sigma <= SIGMA_FLOOR ? 1 : sigma;
      for (int i = 0; i < r.length; i++) {
        out[g][i] = (r[i] - b) / denominator;
      }
    }
    return new Advantages(out, Map.of(
        "vcpo/baseline_shift", groupRewards.length == 0 ? 0 : shift / groupRewards.length,
        "vcpo/baseline_fallbacks", (double) fallbacks));
  }

  /** {@code W_i} for one group from {@code S_i} and {@code ‖∇ log π(τ_i)‖²}. */
  double[] baselineWeights(double[] logWeights, double[] gradNormSq) {
    double[] w = new double[logWeights.length];
    for (int i = 0; i < w.length; i++) {
      double s = Math.max(-PpoClipLoss.LOG_RATIO_CLAMP, Math.min(PpoClipLoss.LOG_RATIO_CLAMP, logWeights[i]));
      double seq = Math.exp(s);
      double base = seq * seq * gradNormSq[i];
      if (weights == BaselineWeights.CODE) {
        double truncated = Math.min(seq, isCap);
        base *= truncated * truncated;
      }
      w[i] = base; // NaN stays NaN through clamp and exp, and triggers the group-mean fallback
    }
    return w;
  }
}
