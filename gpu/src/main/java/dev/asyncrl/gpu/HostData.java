package dev.asyncrl.gpu;

import ai.djl.ndarray.NDArray;

/** Arrays made from Java data. */
public final class HostData {
  private HostData() {}

  /**
   * {@code fromJava} (an array just made from Java data, e.g. {@code manager.create(float[], shape)}) in memory the
   * engine owns. On the CPU, DJL's PyTorch engine makes such an array as a view of a direct buffer that only that
   * Java object keeps alive. Once it is closed, the garbage collector may free the buffer while a tensor that
   * shares it (a same-type conversion, a view, a value autograd saved for the backward pass) still reads it: the
   * values change under the computation, at the collector's whim. There it is copied and {@code fromJava} closed;
   * on a GPU the engine has already copied the data to the device, and {@code fromJava} is returned as it is.
   */
  public static NDArray own(NDArray fromJava) {
    if (fromJava.getDevice().isGpu()) {
      return fromJava;
    }
    try (fromJava) {
      return fromJava.duplicate();
    }
  }
}
