package dev.asyncrl.algorithms;

import ai.djl.ndarray.NDArray;
import dev.asyncrl.gpu.HostData;

/**
 * KL to a frozen reference model, added per token inside the loss with coefficient {@code β}
 * (Schulman's estimators, http://joschu.net/blog/kl-approx.html), with {@code δ = ℓθ − ℓref}:
 *
 * <pre>
 *   k1 = δ      k2 = δ²/2      k3 = exp(clamp(−δ, ±20)) + δ − 1, then clamped to ±clamp
 * </pre>
 *
 * {@code β = 0} (the default) means no reference model is loaded at all.
 */
public record KlPenalty(double coef, Estimator estimator, double clamp) {

  public enum Estimator { K1, K2, K3 }

  public static final KlPenalty OFF = new KlPenalty(0, Estimator.K3, 10);

  public boolean active() {
    return coef > 0;
  }

  /** The estimate per token, {@code [B, T]}, differentiable in {@code logProbs}. */
  public NDArray perToken(NDArray logProbs, NDArray referenceLogProbs) {
    NDArray delta = logProbs.sub(referenceLogProbs);
    return switch (estimator) {
      case K1 -> delta;
      case K2 -> HostData.dividedBy(delta.square(), 2);
      case K3 -> delta.neg().clip(-PpoClipLoss.LOG_RATIO_CLAMP, PpoClipLoss.LOG_RATIO_CLAMP).exp().add(delta).sub(1)
          .clip(-clamp, clamp);
    };
  }
}
