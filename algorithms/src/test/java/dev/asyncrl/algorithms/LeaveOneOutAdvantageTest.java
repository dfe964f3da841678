package dev.asyncrl.algorithms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class LeaveOneOutAdvantageTest {

  double[][] advantages(double[]... groups) {
    return new LeaveOneOutAdvantage().advantages(groups, null).values();
  }

  @Test
  void eachResponseIsComparedWithTheMeanOfTheOthers() {
    // {1, 0, 0, 1}: 1 − (1/3) = 2/3 and 0 − 2/3 = −2/3, which is K/(K−1)·(R − mean) = 4/3 · ±0.5
    assertArrayEquals(new double[] {2.0 / 3, -2.0 / 3, -2.0 / 3, 2.0 / 3}, advantages(new double[] {1, 0, 0, 1})[0], 1e-12);
    // {3, 1, 2}: 3 − 1.5, 1 − 2.5, 2 − 2
    assertArrayEquals(new double[] {1.5, -1.5, 0}, advantages(new double[] {3, 1, 2})[0], 1e-12);
  }

  @Test
  void singletonAndAllEqualGroupsGetExactlyZero() {
    double[][] a = advantages(new double[] {0.9}, new double[] {0.1, 0.1, 0.1});
    assertArrayEquals(new double[] {0}, a[0]);
    assertArrayEquals(new double[] {0, 0, 0}, a[1]);
  }
}
