package dev.asyncrl.gpu;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Per-thread engine settings. Autograd mode is thread-local in PyTorch: a rollout thread that does not turn
 * it off silently records graphs on trainable weights (STACK.md, pitfall 3).
 */
public final class ComputeThread {
  private ComputeThread() {}

  /** Call first on every sampling/inference thread, and on the trainer thread outside backward. */
  public static void inferenceOnly() {
    Autograd.setEnabled(false);
  }

  /** Sets the PyTorch intra-op thread count (process-wide). */
  public static void setIntraOpThreads(int threads) {
    Autograd.setEnabled(JniUtils.isGradMode()); // ensures the engine is loaded
    JniUtils.setNumThreads(threads);
  }
}
