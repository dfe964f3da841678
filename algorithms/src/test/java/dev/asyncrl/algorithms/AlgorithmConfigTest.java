package dev.asyncrl.algorithms;

import static org.junit.jupiter.api.Assertions.*;

import dev.asyncrl.core.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Selecting algorithms and their parameters from YAML, and the errors a user sees. */
class AlgorithmConfigTest {

  static String error(String yaml) {
    return assertThrows(ConfigException.class, () -> Fixture.algorithm(yaml)).getMessage();
  }

  @Test
  void everyAlgorithmOfTheIssueIsRegistered() {
    assertEquals(java.util.List.of("grpo", "dr_grpo", "dapo", "rloo", "loop", "tis", "vcpo", "ppo"),
        java.util.List.copyOf(Fixture.REGISTRY.names()));
  }

  @Test
  void eachAlgorithmHasItsOwnDefaults() {
    assertEquals(new PpoClipLoss(0.2, 0.28, 0), Fixture.algorithm("{name: dapo}").loss());
    assertEquals(new PpoClipLoss(0.2, 0.2, 0), Fixture.algorithm("{name: grpo}").loss());
    assertEquals(LossAggregation.SEQ_MEAN_TOKEN_SUM_NORM, Fixture.algorithm("{name: dr_grpo}").aggregation());
    assertEquals(new GroupFilter(true, 64), Fixture.algorithm("{name: dapo}").groups());
    Algorithm vcpo = Fixture.algorithm("{name: vcpo}");
    assertEquals(new TruncatedIsLoss(8), vcpo.loss());
    assertEquals(new LearningRateScaling(LearningRateScaling.Rule.SQRT, 1), vcpo.learningRate());
    assertTrue(vcpo.advantages().needsTrajectoryStats());
    assertFalse(vcpo.needsReferenceModel());
    assertEquals(new AdvantageFilter(PpoClipLoss.loop(0.1), 0.01), Fixture.algorithm("{name: loop}").loss());
  }

  @Test
  void parametersAreReadAndChecked() {
    Algorithm ppo = Fixture.algorithm("{name: ppo, upper: 3, action: clamp, clip_high: 0.3, kl_coef: 0.05}");
    assertEquals(new DecoupledPpoLoss(new PpoClipLoss(0.2, 0.3, 0), 3, DecoupledPpoLoss.Action.CLAMP), ppo.loss());
    assertTrue(ppo.needsReferenceModel());
    assertEquals("algorithm.upper at algorithm:1:24: must be > 1, got '0.5'", error("{name: ppo, upper: 0.5}"));
    assertEquals(new AdvantageFilter(new DecoupledPpoLoss(PpoClipLoss.loop(0.1), 5, DecoupledPpoLoss.Action.MASK), 0.01),
        Fixture.algorithm("{name: loop, upper: 5}").loss());
    assertEquals("algorithm.upper at algorithm:1:25: must be 0 or > 1, got '0.5'", error("{name: loop, upper: 0.5}"));
    assertEquals("algorithm.lr_rule at algorithm:1:25: expected one of none, sqrt, linear, got 'cubic'",
        error("{name: vcpo, lr_rule: cubic}"));
  }

  @Test
  void unknownAlgorithmIsOneLineNamingTheKey() {
    assertEquals("algorithm.name at algorithm:1:13: unknown algorithm 'vpco' (did you mean vcpo?); known: grpo, "
        + "dr_grpo, dapo, rloo, loop, tis, vcpo, ppo", error("{name: vpco}"));
  }

  @Test
  void parameterOfAnotherAlgorithmIsNamedWithItsOwners() {
    assertEquals("algorithm.upper at algorithm:1:25: not a parameter of algorithm.name 'grpo' (only of loop, ppo); its "
        + "parameters: std_mode, eps, scale, clip_low, clip_high, dual_clip, aggregation, kl_coef, kl_estimator, "
        + "kl_clamp, entropy_coef", error("{name: grpo, upper: 3}"));
    assertTrue(error("{name: vcpo, lr_rulle: sqrt}").contains("(did you mean algorithm.lr_rule?)"));
  }

  @Test
  void dynamicSamplingSkipsAllEqualGroupsUntilItsBudgetIsSpent() {
    GroupFilter f = new GroupFilter(true, 2);
    assertFalse(f.admits(new double[] {1, 1, 1}, 0));
    assertTrue(f.admits(new double[] {1, 0, 1}, 0));
    assertTrue(f.admits(new double[] {1, 1, 1}, 2), "after max skips the step takes groups as they come");
    assertTrue(GroupFilter.NONE.admits(new double[] {0, 0}, 0));
  }
}
