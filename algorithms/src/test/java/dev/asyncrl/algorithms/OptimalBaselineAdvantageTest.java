package dev.asyncrl.algorithms;

import static org.junit.jupiter.api.Assertions.*;

import dev.asyncrl.algorithms.OptimalBaselineAdvantage.Baseline;
import dev.asyncrl.algorithms.OptimalBaselineAdvantage.BaselineWeights;
import org.junit.jupiter.api.Test;

class OptimalBaselineAdvantageTest {

  static final double[] R = {1, 0, 0};
  static final double SIGMA = Math.sqrt(2.0 / 9); // population std of {1, 0, 0}

  Advantages run(OptimalBaselineAdvantage est, double[] rewards, double[] logW, double[] gradSq) {
    return est.advantages(new double[][] {rewards}, new TrajectoryStats(new double[][] {logW}, new double[][] {gradSq}));
  }

  static double[] expected(double[] r, double b, double sigma) {
    double[] out = new double[r.length];
    for (int i = 0; i < r.length; i++) {
      out[i] = (r[i] - b) / sigma;
    }
    return out;
  }

  @Test
  void paperWeightsAreSquaredSequenceWeightTimesSquaredGradientNorm() {
    // w = (1, 2, 1), ‖g‖² = (1, 1, 4): W = (1, 4, 4), b = 1/9
    Advantages a = run(new OptimalBaselineAdvantage(Baseline.OPTIMAL, BaselineWeights.PAPER, 8), R,
        new double[] {0, Math.log(2), 0}, new double[] {1, 1, 4});
    assertArrayEquals(expected(R, 1.0 / 9, SIGMA), a.values()[0], 1e-9);
    assertEquals(1.0 / 9 - 1.0 / 3, a.metrics().get("vcpo/baseline_shift"), 1e-9);
  }

  @Test
  void codeWeightsAlsoMultiplyTheSquaredTruncatedWeight() {
    // C = 1.5: w̃ = (1, 1.5, 1); W = w̃²·‖g‖²·w² = (1, 2.25·1·4, 1·4·1) = (1, 9, 4), b = 1/14
    Advantages a = run(new OptimalBaselineAdvantage(Baseline.OPTIMAL, BaselineWeights.CODE, 1.5), R,
        new double[] {0, Math.log(2), 0}, new double[] {1, 1, 4});
    assertArrayEquals(expected(R, 1.0 / 14, SIGMA), a.values()[0], 1e-9);
  }

  @Test
  void groupMeanBaselineNeedsNoGradientNorms() {
    OptimalBaselineAdvantage est = new OptimalBaselineAdvantage(Baseline.GROUP_MEAN, BaselineWeights.PAPER, 8);
    assertFalse(est.needsTrajectoryStats());
    assertArrayEquals(expected(R, 1.0 / 3, SIGMA), est.advantages(new double[][] {R}, null).values()[0], 1e-12);
    assertTrue(new OptimalBaselineAdvantage(Baseline.OPTIMAL, BaselineWeights.PAPER, 8).needsTrajectoryStats());
  }

  @Test
  void zeroOrNonFiniteWeightsFallBackToTheGroupMean() {
    OptimalBaselineAdvantage est = new OptimalBaselineAdvantage(Baseline.OPTIMAL, BaselineWeights.PAPER, 8);
    Advantages zero = run(est, R, new double[] {0, 0, 0}, new double[] {0, 0, 0});
    assertArrayEquals(expected(R, 1.0 / 3, SIGMA), zero.values()[0], 1e-12);
    assertEquals(1.0, zero.metrics().get("vcpo/baseline_fallbacks"));
    Advantages nan = run(est, R, new double[] {0, Double.NaN, 0}, new double[] {1, 1, 1});
    assertArrayEquals(expected(R, 1.0 / 3, SIGMA), nan.values()[0], 1e-12);
  }

  @Test
  void overflowingSequenceWeightsAreClampedAndStayFinite() {
    // S = 1000 clamps to 20: W = (e^40·1, 1, 1) and b ≈ R_0 = 1; every advantage finite
    Advantages a = run(new OptimalBaselineAdvantage(Baseline.OPTIMAL, BaselineWeights.PAPER, 8), R,
        new double[] {1000, 0, 0}, new double[] {1, 1, 1});
    double b = Math.exp(40) / (Math.exp(40) + 2);
    assertArrayEquals(expected(R, b, SIGMA), a.values()[0], 1e-9);
    assertEquals(0.0, a.metrics().get("vcpo/baseline_fallbacks"));
  }

  @Test
  void tinySigmaIsNotDividedBy() {
    double[] r = {1, 1 + 1e-9};
    Advantages a = new OptimalBaselineAdvantage(Baseline.GROUP_MEAN, BaselineWeights.PAPER, 8)
        .advantages(new double[][] {r}, null);
    assertArrayEquals(new double[] {-0.5e-9, 0.5e-9}, a.values()[0], 1e-15);
  }

  @Test
  void singletonAndAllEqualGroupsGetZero() {
    OptimalBaselineAdvantage est = new OptimalBaselineAdvantage(Baseline.OPTIMAL, BaselineWeights.PAPER, 8);
    Advantages a = est.advantages(new double[][] {{0.5}, {1, 1}},
        new TrajectoryStats(new double[][] {{0}, {0, 3}}, new double[][] {{1}, {1, 2}}));
    assertArrayEquals(new double[] {0}, a.values()[0]);
    assertArrayEquals(new double[] {0, 0}, a.values()[1]);
  }
}
