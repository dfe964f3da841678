package dev.asyncrl.algorithms;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * @param values  {@code ℓ [B, T]}, the surrogate per token (masked tokens are ignored by aggregation)
 * @param keep    {@code [B, T]} or {@code [B, 1]} in {0, 1}: tokens the loss excludes (LOOP's |A| filter,
 *                decoupled PPO's {@code mask} action) while the aggregation denominator stays the original
 *                token count; null = keep all
 * @param metrics detached diagnostics by metric name, e.g. {@code loss/clip_frac}
 */
public record TokenLoss(NDArray values, NDArray keep, Map<String, NDArray> metrics) {}
