package dev.asyncrl.algorithms;

import ai.djl.ndarray.NDArray;

/** Reductions over the trained tokens of a mini-batch, for metrics. */
final class Masked {
  private Masked() {}

  /** {@code Σ m·x / max(Σ m, 1)}, detached; 0 for a batch without trained tokens. */
  static NDArray mean(NDArray x, NDArray mask) {
    return x.stopGradient().mul(mask).sum().div(mask.sum().maximum(1));
  }
}
