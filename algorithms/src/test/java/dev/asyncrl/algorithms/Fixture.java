package dev.asyncrl.algorithms;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.asyncrl.gpu.FreedMemory;
import java.util.function.Function;

/** Float64 loss inputs from plain arrays, and a finite-difference gradient check, for the loss tests. */
final class Fixture {
  private Fixture() {}

  static final AlgorithmRegistry REGISTRY = AlgorithmRegistry.builtIn();

  /** An algorithm built from YAML under {@code algorithm:}, e.g. {@code "{name: vcpo, is_cap: 4}"}. */
  static Algorithm algorithm(String algorithmYaml) {
    return REGISTRY.fromYaml(algorithmYaml);
  }

  /**
   * Per-token values {@code [b, t]} of one mini-batch; {@code current} is ℓθ, also used frozen as sg(ℓθ).
   * Null {@code reference} = no reference model.
   */
  record Batch(int b, int t, double[] current, double[] proximal, double[] behaviour, double[] reference,
      double[] advantages, double[] mask, int maxResponseLen, int miniBatchSize) {

    LossInputs inputs(NDManager m) {
      return inputs(m, m.create(current, new Shape(b, t)));
    }

    /** Inputs whose ℓθ is {@code logProbs} while sg(ℓθ) stays at {@code current}. */
    LossInputs inputs(NDManager m, NDArray logProbs) {
      return new LossInputs(logProbs, m.create(current, new Shape(b, t)), m.create(proximal, new Shape(b, t)),
          m.create(behaviour, new Shape(b, t)), reference == null ? null : m.create(reference, new Shape(b, t)),
          null, m.create(advantages, new Shape(b, 1)), m.create(mask, new Shape(b, t)), maxResponseLen, miniBatchSize);
    }
  }

  static double value(NDArray scalar) {
    return scalar.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
  }

  /**
   * Asserts that autograd's gradient of {@code objective} in ℓθ equals central finite differences, with every
   * detached quantity (sg(ℓθ), ℓold, ℓμ, ℓref) held at its value: the surrogate's defining gradient. A
   * garbage collection runs between the forward and the backward pass, which must not change the gradient.
   */
  static void assertGradientMatchesFiniteDifferences(Batch batch, Function<LossInputs, NDArray> objective,
      String what) {
    double[] analytic;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(batch.current(), new Shape(batch.b(), batch.t()));
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = objective.apply(batch.inputs(m, x));
        FreedMemory.collectAndReuse(m);                                    // as a busy trainer's JVM may, here
        gc.backward(loss);
      }
      analytic = x.getGradient().toDoubleArray();
    }
    double h = 1e-6;
    for (int i = 0; i < batch.current().length; i++) {
      double[] plus = batch.current().clone();
      double[] minus = batch.current().clone();
      plus[i] += h;
      minus[i] -= h;
      double numeric;
      try (NDManager m = NDManager.newBaseManager()) {
        numeric = (value(objective.apply(batch.inputs(m, m.create(plus, new Shape(batch.b(), batch.t())))))
            - value(objective.apply(batch.inputs(m, m.create(minus, new Shape(batch.b(), batch.t())))))) / (2 * h);
      }
      org.junit.jupiter.api.Assertions.assertEquals(numeric, analytic[i], 1e-6 * Math.max(1, Math.abs(numeric)),
          what + ": d/dℓθ at token " + i);
    }
  }
}
