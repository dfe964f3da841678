package dev.asyncrl.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EffectiveSampleSizeTest {

  @Test
  void equalWeightsGiveRatioOne() {
    assertEquals(1.0, EffectiveSampleSize.ratio(new double[] {0.3, 0.3, 0.3, 0.3}), 1e-12);
  }

  @Test
  void matchesKishFormulaByHand() {
    // w = (1, 3): (Σw)²/Σw² = 16/10 = 1.6 of 2
    assertEquals(0.8, EffectiveSampleSize.ratio(new double[] {0, Math.log(3)}), 1e-12);
  }

  @Test
  void hugeLogWeightsDoNotOverflow() {
    assertEquals(1.0, EffectiveSampleSize.ratio(new double[] {1000, 1000}), 1e-12);
    // one weight dominates: ESS → 1, ρ → 1/B
    assertEquals(0.5, EffectiveSampleSize.ratio(new double[] {1000, 0}), 1e-12);
    assertEquals(0.5, EffectiveSampleSize.ratio(new double[] {-1000, 0}), 1e-12);
  }

  @Test
  void nonFiniteEssCountsAsFullDamping() {
    assertEquals(0.25, EffectiveSampleSize.ratio(new double[] {0, Double.NaN, 0, 0}));
    assertEquals(0.25, EffectiveSampleSize.ratio(new double[] {0, Double.POSITIVE_INFINITY, 0, 0}));
  }

  @Test
  void emptyBatchIsUndamped() {
    assertEquals(1.0, EffectiveSampleSize.ratio(new double[0]));
  }

  @Test
  void sequenceWeightSummaryClampsBeforeExp() {
    SequenceWeights w = SequenceWeights.of(new double[] {0, Math.log(3), 1000});
    assertEquals(Math.exp(20), w.max(), 1e-3);
    assertEquals((1 + 3 + Math.exp(20)) / 3, w.mean(), 1e-3);
    assertEquals(EffectiveSampleSize.ratio(new double[] {0, Math.log(3), 1000}), w.essRatio());
    assertEquals(1.0, SequenceWeights.of(new double[0]).mean());
  }
}
