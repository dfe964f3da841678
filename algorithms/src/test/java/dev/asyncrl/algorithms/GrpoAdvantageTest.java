package dev.asyncrl.algorithms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.asyncrl.algorithms.GrpoAdvantage.Scale;
import dev.asyncrl.algorithms.GrpoAdvantage.StdMode;
import org.junit.jupiter.api.Test;

class GrpoAdvantageTest {

  @Test
  void groupScaleWithUnbiasedStdMatchesHandComputation() {
    // mean 0.5, unbiased std sqrt(1/3) = 0.5773503; A = ±0.5 / (0.5773503 + 1e-6)
    double[][] a = new GrpoAdvantage(StdMode.UNBIASED, 1e-6, Scale.GROUP).advantages(new double[][] {{1, 0, 0, 1}}, null).values();
    double v = 0.5 / (Math.sqrt(1.0 / 3) + 1e-6);
    assertArrayEquals(new double[] {v, -v, -v, v}, a[0], 1e-12);
    assertArrayEquals(new double[] {0.8660239, -0.8660239, -0.8660239, 0.8660239}, a[0], 1e-6);
  }

  @Test
  void populationStdDividesByN() {
    double[][] a = new GrpoAdvantage(StdMode.POPULATION, 0, Scale.GROUP).advantages(new double[][] {{1, 0, 0, 1}}, null).values();
    assertArrayEquals(new double[] {1, -1, -1, 1}, a[0], 1e-12);
  }

  @Test
  void singletonGroupsAndEqualRewardsGetZeroAdvantage() {
    double[][] a = new GrpoAdvantage(StdMode.UNBIASED, 1e-6, Scale.GROUP)
        .advantages(new double[][] {{0.7}, {1, 1, 1}, {0, 0}}, null).values();
    assertArrayEquals(new double[] {0}, a[0]);
    assertArrayEquals(new double[] {0, 0, 0}, a[1]);
    assertArrayEquals(new double[] {0, 0}, a[2]);
  }

  @Test
  void equalRewardsThatAreNotExactlyRepresentableGetZeroAdvantageWithoutEpsilon() {
    // mean(0.1, 0.1, 0.1) = 0.10000000000000002: centring leaves rounding noise that std + 0 would blow up
    for (Scale scale : Scale.values()) {
      double[][] a = new GrpoAdvantage(StdMode.UNBIASED, 0, scale).advantages(new double[][] {{0.1, 0.1, 0.1}, {0.3, 0.3}}, null)
          .values();
      assertArrayEquals(new double[] {0, 0, 0}, a[0], scale.name());
      assertArrayEquals(new double[] {0, 0}, a[1], scale.name());
    }
  }

  @Test
  void batchScaleDividesEveryGroupByTheStdOfAllRewards() {
    // rewards {1,0,1,1}: mean 0.75, unbiased std 0.5; group means 0.5 and 1
    double[][] a = new GrpoAdvantage(StdMode.UNBIASED, 0, Scale.BATCH).advantages(new double[][] {{1, 0}, {1, 1}}, null).values();
    assertArrayEquals(new double[] {1, -1}, a[0], 1e-12);
    assertArrayEquals(new double[] {0, 0}, a[1], 1e-12);
  }

  @Test
  void noScaleOnlyCentres() {
    double[][] a = new GrpoAdvantage(StdMode.UNBIASED, 1e-6, Scale.NONE).advantages(new double[][] {{3, 1, 2}}, null).values();
    assertArrayEquals(new double[] {1, -1, 0}, a[0], 1e-12);
  }
}
