package dev.asyncrl.algorithms;

import dev.asyncrl.core.config.Setting;
import dev.asyncrl.core.config.Settings;
import java.util.List;

/**
 * Parameter families shared by several algorithms, declared once here and instantiated per algorithm (each
 * with its own defaults), so that every algorithm's keys, checks and docs come from one place.
 */
final class AlgorithmParameters {
  private AlgorithmParameters() {}

  static final String PREFIX = "algorithm.";

  static Setting<LossAggregation> aggregation(LossAggregation defaultValue) {
    return Setting.choice(PREFIX + "aggregation", defaultValue,
        "how per-token losses become one number (README, Algorithms)");
  }

  /** GRPO's advantage normalisation. */
  record Grpo(Setting<GrpoAdvantage.StdMode> stdMode, Setting<Double> eps, Setting<GrpoAdvantage.Scale> scale) {
    static Grpo declare() {
      return new Grpo(
          Setting.choice(PREFIX + "std_mode", GrpoAdvantage.StdMode.UNBIASED,
              "group std: unbiased (N−1) or population (N)"),
          Setting.number(PREFIX + "eps", 1e-6, "ε in (R − mean)/(std + ε)").check(v -> v >= 0, "must be >= 0"),
          Setting.choice(PREFIX + "scale", GrpoAdvantage.Scale.GROUP,
              "std taken over the group, the whole batch, or no division at all"));
    }

    List<Setting<?>> settings() {
      return List.of(stdMode, eps, scale);
    }

    GrpoAdvantage build(Settings s) {
      return new GrpoAdvantage(s.get(stdMode), s.get(eps), s.get(scale));
    }
  }

  /** The PPO clip range and dual clip. */
  record Clip(Setting<Double> low, Setting<Double> high, Setting<Double> dual) {
    static Clip declare(double lowDefault, double highDefault) {
      return new Clip(
          Setting.number(PREFIX + "clip_low", lowDefault, "ε_low: ratio clipped below at 1 − ε_low")
              .check(v -> v >= 0 && v < 1, "must be in [0, 1)"),
          Setting.number(PREFIX + "clip_high", highDefault, "ε_high: ratio clipped above at 1 + ε_high")
              .check(v -> v >= 0, "must be >= 0"),
          Setting.number(PREFIX + "dual_clip", 0.0, "dual-clip constant c for A < 0 (loss ≤ c·(−A)); 0 = off")
              .check(v -> v == 0 || v > 1, "must be 0 or > 1"));
    }

    List<Setting<?>> settings() {
      return List.of(low, high, dual);
    }

    PpoClipLoss build(Settings s) {
      return new PpoClipLoss(s.get(low), s.get(high), s.get(dual));
    }
  }

  /** The regularisers added per token inside every algorithm's loss: KL to the frozen reference model, entropy. */
  record Regularization(Setting<Double> klCoef, Setting<KlPenalty.Estimator> klEstimator, Setting<Double> klClamp,
      Setting<Double> entropyCoef) {
    static Regularization declare() {
      return new Regularization(
          Setting.number(PREFIX + "kl_coef", 0.0, "β of the per-token KL penalty to the initial policy; "
              + "0 = off (no reference model is kept)").check(v -> v >= 0, "must be >= 0"),
          Setting.choice(PREFIX + "kl_estimator", KlPenalty.Estimator.K3,
              "KL estimator with δ = ℓθ − ℓref: k1 = δ, k2 = δ²/2, k3 = exp(−δ) + δ − 1"),
          Setting.number(PREFIX + "kl_clamp", 10.0, "k3 is clamped to ±kl_clamp").check(v -> v > 0, "must be > 0"),
          Setting.number(PREFIX + "entropy_coef", 0.0, "c of the per-token entropy bonus −c·H (H: the entropy of "
              + "the next-token distribution at a trained token); keeps the policy exploring; 0 = off")
              .check(v -> v >= 0, "must be >= 0"));
    }

    List<Setting<?>> settings() {
      return List.of(klCoef, klEstimator, klClamp, entropyCoef);
    }

    KlPenalty kl(Settings s) {
      return new KlPenalty(s.get(klCoef), s.get(klEstimator), s.get(klClamp));
    }

    EntropyBonus entropy(Settings s) {
      return new EntropyBonus(s.get(entropyCoef));
    }
  }

  /** The sequence importance-weight cap C of truncated IS. */
  static Setting<Double> isCap() {
    return Setting.number(PREFIX + "is_cap", 8.0, "C: sequence importance weights are truncated at C")
        .check(v -> v >= 1, "must be >= 1");
  }
}
