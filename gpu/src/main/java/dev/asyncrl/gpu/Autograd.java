package dev.asyncrl.gpu;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** Engine-level autograd switches that DJL's public API does not expose. */
public final class Autograd {
  private Autograd() {}

  static {
    Engine.getEngine("PyTorch"); // loads the native library before any JniUtils call
  }

  /** Autograd mode of the calling thread (PyTorch keeps it per thread). */
  public static void setEnabled(boolean enabled) {
    JniUtils.setGradMode(enabled);
  }

  /** Zeroes the accumulated gradient of a trainable array (gradients accumulate across backward calls). */
  public static void zeroGradient(NDArray parameter) {
    JniUtils.zeroGrad((PtNDArray) parameter);
  }
}
