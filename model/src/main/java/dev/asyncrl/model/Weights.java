package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * The weights one forward reads: the model's parameters by name, plus low-rank adapters when LoRA is on.
 * {@link #linear} is the one place a projection is computed, so an adapter applies wherever its projection
 * is used: {@code y = x·Wᵀ + b + (α/r)·dropout(x)·Aᵀ·Bᵀ} (Hu et al. 2021; the adapter names follow PEFT:
 * {@code <projection>.lora_A.weight [r, in]}, {@code <projection>.lora_B.weight [out, r]}).
 */
public final class Weights {

  private final Map<String, NDArray> params;
  private final Map<String, NDArray> adapters;
  private final double scale;
  private final float dropout;

  /**
   * @param adapters empty when LoRA is off
   * @param dropout  applied to the adapter input; 0 outside training
   */
  Weights(Map<String, NDArray> params, Map<String, NDArray> adapters, double scale, float dropout) {
    this.params = params;
    this.adapters = adapters;
    this.scale = scale;
    this.dropout = dropout;
  }

  /** The parameter called {@code name}. */
  public NDArray get(String name) {
    NDArray a = params.get(name);
    if (a == null) {
      throw new IllegalStateException("the model has no parameter '" + name + "'");
    }
    return a;
  }

  /** Projection {@code prefix}: {@code prefix.weight}, {@code prefix.bias} if present, and its adapter if any. */
  public NDArray linear(NDArray x, String prefix) {
    NDArray y = x.getNDArrayInternal().linear(x, get(prefix + ".weight"), params.get(prefix + ".bias")).singletonOrThrow();
    NDArray a = adapters.get(prefix + ".lora_A.weight");
    if (a == null) {
      return y;
    }
    NDArray in = dropout > 0 ? x.getNDArrayInternal().dropout(x, dropout, true).get(0) : x;
    NDArray low = in.getNDArrayInternal().linear(in, a, null).singletonOrThrow();          // [.., r]
    NDArray up = low.getNDArrayInternal().linear(low, adapters.get(prefix + ".lora_B.weight"), null).singletonOrThrow();
    return y.add(up.mul(scale));
  }
}
