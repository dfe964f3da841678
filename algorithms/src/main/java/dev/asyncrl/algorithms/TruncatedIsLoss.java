package dev.asyncrl.algorithms;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Sequence-level truncated importance sampling with a REINFORCE term (what VCPO's released runs use):
 *
 * <pre>
 *   S_i    = Σ_t m·(sg(ℓθ) − ℓμ)
 *   w̃_i    = min(exp(clamp(S_i, ±20)), C)                 detached
 *   loss_t = −A_i · w̃_i · exp(ℓθ_t − sg(ℓθ_t))            value −A·w̃, gradient −A·w̃·∇ℓθ
 * </pre>
 *
 * Metric {@code is/truncated_frac}: share of responses with a trained token whose weight hit {@code C}.
 */
public record TruncatedIsLoss(double cap) implements PolicyLoss {

  @Override
  public TokenLoss perToken(LossInputs in) {
    NDArray mask = in.mask();
    NDArray logWeight = in.currentValues().sub(in.behaviourLogProbs()).mul(mask)
        .sum(new int[] {1}, true);                                                          // [B, 1]
    NDArray raw = logWeight.clip(-PpoClipLoss.LOG_RATIO_CLAMP, PpoClipLoss.LOG_RATIO_CLAMP).exp();
    NDArray truncated = raw.minimum(cap);                                                   // [B, 1]
    NDArray reinforce = in.logProbs().sub(in.currentValues()).exp();                        // [B, T], value 1
    NDArray tokenLoss = in.advantages().neg().mul(truncated).mul(reinforce);                // [B, T]
    NDArray present = mask.sum(new int[] {1}, true).gt(0).toType(mask.getDataType(), false); // [B, 1]
    NDArray truncatedFrac = raw.gt(cap).toType(mask.getDataType(), false).mul(present).sum()
        .div(present.sum().maximum(1));
    return new TokenLoss(tokenLoss, null, Map.of("is/truncated_frac", truncatedFrac));
  }
}
