package dev.asyncrl.algorithms;

/**
 * The sequence importance weights {@code w_i = exp(S_i)} of one mini-batch against the behaviour policy,
 * summarised for the learning-rate rule and the {@code is/*} metrics.
 *
 * @param essRatio {@link EffectiveSampleSize#ratio} of the untruncated weights
 * @param max      largest weight, {@code S} clamped to ±20 before {@code exp}
 * @param mean     mean weight, clamped likewise; 1 for an empty batch
 */
public record SequenceWeights(double essRatio, double max, double mean) {

  public static SequenceWeights of(double[] logWeights) {
    double max = 0;
    double sum = 0;
    for (double s : logWeights) {
      double w = Math.exp(Math.max(-PpoClipLoss.LOG_RATIO_CLAMP, Math.min(PpoClipLoss.LOG_RATIO_CLAMP, s)));
      max = Math.max(max, w);
      sum += w;
    }
    return new SequenceWeights(EffectiveSampleSize.ratio(logWeights), max,
        logWeights.length == 0 ? 1 : sum / logWeights.length);
  }
}
