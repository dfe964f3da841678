package dev.asyncrl.algorithms;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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

  /** Token-mean loss of one response with ratios r_t = πθ/πold and advantage {@code adv}. */
  double loss(PolicyLoss loss, double adv, double[] ratios, double[] mask) {
    return tokenMean(loss, adv, ratios, mask).loss().getDouble();
  }

  LossResult tokenMean(PolicyLoss loss, double adv, double[] ratios, double[] mask) {
    double[] logp = new double[ratios.length];
    for (int i = 0; i < ratios.length; i++) {
      logp[i] = Math.log(ratios[i]);
    }
    double[] zero = new double[ratios.length];
    Fixture.Batch b = new Fixture.Batch(1, ratios.length, logp, zero, zero, null, new double[] {adv}, mask,
        ratios.length, 1);
    Algorithm a = new Algorithm("t", GroupFilter.NONE, null, loss, LossAggregation.TOKEN_MEAN, KlPenalty.OFF,
        EntropyBonus.OFF, LearningRateScaling.NONE);
    return a.objective(b.inputs(m));
  }

  @Test
  void positiveAdvantageClipsLargeRatiosOnly() {
    // r = (1.5, 0.5, 1.1), A = 1: max(−r, −clamp(r, .8, 1.2)) = (−1.2, −0.5, −1.1)
    PpoClipLoss ppo = new PpoClipLoss(0.2, 0.2, 0);
    LossResult all = tokenMean(ppo, 1, new double[] {1.5, 0.5, 1.1}, new double[] {1, 1, 1});
    assertEquals(-2.8 / 3, all.loss().getDouble(), 1e-9);
    assertEquals(1.0 / 3, all.metrics().get("loss/clip_frac").getDouble(), 1e-9);
    assertEquals(-1.7 / 2, loss(ppo, 1, new double[] {1.5, 0.5, 1.1}, new double[] {1, 1, 0}), 1e-9);
  }

  @Test
  void negativeAdvantageClipsSmallRatiosAndDualClipCapsTheLoss() {
    // A = −1: max(r, clamp(r)) = (1.5, 0.8, 1.1); dual clip c = 1.3 caps at 1.3
    assertEquals(3.4 / 3, loss(new PpoClipLoss(0.2, 0.2, 0), -1, new double[] {1.5, 0.5, 1.1}, new double[] {1, 1, 1}), 1e-9);
    assertEquals(3.2 / 3, loss(new PpoClipLoss(0.2, 0.2, 1.3), -1, new double[] {1.5, 0.5, 1.1}, new double[] {1, 1, 1}), 1e-9);
  }

  @Test
  void clipHigherWidensOnlyTheUpperBound() {
    // ε_high = 0.28: r = 1.25 is not clipped any more for A > 0
    PpoClipLoss dapo = new PpoClipLoss(0.2, 0.28, 0);
    assertEquals(-1.25, loss(dapo, 1, new double[] {1.25}, new double[] {1}), 1e-9);
    assertEquals(0.8, loss(dapo, -1, new double[] {0.5}, new double[] {1}), 1e-9);
  }

  @Test
  void loopClipRangeIsOneOverOnePlusEpsToOnePlusEps() {
    // ε = 0.1: [1/1.1, 1.1]; A = −1 takes max(r, clamp(r)) so r = 0.5 becomes 1/1.1; A = 1, r = 2 becomes 1.1
    PpoClipLoss loop = PpoClipLoss.loop(0.1);
    assertEquals(1 / 1.1, loss(loop, -1, new double[] {0.5}, new double[] {1}), 1e-12);
    assertEquals(-1.1, loss(loop, 1, new double[] {2}, new double[] {1}), 1e-12);
    assertEquals(0, loop.dualClip());
  }

  @Test
  void overflowingRatiosAreClampedNotInfinite() {
    double huge = loss(new PpoClipLoss(0.2, 0.2, 0), -1, new double[] {Math.exp(80)}, new double[] {1});
    assertEquals(Math.exp(20), huge, Math.exp(20) * 1e-9);
  }

  @Test
  void gradientMatchesFiniteDifferencesForEveryAggregation() {
    Fixture.Batch batch = LossBatches.random(3, 5, 11);
    for (LossAggregation agg : LossAggregation.values()) {
      Algorithm a = new Algorithm("t", GroupFilter.NONE, null, new PpoClipLoss(0.2, 0.28, 3), agg, KlPenalty.OFF,
          EntropyBonus.OFF, LearningRateScaling.NONE);
      Fixture.assertGradientMatchesFiniteDifferences(batch, in -> a.objective(in).loss(), agg.configName());
    }
  }

  @Test
  void clipFractionCountsOnlyTrainedTokens() {
    NDArray frac = tokenMean(new PpoClipLoss(0.2, 0.2, 0), 1, new double[] {1.5, 1.5}, new double[] {1, 0})
        .metrics().get("loss/clip_frac");
    assertEquals(1.0, frac.getDouble(), 1e-12);
    assertEquals(new Shape(), frac.getShape());
  }
}
