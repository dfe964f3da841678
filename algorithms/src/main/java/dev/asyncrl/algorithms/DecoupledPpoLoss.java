package dev.asyncrl.algorithms;

import ai.djl.ndarray.NDArray;
import java.util.HashMap;
import java.util.Map;

/**
 * Decoupled PPO for stale data (Fu et al. 2025, AReaL, eq. 5): the PPO clip against the proximal policy,
 * each token weighted by the detached behaviour weight {@code w_t = exp(clamp(ℓold_t − ℓμ_t, ±20))}.
 * Tokens with {@code w_t > upper} are excluded ({@link Action#MASK}) or have their weight truncated to
 * {@code upper} ({@link Action#CLAMP}); either way the aggregation keeps the original token count.
 * Metric {@code loss/behaviour_weight_mean}.
 */
public record DecoupledPpoLoss(PpoClipLoss clip, double upper, Action action) implements PolicyLoss {

  public enum Action { MASK, CLAMP }

  @Override
  public TokenLoss perToken(LossInputs in) {
    TokenLoss ppo = clip.perToken(in);
    NDArray weight = in.proximalLogProbs().sub(in.behaviourLogProbs())
        .clip(-PpoClipLoss.LOG_RATIO_CLAMP, PpoClipLoss.LOG_RATIO_CLAMP).exp().stopGradient(); // [B, T]
    NDArray keep = null;
    if (action == Action.MASK) {
      keep = weight.lte(upper).toType(weight.getDataType(), false);
    } else {
      weight = weight.minimum(upper);
    }
    Map<String, NDArray> metrics = new HashMap<>(ppo.metrics());
    metrics.put("loss/behaviour_weight_mean", Masked.mean(weight, in.mask()));
    return new TokenLoss(ppo.values().mul(weight), keep, metrics);
  }
}
