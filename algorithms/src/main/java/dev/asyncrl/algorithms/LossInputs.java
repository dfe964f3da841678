package dev.asyncrl.algorithms;

import ai.djl.ndarray.NDArray;

/**
 * Per-token tensors for one mini-batch of {@code B} responses padded to {@code T} tokens.
 *
 * @param logProbs          {@code ℓθ [B, T]}, current policy, carries the gradient
 * @param behaviourLogProbs {@code ℓμ [B, T]}, recorded by the rollout worker
 * @param advantages        {@code A [B, 1]} (outcome advantage) or {@code [B, T]}
 * @param mask              {@code m [B, T]}, 1 for trained tokens, same dtype as logProbs
 * @param maxResponseLen    {@code C}, the configured response length limit
 */
public record LossInputs(NDArray logProbs, NDArray behaviourLogProbs, NDArray advantages, NDArray mask,
    int maxResponseLen) {}
