package dev.asyncrl.algorithms;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Decoupled PPO, truncated sequence IS and the KL penalty against hand-computed numbers. */
class OffPolicyLossTest {

  NDManager m;

  @BeforeEach
  void open() {
    m = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    m.close();
  }

  static Algorithm with(PolicyLoss loss, LossAggregation agg, KlPenalty kl) {
    return new Algorithm("t", GroupFilter.NONE, null, loss, agg, kl, EntropyBonus.OFF, LearningRateScaling.NONE);
  }

  @Test
  void decoupledPpoWeightsTokensByBehaviourWeightAndMasksAboveUpper() {
    // ℓθ = ℓold (ratio 1), behaviour weights exp(ℓold − ℓμ) = (2, 6, 0.5), A = 1
    double[] old = {-1, -1, -1};
    double[] mu = {-1 - Math.log(2), -1 - Math.log(6), -1 + Math.log(2)};
    Fixture.Batch b = new Fixture.Batch(1, 3, old, old, mu, null, new double[] {1}, new double[] {1, 1, 1}, 3, 1);
    PpoClipLoss clip = new PpoClipLoss(0.2, 0.2, 0);
    LossResult masked = with(new DecoupledPpoLoss(clip, 5, DecoupledPpoLoss.Action.MASK), LossAggregation.TOKEN_MEAN,
        KlPenalty.OFF).objective(b.inputs(m));
    assertEquals(-2.5 / 3, masked.loss().getDouble(), 1e-9, "the masked token still counts in the denominator");
    assertEquals(1.0 / 3, masked.metrics().get("loss/filtered_token_frac").getDouble(), 1e-9);
    LossResult clamped = with(new DecoupledPpoLoss(clip, 5, DecoupledPpoLoss.Action.CLAMP), LossAggregation.TOKEN_MEAN,
        KlPenalty.OFF).objective(b.inputs(m));
    assertEquals(-7.5 / 3, clamped.loss().getDouble(), 1e-9);
    assertEquals(0.0, clamped.metrics().get("loss/filtered_token_frac").getDouble(), 1e-12);
  }

  @Test
  void truncatedIsWeightsEachSequenceByItsCappedLikelihoodRatio() {
    // row 0: one token with ℓθ − ℓμ = ln 2 → w̃ = 2; row 1: two tokens summing to ln 20 → w̃ = C = 8
    double[] cur = {-1, 0, -1, -1};
    double[] mu = {-1 - Math.log(2), 0, -1 - Math.log(4), -1 - Math.log(5)};
    double[] mask = {1, 0, 1, 1};
    Fixture.Batch b = new Fixture.Batch(2, 2, cur, cur, mu, null, new double[] {1, -0.5}, mask, 2, 2);
    LossResult r = with(new TruncatedIsLoss(8), LossAggregation.SEQ_MEAN_TOKEN_MEAN, KlPenalty.OFF).objective(b.inputs(m));
    // per-token values −A·w̃: row 0 → −2, row 1 → +4; sequence means −2 and 4; mean 1
    assertEquals(1.0, r.loss().getDouble(), 1e-9);
    assertEquals(0.5, r.metrics().get("is/truncated_frac").getDouble(), 1e-12);
  }

  @Test
  void truncatedIsGradientIsAdvantageTimesCappedWeight() {
    double[] cur = {-1, -2};
    double[] mu = {-1 - 30, -2}; // S = 30 overflows exp: clamped, then capped at C
    Fixture.Batch b = new Fixture.Batch(1, 2, cur, cur, mu, null, new double[] {0.5}, new double[] {1, 1}, 2, 1);
    Algorithm a = with(new TruncatedIsLoss(8), LossAggregation.TOKEN_MEAN, KlPenalty.OFF);
    Fixture.assertGradientMatchesFiniteDifferences(b, in -> a.objective(in).loss(), "tis");
    try (NDManager local = m.newSubManager()) {
      assertEquals(-0.5 * 8, a.objective(b.inputs(local)).loss().getDouble(), 1e-9);
    }
  }

