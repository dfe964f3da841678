package dev.asyncrl.algorithms;

import ai.djl.ndarray.NDArray;
import dev.asyncrl.gpu.HostData;

/**
 * How per-token losses {@code ℓ [B, T]} become one number, over the whole mini-batch (the modes verl and
 * Dr. GRPO name token-mean, seq-mean-token-mean, seq-mean-token-sum and seq-mean-token-sum-norm, and LOOP's
 * fixed divisor). Masked tokens ({@code m = 0}) never count. A batch without any unmasked
 * token gives 0.
 */
public enum LossAggregation implements dev.asyncrl.core.config.ValueType.Named {
  /** {@code Σ m·ℓ / Σ m}. */
  TOKEN_MEAN("token-mean"),
  /** Mean over sequences with {@code L_i > 0} of {@code Σ_t m·ℓ / L_i}. */
  SEQ_MEAN_TOKEN_MEAN("seq-mean-token-mean"),
  /** Mean over sequences with {@code L_i > 0} of {@code Σ_t m·ℓ}. */
  SEQ_MEAN_TOKEN_SUM("seq-mean-token-sum"),
  /** {@code Σ m·ℓ / C}, C the maximum response length (Dr.GRPO). */
  SEQ_MEAN_TOKEN_SUM_NORM("seq-mean-token-sum-norm"),
  /** {@code Σ_i (Σ_t m·ℓ / L_i) / B_cfg}, B_cfg the configured mini-batch size, whatever was filtered (LOOP). */
  SEQ_MEAN_TOKEN_MEAN_FIXED("seq-mean-token-mean-fixed");

  private final String configName;

  LossAggregation(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }



  /**
   * @param tokenLoss      {@code ℓ [B, T]}
   * @param mask           {@code m [B, T]} in {0, 1}, same dtype
   * @param maxResponseLen {@code C} for {@link #SEQ_MEAN_TOKEN_SUM_NORM}
   * @param miniBatchSize  {@code B_cfg} for {@link #SEQ_MEAN_TOKEN_MEAN_FIXED}
   * @return a scalar
   */
  public NDArray aggregate(NDArray tokenLoss, NDArray mask, int maxResponseLen, int miniBatchSize) {
    NDArray masked = tokenLoss.mul(mask);                                   // [B, T]
    return switch (this) {
      case TOKEN_MEAN -> masked.sum().div(mask.sum().maximum(1));
      case SEQ_MEAN_TOKEN_SUM_NORM -> HostData.dividedBy(masked.sum(), maxResponseLen);
      case SEQ_MEAN_TOKEN_MEAN_FIXED -> HostData.dividedBy(
          masked.sum(new int[] {1}).div(mask.sum(new int[] {1}).maximum(1)).sum(), miniBatchSize);
      case SEQ_MEAN_TOKEN_MEAN, SEQ_MEAN_TOKEN_SUM -> {
        NDArray lengths = mask.sum(new int[] {1});                           // [B]
        NDArray seqLoss = masked.sum(new int[] {1});                         // [B]
        if (this == SEQ_MEAN_TOKEN_MEAN) {
          seqLoss = seqLoss.div(lengths.maximum(1));
        }
        NDArray present = lengths.gt(0).toType(tokenLoss.getDataType(), false); // [B]
        yield seqLoss.mul(present).sum().div(present.sum().maximum(1));
      }
    };
  }
}
