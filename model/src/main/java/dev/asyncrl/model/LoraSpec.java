package dev.asyncrl.model;

import java.util.List;

/**
 * Low-rank adapters (Hu et al. 2021): every projection whose last name component is in {@code targets}
 * gets {@code A [r, in]} (uniform ±1/√in, as PEFT initialises it) and {@code B [out, r]} (zeros, so the
 * adapted model starts exactly at the base model); the update is scaled by {@code alpha / rank}.
 */
public record LoraSpec(int rank, double alpha, double dropout, List<String> targets) {

  public LoraSpec {
    if (rank <= 0) {
      throw new IllegalArgumentException("LoRA rank must be > 0, got " + rank);
    }
    targets = List.copyOf(targets);
  }

  public double scale() {
    return alpha / rank;
  }

  /** Whether the projection called {@code prefix} (e.g. {@code model.layers.0.self_attn.q_proj}) is a target. */
  public boolean targets(String prefix) {
    return targets.contains(prefix.substring(prefix.lastIndexOf('.') + 1));
  }
}
