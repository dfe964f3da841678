package dev.asyncrl.algorithms;

import ai.djl.ndarray.NDArray;

/**
 * LOOP's filter: responses with {@code |A| < threshold} are dropped from the update (their tokens excluded;
 * with LOOP's fixed divisor the loss is the same as if they had never been in the batch).
 */
public record AdvantageFilter(PolicyLoss inner, double threshold) implements PolicyLoss {

  @Override
  public TokenLoss perToken(LossInputs in) {
    TokenLoss t = inner.perToken(in);
    NDArray keep = in.advantages().abs().gte(threshold).toType(in.mask().getDataType(), false); // [B, 1]
    return new TokenLoss(t.values(), t.keep() == null ? keep : t.keep().mul(keep), t.metrics());
  }
}
