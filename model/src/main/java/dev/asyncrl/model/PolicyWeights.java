package dev.asyncrl.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/** An immutable copy of a policy's parameters in its own native memory; closing it frees that memory. */
public record PolicyWeights(NDList arrays, NDManager owner) implements AutoCloseable {

  /** Copies {@code policy}'s parameters (autograd must be off on the calling thread). */
  public static PolicyWeights copyOf(TransformerPolicy policy) {
    NDManager owner = NDManager.newBaseManager(policy.device());
    return new PolicyWeights(policy.copyWeights(owner), owner);
  }

  @Override
  public void close() {
    owner.close();
  }
}
