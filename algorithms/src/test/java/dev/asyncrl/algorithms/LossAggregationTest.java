package dev.asyncrl.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class LossAggregationTest {

  // ℓ = [[1,2,3],[4,0,0],[5,5,5]], m = [[1,1,0],[1,0,0],[0,0,0]]; masked sums 3 and 4, lengths 2, 1, 0
  double aggregate(LossAggregation a, double[] loss, double[] mask, int rows) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray l = m.create(loss, new Shape(rows, 3));
      NDArray k = m.create(mask, new Shape(rows, 3));
      return a.aggregate(l, k, 3, 4).getDouble();
    }
  }

  static final double[] LOSS = {1, 2, 3, 4, 0, 0, 5, 5, 5};
  static final double[] MASK = {1, 1, 0, 1, 0, 0, 0, 0, 0};

  @Test
  void eachAggregationMatchesItsFormula() {
    assertEquals(7.0 / 3, aggregate(LossAggregation.TOKEN_MEAN, LOSS, MASK, 3), 1e-12);
    assertEquals((1.5 + 4) / 2, aggregate(LossAggregation.SEQ_MEAN_TOKEN_MEAN, LOSS, MASK, 3), 1e-12);
    assertEquals((3.0 + 4) / 2, aggregate(LossAggregation.SEQ_MEAN_TOKEN_SUM, LOSS, MASK, 3), 1e-12);
    assertEquals(7.0 / 3, aggregate(LossAggregation.SEQ_MEAN_TOKEN_SUM_NORM, LOSS, MASK, 3), 1e-12);
    // LOOP: per-sequence token means 1.5 and 4, summed, over the configured 4 sequences (not the 2 present)
    assertEquals((1.5 + 4) / 4, aggregate(LossAggregation.SEQ_MEAN_TOKEN_MEAN_FIXED, LOSS, MASK, 3), 1e-12);
  }

  @Test
  void aBatchWithoutTrainedTokensGivesZeroNotNaN() {
    double[] none = new double[9];
    for (LossAggregation a : LossAggregation.values()) {
      assertEquals(0.0, aggregate(a, LOSS, none, 3), a.name());
    }
  }
}
