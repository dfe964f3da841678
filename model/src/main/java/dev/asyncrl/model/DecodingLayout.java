package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weight layout of a policy that is only sampled from (a rollout worker's own copy): every projection
 * matrix is stored transposed, {@code [in, out]}, so {@code x·Wᵀ} is a plain product (BLAS libraries are
 * markedly faster at decode-sized products in this layout), and the projections that read the same input
 * (see {@link Architecture#decodingGroups}) are stored side by side as one matrix, so a layer's q, k and v
 * are one product instead of three.
 *
 * <p>The parameters stay what they were to every other reader: each becomes a view of its columns of the
 * group's matrix, with its Hugging Face name and {@code [out, in]} shape, so checkpoints, weight hand-off
 * and LoRA see no difference, and a weight written in place is written into the group. The values are the
 * same; only the summation order inside a product may differ, by float rounding.
 */
final class DecodingLayout {
  private DecodingLayout() {}

  /**
   * Projections computed together: {@code matrix} is {@code [in, Σ out]}; {@code bias} {@code [Σ out]} when
   * every member has one, else null (no member has one).
   */
  record Group(List<String> members, NDArray matrix, NDArray bias, long[] splits) {}

  /** Re-lays out {@code params} (owned by {@code manager}) in place; returns the groups by first member. */
  static Map<String, Group> apply(Architecture architecture, NDManager manager, Map<String, NDArray> params) {
    Map<String, Group> groups = new LinkedHashMap<>();
    for (List<String> members : architecture.decodingGroups()) {
      long biased = members.stream().filter(p -> params.containsKey(p + ".bias")).count();
      if (biased != 0 && biased != members.size()) {
        for (String single : members) { // a shared bias needs every member to have one
          groups.put(single, fuse(List.of(single), manager, params));
        }
      } else {
        groups.put(members.get(0), fuse(members, manager, params));
      }
    }
    return Collections.unmodifiableMap(groups);
  }

  private static Group fuse(List<String> members, NDManager manager, Map<String, NDArray> params) {
    List<NDArray> weights = new ArrayList<>();
    for (String prefix : members) {
      NDArray w = params.get(prefix + ".weight");
      if (w == null || w.getShape().dimension() != 2) {
        throw new IllegalStateException("decoding group " + members + ": no matrix '" + prefix + ".weight'");
      }
      weights.add(w);
    }
    long in = weights.get(0).getShape().get(1);
    long total = 0;
    long[] splits = new long[members.size() - 1];
    for (int i = 0; i < weights.size(); i++) {
      if (weights.get(i).getShape().get(1) != in) {
        throw new IllegalStateException("decoding group " + members + " reads inputs of different sizes");
      }
      total += weights.get(i).getShape().get(0);
      if (i < splits.length) {
        splits[i] = total;
      }
    }
    NDArray matrix = manager.zeros(new Shape(in, total), weights.get(0).getDataType());
    boolean biased = params.containsKey(members.get(0) + ".bias");
    NDArray bias = biased ? manager.zeros(new Shape(total), weights.get(0).getDataType()) : null;
    NDScope.unregister(matrix);
    if (bias != null) {
      NDScope.unregister(bias);
    }
    long at = 0;
    for (int i = 0; i < members.size(); i++) {
      NDArray w = weights.get(i);
      long out = w.getShape().get(0);
      NDIndex columns = new NDIndex(":, {}:{}", at, at + out);
      try (NDArray wt = w.transpose()) {
        matrix.set(columns, wt);
      }
      try (NDArray slice = matrix.get(columns)) {
        w.intern(slice.transpose()); // w now reads and writes its columns of the group's matrix
      }
      if (bias != null) {
        NDArray b = params.get(members.get(i) + ".bias");
        NDIndex range = new NDIndex("{}:{}", at, at + out);
        bias.set(range, b);
        b.intern(bias.get(range));
      }
      at += out;
    }
    return new Group(List.copyOf(members), matrix, bias, splits);
  }
}
