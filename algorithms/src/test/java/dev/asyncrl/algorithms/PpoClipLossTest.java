package dev.asyncrl.algorithms;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PpoClipLossTest {

  NDManager m;

  @BeforeEach
  void open() {
    m = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    m.close();
  }

  NDArray row(double... v) {
    return m.create(v, new Shape(1, v.length));
  }

  LossResult loss(PpoClipLoss loss, double adv, double[] ratios, double[] mask) {
    double[] logp = new double[ratios.length];
    for (int i = 0; i < ratios.length; i++) {
      logp[i] = Math.log(ratios[i]);
    }
    return loss.compute(new LossInputs(row(logp), row(new double[ratios.length]), m.create(new double[] {adv},
        new Shape(1, 1)), row(mask), ratios.length));
  }

  @Test
  void positiveAdvantageClipsLargeRatiosOnly() {
    // r = (1.5, 0.5, 1.1), A = 1: max(−r, −clamp(r, .8, 1.2)) = (−1.2, −0.5, −1.1)
    PpoClipLoss ppo = new PpoClipLoss(0.2, 0.2, 0, LossAggregation.TOKEN_MEAN);
    LossResult all = loss(ppo, 1, new double[] {1.5, 0.5, 1.1}, new double[] {1, 1, 1});
    assertEquals(-2.8 / 3, all.loss().getDouble(), 1e-9);
    assertEquals(1.0 / 3, all.metrics().get("loss/clip_frac").getDouble(), 1e-9);
    LossResult masked = loss(ppo, 1, new double[] {1.5, 0.5, 1.1}, new double[] {1, 1, 0});
    assertEquals(-1.7 / 2, masked.loss().getDouble(), 1e-9);
  }

  @Test
  void negativeAdvantageClipsSmallRatiosAndDualClipCapsTheLoss() {
    // A = −1: max(r, clamp(r)) = (1.5, 0.8, 1.1); dual clip c = 1.3 caps at 1.3
    PpoClipLoss plain = new PpoClipLoss(0.2, 0.2, 0, LossAggregation.TOKEN_MEAN);
    assertEquals(3.4 / 3, loss(plain, -1, new double[] {1.5, 0.5, 1.1}, new double[] {1, 1, 1}).loss().getDouble(), 1e-9);
    PpoClipLoss dual = new PpoClipLoss(0.2, 0.2, 1.3, LossAggregation.TOKEN_MEAN);
    assertEquals(3.2 / 3, loss(dual, -1, new double[] {1.5, 0.5, 1.1}, new double[] {1, 1, 1}).loss().getDouble(), 1e-9);
  }

  @Test
  void clipHigherWidensOnlyTheUpperBound() {
    // ε_high = 0.28: r = 1.25 is not clipped any more for A > 0
    PpoClipLoss dapo = new PpoClipLoss(0.2, 0.28, 0, LossAggregation.TOKEN_MEAN);
    assertEquals(-1.25, loss(dapo, 1, new double[] {1.25}, new double[] {1}).loss().getDouble(), 1e-9);
    assertEquals(0.8, loss(dapo, -1, new double[] {0.5}, new double[] {1}).loss().getDouble(), 1e-9);
  }

  @Test
  void klEstimateIsZeroOnPolicyAndPositiveOffPolicy() {
    PpoClipLoss ppo = new PpoClipLoss(0.2, 0.2, 0, LossAggregation.TOKEN_MEAN);
    assertEquals(0, loss(ppo, 1, new double[] {1, 1}, new double[] {1, 1}).metrics().get("loss/kl_behaviour").getDouble(), 1e-12);
    // k3 at r = 2: 2 − 1 − ln 2
    assertEquals(1 - Math.log(2), loss(ppo, 1, new double[] {2}, new double[] {1}).metrics().get("loss/kl_behaviour").getDouble(), 1e-9);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom rng = new SplittableRandom(11);
    int b = 3;
    int t = 5;
    double[] logp = new double[b * t];
    double[] old = new double[b * t];
    double[] mask = new double[b * t];
    for (int i = 0; i < logp.length; i++) {
      logp[i] = -1 - rng.nextDouble();
      old[i] = logp[i] + (rng.nextDouble() - 0.5) * 0.6; // ratios both inside and outside [0.8, 1.2]
      mask[i] = rng.nextDouble() < 0.8 ? 1 : 0;
    }
    double[] adv = {1.3, -0.7, 0.4};
    for (LossAggregation agg : LossAggregation.values()) {
      PpoClipLoss loss = new PpoClipLoss(0.2, 0.28, 3, agg);
      double[] analytic;
      try (NDManager local = m.newSubManager()) {
        NDArray x = local.create(logp, new Shape(b, t));
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray l = evaluate(loss, local, x, old, adv, mask, b, t);
          gc.backward(l);
        }
        analytic = x.getGradient().toDoubleArray();
      }
      double h = 1e-6;
      for (int i = 0; i < logp.length; i++) {
        double[] plus = logp.clone();
        double[] minus = logp.clone();
        plus[i] += h;
        minus[i] -= h;
        double numeric;
        try (NDManager local = m.newSubManager()) {
          numeric = (evaluate(loss, local, local.create(plus, new Shape(b, t)), old, adv, mask, b, t).getDouble()
              - evaluate(loss, local, local.create(minus, new Shape(b, t)), old, adv, mask, b, t).getDouble()) / (2 * h);
        }
        assertEquals(numeric, analytic[i], 1e-6, agg + " token " + i);
      }
    }
  }

  private static NDArray evaluate(PpoClipLoss loss, NDManager local, NDArray logp, double[] old, double[] adv,
      double[] mask, int b, int t) {
    return loss.compute(new LossInputs(logp, local.create(old, new Shape(b, t)),
        local.create(adv, new Shape(b, 1)), local.create(mask, new Shape(b, t)), t)).loss();
  }
}
