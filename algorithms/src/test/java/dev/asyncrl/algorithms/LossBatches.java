package dev.asyncrl.algorithms;

import java.util.SplittableRandom;

/** Random but reproducible loss inputs whose ratios fall both inside and outside the clip ranges. */
final class LossBatches {
  private LossBatches() {}

  static Fixture.Batch random(int b, int t, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] current = new double[b * t];
    double[] proximal = new double[b * t];
    double[] behaviour = new double[b * t];
    double[] reference = new double[b * t];
    double[] mask = new double[b * t];
    for (int i = 0; i < current.length; i++) {
      current[i] = -1 - rng.nextDouble();
      proximal[i] = current[i] + (rng.nextDouble() - 0.5) * 0.6;
      behaviour[i] = proximal[i] + (rng.nextDouble() - 0.5) * 4; // behaviour weights up to e²
      reference[i] = current[i] + (rng.nextDouble() - 0.5);
      mask[i] = rng.nextDouble() < 0.8 ? 1 : 0;
    }
    double[] adv = new double[b];
    for (int i = 0; i < b; i++) {
      adv[i] = (rng.nextDouble() - 0.5) * 3;
    }
    return new Fixture.Batch(b, t, current, proximal, behaviour, reference, adv, mask, t + 2, b + 1);
  }
}
