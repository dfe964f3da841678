package dev.asyncrl.algorithms;

import ai.djl.ndarray.NDArray;

/**
 * Per-token tensors for one optimizer mini-batch of {@code B} responses padded to {@code T} tokens, all in
 * one float dtype.
 *
 * @param logProbs          {@code ℓθ [B, T]}, current policy, carries the gradient
 * @param currentValues     {@code sg(ℓθ) [B, T]}: the same values without gradient; weights computed from the
 *                          current policy (sequence IS) use it
 * @param proximalLogProbs  {@code ℓold [B, T]}, the policy before this step's first update, frozen
 * @param behaviourLogProbs {@code ℓμ [B, T]}, recorded by the rollout worker
 * @param referenceLogProbs {@code ℓref [B, T]} of the frozen reference model, or null when KL is off
 * @param entropy           {@code H [B, T]}, the entropy of the current policy's next-token distribution at each
 *                          position, carries the gradient; null when the entropy bonus is off
 * @param advantages        {@code A [B, 1]} (outcome advantage)
 * @param mask              {@code m [B, T]}, 1 for trained tokens
 * @param maxResponseLen    {@code C} for {@code seq-mean-token-sum-norm}: the configured response length limit
 * @param miniBatchSize     the configured number of sequences per update (LOOP's fixed divisor)
 */
public record LossInputs(NDArray logProbs, NDArray currentValues, NDArray proximalLogProbs,
    NDArray behaviourLogProbs, NDArray referenceLogProbs, NDArray entropy, NDArray advantages, NDArray mask,
    int maxResponseLen, int miniBatchSize) {}
