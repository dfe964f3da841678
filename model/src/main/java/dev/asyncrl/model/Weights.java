package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.asyncrl.gpu.HostData;
import java.util.List;
import java.util.Map;

/**
 * The weights one forward reads: the model's parameters by name, plus low-rank adapters when LoRA is on.
 * {@link #linear} and {@link #project} are the one place a projection is computed, so an adapter applies
 * wherever its projection is used: {@code y = x·Wᵀ + b + (α/r)·dropout(x)·Aᵀ·Bᵀ} (Hu et al. 2021; the
 * adapter names follow PEFT: {@code <projection>.lora_A.weight [r, in]}, {@code <projection>.lora_B.weight
 * [out, r]}).
 */
public final class Weights {

  private final Map<String, NDArray> params;
  private final Map<String, NDArray> adapters;
  private final Map<String, DecodingLayout.Group> groups;
  private final double scale;
  private final float dropout;

  /**
   * @param adapters empty when LoRA is off
   * @param groups   the fused projection groups of a policy laid out for decoding, by first member; else empty
   * @param dropout  applied to the adapter input; 0 outside training
   */
  Weights(Map<String, NDArray> params, Map<String, NDArray> adapters, Map<String, DecodingLayout.Group> groups,
      double scale, float dropout) {
    this.params = params;
    this.adapters = adapters;
    this.groups = groups;
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
    return withAdapter(y, x, prefix);
  }

  /**
   * Several projections of the same input (a layer's q, k and v): one matrix product when the policy is laid
   * out for decoding with these projections as one group, otherwise one {@link #linear} each. The result is
   * the same either way.
   */
  public NDArray[] project(NDArray x, String... prefixes) {
    DecodingLayout.Group group = groups.get(prefixes[0]);
    NDArray[] out = new NDArray[prefixes.length];
    if (group == null || !group.members().equals(List.of(prefixes))) {
      for (int i = 0; i < prefixes.length; i++) {
        out[i] = linear(x, prefixes[i]);
      }
      return out;
    }
    NDArray y = x.matMul(group.matrix());                                                  // [.., Σ out]
    if (group.bias() != null) {
      y = y.add(group.bias());
    }
    NDList parts = y.split(group.splits(), y.getShape().dimension() - 1);
    for (int i = 0; i < prefixes.length; i++) {
      out[i] = withAdapter(parts.get(i), x, prefixes[i]);
    }
    return out;
  }

  private NDArray withAdapter(NDArray y, NDArray x, String prefix) {
    NDArray a = adapters.get(prefix + ".lora_A.weight");
    if (a == null) {
      return y;
    }
    NDArray in = dropout > 0 ? x.getNDArrayInternal().dropout(x, dropout, true).get(0) : x;
    NDArray low = in.getNDArrayInternal().linear(in, a, null).singletonOrThrow();          // [.., r]
    NDArray up = low.getNDArrayInternal().linear(low, adapters.get(prefix + ".lora_B.weight"), null).singletonOrThrow();
    return y.add(HostData.times(up, scale));
  }
}
