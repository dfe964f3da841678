package dev.asyncrl.algorithms;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * PPO clipped surrogate per token (Schulman et al. 2017, eq. 7), the ratio taken against the proximal
 * policy {@code ℓold}:
 *
 * <pre>
 *   r_t    = exp(clamp(ℓθ_t − ℓold_t, ±20))
 *   loss_t = max(−A·r_t, −A·clamp(r_t, 1−ε_low, 1+ε_high))
 *   dual clip (c &gt; 0, only where A &lt; 0): loss_t = min(loss_t, c·(−A))   (Ye et al. 2020)
 * </pre>
 *
 * DAPO's clip-higher is {@code ε_high > ε_low}; LOOP's asymmetric clip {@code [1/(1+ε), 1+ε]} is
 * {@code ε_low = ε/(1+ε)}, {@code ε_high = ε} ({@link #loop}). Metric {@code loss/clip_frac}: share of
 * trained tokens where the clipped branch is active.
 */
public record PpoClipLoss(double clipLow, double clipHigh, double dualClip) implements PolicyLoss {

  static final double LOG_RATIO_CLAMP = 20;

  /** LOOP's per-token clip range {@code [1/(1+ε), 1+ε]}, no dual clip. */
  public static PpoClipLoss loop(double eps) {
    return new PpoClipLoss(eps / (1 + eps), eps, 0);
  }

  @Override
  public TokenLoss perToken(LossInputs in) {
    NDArray a = in.advantages();                                                            // [B, 1]
    NDArray ratio = in.logProbs().sub(in.proximalLogProbs()).clip(-LOG_RATIO_CLAMP, LOG_RATIO_CLAMP).exp(); // [B, T]
    NDArray unclipped = a.neg().mul(ratio);
    NDArray clipped = a.neg().mul(ratio.clip(1 - clipLow, 1 + clipHigh));
    NDArray tokenLoss = unclipped.maximum(clipped);                                         // [B, T]
    if (dualClip > 0) {
      // For A ≥ 0 the loss is ≤ 0 ≤ c·|A|, so capping at c·|A| everywhere only acts where A < 0.
      tokenLoss = tokenLoss.minimum(a.abs().mul(dualClip));
    }
    NDArray clipFrac = Masked.mean(clipped.gt(unclipped).toType(in.mask().getDataType(), false), in.mask());
    return new TokenLoss(tokenLoss, null, Map.of("loss/clip_frac", clipFrac));
  }
}
