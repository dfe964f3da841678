package dev.asyncrl.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HostDataTest {

  enum Op {
    TIMES(HostData::times, 0.125),                                                           // d(x·c)/dx = c
    DIVIDED_BY(HostData::dividedBy, 8.0);                                                    // d(x/c)/dx = 1/c

    final BiFunction<NDArray, Double, NDArray> apply;
    final double c;

    Op(BiFunction<NDArray, Double, NDArray> apply, double c) {
      this.apply = apply;
      this.c = c;
    }
  }

  /**
   * DJL's own {@code x.mul(0.125)} gives the gradient 0 here in every one of 200 tries: its number is gone by the
   * backward pass. The engine-owned number survives a garbage collection and the reuse of freed memory.
   */
  @ParameterizedTest
  @EnumSource(Op.class)
  void theGradientThroughANumberSurvivesAGarbageCollectionBeforeTheBackwardPass(Op op) {
    for (DataType type : List.of(DataType.FLOAT32, DataType.FLOAT64)) {
      try (NDManager m = NDManager.newBaseManager()) {
        NDArray x = m.ones(new Shape(3), type);
        x.setRequiresGradient(true);
        for (int round = 0; round < 5; round++) {
          List<NDArray> reused;
          try (GradientCollector gc = Autograd.collector()) {
            NDArray y = op.apply.apply(x, op.c).sum();
            reused = FreedMemory.collectAndReuse(m);
            gc.backward(y);
          }
          reused.forEach(NDArray::close);
          assertArrayEquals(new double[] {0.125, 0.125, 0.125},
              x.getGradient().toType(DataType.FLOAT64, false).toDoubleArray(), 0,
              op + " in " + type + ", round " + round);
          Autograd.zeroGradient(x);
        }
      }
    }
  }
}
