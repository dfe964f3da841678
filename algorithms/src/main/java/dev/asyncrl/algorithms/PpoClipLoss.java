package dev.asyncrl.algorithms;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * PPO clipped surrogate per token (Schulman et al. 2017, eq. 7), with the ratio taken against the log-probs
 * the batch was sampled with:
 *
 * <pre>
 *   r_t    = exp(clamp(ℓθ_t − ℓold_t, ±20))
 *   loss_t = max(−A·r_t, −A·clamp(r_t, 1−ε_low, 1+ε_high))
 *   dual clip (c &gt; 0, only where A &lt; 0): loss_t = min(loss_t, c·(−A))   (Ye et al. 2020)
 * </pre>
 *
 * aggregated by {@link LossAggregation}. Metrics: {@code loss/clip_frac} (share of trained tokens where the
 * clipped branch is active) and {@code loss/kl_behaviour}, the k3 estimate of KL(old ‖ θ):
 * {@code mean(r − 1 − log r)} over trained tokens.
 */
public record PpoClipLoss(double clipLow, double clipHigh, double dualClip, LossAggregation aggregation)
    implements PolicyLoss {

  static final double LOG_RATIO_CLAMP = 20;

  @Override
  public LossResult compute(LossInputs in) {
    NDArray a = in.advantages();
    NDArray logRatio = in.logProbs().sub(in.behaviourLogProbs()).clip(-LOG_RATIO_CLAMP, LOG_RATIO_CLAMP); // [B, T]
    NDArray ratio = logRatio.exp();
    NDArray unclipped = a.neg().mul(ratio);
    NDArray clipped = a.neg().mul(ratio.clip(1 - clipLow, 1 + clipHigh));
    NDArray tokenLoss = unclipped.maximum(clipped);                                   // [B, T]
    if (dualClip > 0) {
      // For A ≥ 0 the loss is ≤ 0 ≤ c·|A|, so capping at c·|A| everywhere only acts where A < 0.
      tokenLoss = tokenLoss.minimum(a.abs().mul(dualClip));
    }
    NDArray loss = aggregation.aggregate(tokenLoss, in.mask(), in.maxResponseLen());
    NDArray tokens = in.mask().sum().maximum(1);
    NDArray clipFrac = clipped.gt(unclipped).toType(in.mask().getDataType(), false).mul(in.mask()).sum().div(tokens);
    NDArray detachedRatio = ratio.stopGradient();
    NDArray k3 = detachedRatio.sub(1).sub(logRatio.stopGradient()).mul(in.mask()).sum().div(tokens);
    return new LossResult(loss, Map.of("loss/clip_frac", clipFrac, "loss/kl_behaviour", k3));
  }
}
