package dev.asyncrl.gpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Arrays made from Java data, and arithmetic with Java numbers. */
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

  /**
   * {@code x · c}. DJL's {@code x.mul(c)} makes {@code c} an array from Java data and closes it at once, while the
   * backward pass of a product keeps that array to read later: a garbage collection in between frees it, and the
   * gradient through {@code x} is then scaled by whatever the freed memory holds (seen as 0). Every product or
   * quotient with a number on a path the loss differentiates goes through here or {@link #dividedBy}.
   */
  public static NDArray times(NDArray x, double c) {
    try (NDArray s = scalar(x, c)) {
      return x.mul(s);
    }
  }

  /** {@code x / c}, safe for the backward pass as {@link #times} is. */
  public static NDArray dividedBy(NDArray x, double c) {
    try (NDArray s = scalar(x, c)) {
      return x.div(s);
    }
  }

  /**
   * {@code c} as a 0-dimensional array of {@code like}'s type and device, in memory the engine owns: filled on the
   * device in the model's type (no host copy), or, in float64, made exactly from the double.
   */
  private static NDArray scalar(NDArray like, double c) {
    DataType type = like.getDataType();
    return type == DataType.FLOAT64 ? own(like.getManager().create(c))
        : like.getManager().full(new Shape(), (float) c, type);
  }
}
