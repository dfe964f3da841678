package dev.asyncrl.gpu;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.concurrent.locks.ReentrantLock;

/** Engine-level autograd switches that DJL's public API does not expose. */
public final class Autograd {
  private Autograd() {}

  static {
    Engine.getEngine("PyTorch"); // loads the native library before any JniUtils call
  }

  private static final ReentrantLock ONE_COLLECTOR = new ReentrantLock(true);

  /**
   * Opens a gradient collector. DJL's PyTorch engine allows one open collector per process, so trainers that share
   * a process (the runs of a parallel sweep) take turns: this waits while another trainer's collector is open.
   */
  public static GradientCollector collector() {
    ONE_COLLECTOR.lock();
    GradientCollector gc;
    try {
      gc = Engine.getInstance().newGradientCollector();
    } catch (RuntimeException | Error e) {
      ONE_COLLECTOR.unlock();
      throw e;
    }
    return new GradientCollector() {
      @Override
      public void backward(NDArray target) {
        gc.backward(target);
      }

      @Override
      public void zeroGradients() {
        gc.zeroGradients();
      }

      @Override
      public void close() {
        try {
          gc.close();
        } finally {
          ONE_COLLECTOR.unlock();
        }
      }
    };
  }

  /**
   * Back-propagates {@code outputGradient} (dL/d{@code output}, same shape) from {@code output}: the parameters'
   * gradients grow by J^T·{@code outputGradient}. Must run inside an open {@link #collector()}.
   */
  public static void backward(NDArray output, NDArray outputGradient) {
    JniUtils.backward((PtNDArray) output, (PtNDArray) outputGradient, false, false);
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