  @Test
  void klEstimatorsMatchTheirFormulas() {
    double d = Math.log(2);
    double[] cur = {-1};
    double[] ref = {-1 - d};
    assertEquals(d, kl(KlPenalty.Estimator.K1, cur, ref, 10), 1e-12);
    assertEquals(d * d / 2, kl(KlPenalty.Estimator.K2, cur, ref, 10), 1e-12);
    assertEquals(Math.exp(-d) + d - 1, kl(KlPenalty.Estimator.K3, cur, ref, 10), 1e-12);
    // δ = −30: exp(30) is clamped to exp(20), and the result to ±clamp
    assertEquals(10, kl(KlPenalty.Estimator.K3, new double[] {-31}, new double[] {-1}, 10), 1e-12);
    assertEquals(3, kl(KlPenalty.Estimator.K3, new double[] {-31}, new double[] {-1}, 3), 1e-12);
  }

  double kl(KlPenalty.Estimator e, double[] cur, double[] ref, double clamp) {
    try (NDManager local = m.newSubManager()) {
      return new KlPenalty(1, e, clamp).perToken(local.create(cur), local.create(ref)).getDouble(0);
    }
  }

  @Test
  void klPenaltyIsAddedPerTokenAndAggregatedLikeTheLoss() {
    // ratio 1, A = 0: the surrogate is 0, so the loss is β·mean k1 = 0.1·(ln 2 + 0)/2
    double[] cur = {-1, -1};
    double[] ref = {-1 - Math.log(2), -1};
    Fixture.Batch b = new Fixture.Batch(1, 2, cur, cur, cur, ref, new double[] {0}, new double[] {1, 1}, 2, 1);
    LossResult r = with(new PpoClipLoss(0.2, 0.2, 0), LossAggregation.TOKEN_MEAN,
        new KlPenalty(0.1, KlPenalty.Estimator.K1, 10)).objective(b.inputs(m));
    assertEquals(0.1 * Math.log(2) / 2, r.loss().getDouble(), 1e-12);
    assertEquals(Math.log(2) / 2, r.metrics().get("loss/kl_ref").getDouble(), 1e-12);
  }

  @Test
  void behaviourKlEstimateIsZeroOnPolicyAndPositiveOffPolicy() {
    double[] cur = {-1, -1};
    Fixture.Batch on = new Fixture.Batch(1, 2, cur, cur, cur, null, new double[] {1}, new double[] {1, 1}, 2, 1);
    Algorithm a = with(new PpoClipLoss(0.2, 0.2, 0), LossAggregation.TOKEN_MEAN, KlPenalty.OFF);
    assertEquals(0, a.objective(on.inputs(m)).metrics().get("loss/kl_behaviour").getDouble(), 1e-12);
    // r = πθ/πμ = 2 on both tokens: k3 = 2 − 1 − ln 2
    double[] mu = {-1 - Math.log(2), -1 - Math.log(2)};
    Fixture.Batch off = new Fixture.Batch(1, 2, cur, cur, mu, null, new double[] {1}, new double[] {1, 1}, 2, 1);
    assertEquals(1 - Math.log(2), a.objective(off.inputs(m)).metrics().get("loss/kl_behaviour").getDouble(), 1e-9);
  }

  @Test
  void loopDropsSmallAdvantagesAndKeepsTheFixedDivisor() {
    // two responses of one token each, ratio 1; A = (1, 0.005): the second is dropped; divisor = 4 configured
    double[] cur = {-1, -1};
    Fixture.Batch b = new Fixture.Batch(2, 1, cur, cur, cur, null, new double[] {1, 0.005}, new double[] {1, 1}, 1, 4);
    LossResult r = Fixture.algorithm("{name: loop}").objective(b.inputs(m));
    assertEquals(-1.0 / 4, r.loss().getDouble(), 1e-12);
    assertEquals(0.5, r.metrics().get("loss/filtered_token_frac").getDouble(), 1e-12);
  }

  @Test
  void loopWithUpperWeightsStaleTokensByTheirBehaviourWeight() {
    // two responses of one token each, ratio to the proximal policy 1, A = 1; behaviour weights 3 and 10
    double[] cur = {-1, -1};
    double[] mu = {-1 - Math.log(3), -1 - Math.log(10)};
    Fixture.Batch b = new Fixture.Batch(2, 1, cur, cur, mu, null, new double[] {1, 1}, new double[] {1, 1}, 1, 4);
    // as published: no behaviour correction, −(1 + 1)/4
    assertEquals(-0.5, Fixture.algorithm("{name: loop}").objective(b.inputs(m)).loss().getDouble(), 1e-9);
    // upper 5: the first token counts 3 times, the second (weight 10 > 5) is masked; the divisor stays 4
    assertEquals(-0.75, Fixture.algorithm("{name: loop, upper: 5}").objective(b.inputs(m)).loss().getDouble(), 1e-6);
  }
}
