package dev.asyncrl.algorithms;

import ai.djl.ndarray.NDArray;
import dev.asyncrl.gpu.HostData;
import java.util.HashMap;
import java.util.Map;

/**
 * What the trainer asks of an algorithm: which groups to train on, advantages from rewards, the loss from
 * per-token tensors, and a learning-rate factor from the batch's effective sample size.
 *
 * @param aggregation how per-token losses (surrogate + KL − entropy bonus) become one number
 * @param kl          KL penalty to the reference model; {@link KlPenalty#OFF} loads no reference model
 * @param entropy     entropy bonus; {@link EntropyBonus#OFF} computes no entropy
 */
public record Algorithm(String name, GroupFilter groups, AdvantageEstimator advantages, PolicyLoss loss,
    LossAggregation aggregation, KlPenalty kl, EntropyBonus entropy, LearningRateScaling learningRate) {

  /**
   * The scalar to differentiate: {@code aggregate(keep · (ℓ_t + β·KL_t − c·H_t))}, with metrics
   * {@code loss/kl_behaviour} (k3 estimate of KL(μ‖θ) on the trained tokens), {@code loss/filtered_token_frac}
   * (trained tokens the loss excluded), {@code loss/kl_ref} when β &gt; 0, {@code loss/entropy} (mean H_t over
   * the trained tokens) when c &gt; 0, and the surrogate's own.
   */
  public LossResult objective(LossInputs in) {
    TokenLoss t = loss.perToken(in);
    NDArray values = t.values();
    Map<String, NDArray> metrics = new HashMap<>(t.metrics());
    if (kl.active()) {
      NDArray k = kl.perToken(in.logProbs(), in.referenceLogProbs());
      values = values.add(HostData.times(k, kl.coef()));
      metrics.put("loss/kl_ref", Masked.mean(k, in.mask()));
    }
    if (entropy.active()) {
      values = values.sub(HostData.times(in.entropy(), entropy.coef()));
      metrics.put("loss/entropy", Masked.mean(in.entropy(), in.mask()));
    }
    NDArray mask = in.mask();
    NDArray kept = mask;
    if (t.keep() != null) {
      values = values.mul(t.keep());
      kept = mask.mul(t.keep());
    }
    NDArray tokens = mask.sum();
    metrics.put("loss/filtered_token_frac", tokens.sub(kept.sum()).div(tokens.maximum(1)));
    NDArray logRatio = in.currentValues().sub(in.behaviourLogProbs())
        .clip(-PpoClipLoss.LOG_RATIO_CLAMP, PpoClipLoss.LOG_RATIO_CLAMP);                    // log(πθ/πμ)
    metrics.put("loss/kl_behaviour", Masked.mean(logRatio.exp().sub(1).sub(logRatio), mask));
    NDArray scalar = aggregation.aggregate(values, mask, in.maxResponseLen(), in.miniBatchSize());
    return new LossResult(scalar, metrics);
  }

  public boolean needsReferenceModel() {
    return kl.active();
  }

  /** Whether the loss needs {@link LossInputs#entropy()}. */
  public boolean needsEntropy() {
    return entropy.active();
  }
}
