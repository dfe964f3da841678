package dev.asyncrl.gpu;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Per-thread engine settings. Autograd mode is thread-local in PyTorch: a rollout thread that does not turn
 * it off silently records graphs on trainable weights.
 */
public final class ComputeThread {
  private ComputeThread() {}

  static {
    Engine.getEngine("PyTorch"); // loads the native library before any JniUtils call
  }

  /** Call first on every sampling/inference thread, and on the trainer thread outside backward. */
  public static void inferenceOnly() {
    Autograd.setEnabled(false);
  }

  /** Sets the PyTorch intra-op thread count (process-wide). */
  public static void setIntraOpThreads(int threads) {
    JniUtils.setNumThreads(threads);
  }
}
