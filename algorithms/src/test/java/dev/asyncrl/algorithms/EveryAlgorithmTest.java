package dev.asyncrl.algorithms;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** Properties every registered algorithm must have, checked through the registry with its defaults. */
class EveryAlgorithmTest {

  @Test
  void gradientMatchesFiniteDifferencesWithAndWithoutKl() {
    Fixture.Batch batch = LossBatches.random(3, 4, 5);
    for (String name : Fixture.REGISTRY.names()) {
      for (String kl : new String[] {"", ", kl_coef: 0.3, kl_estimator: k3", ", kl_coef: 0.2, kl_estimator: k2"}) {
        Algorithm a = Fixture.algorithm("{name: " + name + kl + "}");
        Fixture.assertGradientMatchesFiniteDifferences(batch, in -> a.objective(in).loss(), name + kl);
      }
    }
  }

  @Test
  void aBatchWithoutTrainedTokensGivesZeroLossNotNaN() {
    Fixture.Batch random = LossBatches.random(2, 3, 9);
    Fixture.Batch empty = new Fixture.Batch(2, 3, random.current(), random.proximal(), random.behaviour(),
        random.reference(), random.advantages(), new double[6], 3, 2);
    for (String name : Fixture.REGISTRY.names()) {
      Algorithm a = Fixture.algorithm("{name: " + name + ", kl_coef: 0.1}");
      try (NDManager m = NDManager.newBaseManager()) {
        LossResult r = a.objective(empty.inputs(m));
        assertEquals(0.0, r.loss().getDouble(), name);
        r.metrics().forEach((k, v) -> assertTrue(Double.isFinite(Fixture.value(v)), name + " " + k));
      }
    }
  }

  @Test
  void emptyResponsesContributeNothing() {
    // row 1 has no trained token; the loss equals that of row 0 alone for the per-sequence aggregations
    Fixture.Batch two = new Fixture.Batch(2, 2, new double[] {-1, -1, -1, -1}, new double[] {-1.1, -0.9, -1, -1},
        new double[] {-1.2, -0.8, -1, -1}, null, new double[] {0.7, 5}, new double[] {1, 1, 0, 0}, 2, 1);
    Fixture.Batch one = new Fixture.Batch(1, 2, new double[] {-1, -1}, new double[] {-1.1, -0.9},
        new double[] {-1.2, -0.8}, null, new double[] {0.7}, new double[] {1, 1}, 2, 1);
    for (String name : Fixture.REGISTRY.names()) {
      Algorithm a = Fixture.algorithm("{name: " + name + "}");
      try (NDManager m = NDManager.newBaseManager()) {
        assertEquals(a.objective(one.inputs(m)).loss().getDouble(), a.objective(two.inputs(m)).loss().getDouble(),
            1e-12, name);
      }
    }
  }
}
