package dev.asyncrl.algorithms;

/**
 * Kish's effective sample size of one weight per sequence, {@code w_i = exp(S_i)} (untruncated):
 * {@code ESS = (Σw)² / Σw²}, computed in log space as {@code exp(2·logsumexp(S) − logsumexp(2S))} so that
 * no weight overflows. The ratio {@code ρ = ESS / B} lies in {@code [1/B, 1]}; a non-finite ESS counts as
 * {@code 1/B} (full damping).
 */
public final class EffectiveSampleSize {
  private EffectiveSampleSize() {}

  /** {@code ρ = ESS/B} for log weights {@code S}; 1 for an empty batch. */
  public static double ratio(double[] logWeights) {
    int n = logWeights.length;
    if (n == 0) {
      return 1;
    }
    double[] doubled = new double[n];
    for (int i = 0; i < n; i++) {
      doubled[i] = 2 * logWeights[i];
    }
    double ess = Math.exp(2 * logSumExp(logWeights) - logSumExp(doubled));
    if (!Double.isFinite(ess)) {
      return 1.0 / n;
    }
    return Math.max(1.0 / n, Math.min(1, ess / n));
  }

  static double logSumExp(double[] x) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      max = Math.max(max, v);
    }
    if (!Double.isFinite(max)) {
      return max == Double.NEGATIVE_INFINITY ? max : Double.NaN;
    }
    double s = 0;
    for (double v : x) {
      s += Math.exp(v - max);
    }
    return max + Math.log(s);
  }
}
