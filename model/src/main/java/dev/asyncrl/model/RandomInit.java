package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.gpu.HostData;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/** Fresh weights drawn on the host from a seeded generator (the same values on every device and process). */
public final class RandomInit {
  private RandomInit() {}

  /** N(0, std²) entries of {@code shape}, as {@code dtype}, owned by {@code m}. */
  public static NDArray normal(NDManager m, SplittableRandom rng, double std, DataType dtype, Shape shape) {
    return draw(m, () -> rng.nextGaussian() * std, dtype, shape);
  }

  /** U(−bound, bound) entries of {@code shape}, as {@code dtype}, owned by {@code m}. */
  public static NDArray uniform(NDManager m, SplittableRandom rng, double bound, DataType dtype, Shape shape) {
    return draw(m, () -> rng.nextDouble(-bound, bound), dtype, shape);
  }

  private static NDArray draw(NDManager m, DoubleSupplier value, DataType dtype, Shape shape) {
    double[] v = new double[Math.toIntExact(shape.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = value.getAsDouble();
    }
    try (NDArray d = HostData.own(m.create(v, shape))) { // the float64 staging copy is freed at once
      return d.toType(dtype, true);
    }
  }
}
