package dev.asyncrl.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asyncrl.algorithms.LearningRateScaling.Rule;
import org.junit.jupiter.api.Test;

class LearningRateScalingTest {

  @Test
  void sqrtRuleScalesBySquareRootOfRatioOverBase() {
    assertEquals(0.5, new LearningRateScaling(Rule.SQRT, 1).factor(0.25), 1e-12);
    assertEquals(Math.sqrt(0.5), new LearningRateScaling(Rule.SQRT, 0.5).factor(0.25), 1e-12);
  }

  @Test
  void linearRuleScalesByRatioOverBase() {
    assertEquals(0.25, new LearningRateScaling(Rule.LINEAR, 1).factor(0.25), 1e-12);
  }

  @Test
  void ratiosAtOrAboveBaseAreUndamped() {
    assertEquals(1.0, new LearningRateScaling(Rule.SQRT, 0.5).factor(0.8));
    assertEquals(1.0, new LearningRateScaling(Rule.LINEAR, 0.5).factor(0.5));
    assertEquals(1.0, LearningRateScaling.NONE.factor(0.01));
  }
}
