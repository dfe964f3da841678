package dev.asyncrl.algorithms;

import static dev.asyncrl.algorithms.AlgorithmParameters.PREFIX;

import dev.asyncrl.algorithms.AlgorithmParameters.Clip;
import dev.asyncrl.algorithms.AlgorithmParameters.Grpo;
import dev.asyncrl.algorithms.AlgorithmParameters.Regularization;
import dev.asyncrl.core.config.Setting;
import java.util.List;
import java.util.stream.Stream;

/** The built-in algorithms (README, Algorithms), each with its parameters and defaults. */
final class BuiltInAlgorithms {
  private BuiltInAlgorithms() {}

  static void registerAll(AlgorithmRegistry r) {
    grpo(r);
    drGrpo(r);
    dapo(r);
    rloo(r);
    loop(r);
    tis(r);
    vcpo(r);
    ppo(r);
  }

  @SafeVarargs
  private static List<Setting<?>> concat(List<? extends Setting<?>>... parts) {
    return Stream.of(parts).<Setting<?>>flatMap(List::stream).toList();
  }

  static void grpo(AlgorithmRegistry r) {
    Grpo adv = Grpo.declare();
    Clip clip = Clip.declare(0.2, 0.2);
    Setting<LossAggregation> agg = AlgorithmParameters.aggregation(LossAggregation.TOKEN_MEAN);
    Regularization reg = Regularization.declare();
    r.register("grpo", "GRPO (Shao et al. 2024): group-normalised advantages, PPO clip against the proximal policy.",
        concat(adv.settings(), clip.settings(), List.of(agg), reg.settings()),
        s -> new Algorithm("grpo", GroupFilter.NONE, adv.build(s), clip.build(s),
            s.get(agg), reg.kl(s), reg.entropy(s), LearningRateScaling.NONE));
  }

  static void drGrpo(AlgorithmRegistry r) {
    Clip clip = Clip.declare(0.2, 0.2);
    Setting<LossAggregation> agg = AlgorithmParameters.aggregation(LossAggregation.SEQ_MEAN_TOKEN_SUM_NORM);
    Regularization reg = Regularization.declare();
    r.register("dr_grpo", "Dr.GRPO (Liu et al. 2025): A = R − mean_g (no std division), length-normalised by the "
            + "fixed response limit.",
        concat(clip.settings(), List.of(agg), reg.settings()),
        s -> new Algorithm("dr_grpo", GroupFilter.NONE, GrpoAdvantage.centredOnly(), clip.build(s),
            s.get(agg), reg.kl(s), reg.entropy(s), LearningRateScaling.NONE));
  }

  static void dapo(AlgorithmRegistry r) {
    Grpo adv = Grpo.declare();
    Clip clip = Clip.declare(0.2, 0.28);
    Setting<LossAggregation> agg = AlgorithmParameters.aggregation(LossAggregation.TOKEN_MEAN);
    Setting<Boolean> dynamic = Setting.flag(PREFIX + "dynamic_sampling", true,
        "skip groups whose rewards are all equal and keep reading until the batch is full");
    Setting<Integer> maxSkips = Setting.integer(PREFIX + "max_skipped_groups", 64,
        "groups dynamic sampling may skip in one step; after that the step takes groups as they come, so a "
            + "solved task cannot stall training").check(v -> v >= 0, "must be >= 0");
    Regularization reg = Regularization.declare();
    r.register("dapo", "DAPO (Yu et al. 2025): GRPO advantages, clip-higher, token-mean, dynamic sampling.",
        concat(adv.settings(), clip.settings(), List.of(agg, dynamic, maxSkips), reg.settings()),
        s -> new Algorithm("dapo", new GroupFilter(s.get(dynamic), s.get(maxSkips)), adv.build(s), clip.build(s),
            s.get(agg), reg.kl(s), reg.entropy(s), LearningRateScaling.NONE));
  }

  static void rloo(AlgorithmRegistry r) {
    Clip clip = Clip.declare(0.2, 0.2);
    Setting<LossAggregation> agg = AlgorithmParameters.aggregation(LossAggregation.TOKEN_MEAN);
    Regularization reg = Regularization.declare();
    r.register("rloo", "RLOO (Ahmadian et al. 2024): leave-one-out baseline A = R_i − mean of the others, PPO clip.",
        concat(clip.settings(), List.of(agg), reg.settings()),
        s -> new Algorithm("rloo", GroupFilter.NONE, new LeaveOneOutAdvantage(), clip.build(s),
            s.get(agg), reg.kl(s), reg.entropy(s), LearningRateScaling.NONE));
  }

  static void loop(AlgorithmRegistry r) {
    Setting<Double> eps = Setting.number(PREFIX + "clip", 0.1, "ε: per-token ratio clipped to [1/(1+ε), 1+ε]")
        .check(v -> v > 0, "must be > 0");
    Setting<Double> threshold = Setting.number(PREFIX + "min_abs_advantage", 0.01,
        "responses with |A| below this are dropped from the update").check(v -> v >= 0, "must be >= 0");
    Setting<Double> upper = Setting.number(PREFIX + "upper", 0.0,
        "0 = LOOP as published (no behaviour correction); > 1 = each token also weighted by the behaviour weight "
        + "exp(ℓold − ℓμ) as in decoupled PPO, tokens above this masked: for stale samples")
        .check(v -> v == 0 || v > 1, "must be 0 or > 1");
    Regularization reg = Regularization.declare();
    r.register("loop", "LOOP (Chen et al. 2025): leave-one-out advantage, asymmetric per-token clip, |A| filter, "
            + "per-response token mean summed and divided by the configured mini-batch size.",
        concat(List.of(eps, threshold, upper), reg.settings()),
        s -> {
          PpoClipLoss clip = PpoClipLoss.loop(s.get(eps));
          PolicyLoss loss = s.get(upper) == 0 ? clip : new DecoupledPpoLoss(clip, s.get(upper), DecoupledPpoLoss.Action.MASK);
          return new Algorithm("loop", GroupFilter.NONE, new LeaveOneOutAdvantage(),
              new AdvantageFilter(loss, s.get(threshold)), LossAggregation.SEQ_MEAN_TOKEN_MEAN_FIXED, reg.kl(s),
              reg.entropy(s), LearningRateScaling.NONE);
        });
  }

  static void tis(AlgorithmRegistry r) {
    Grpo adv = Grpo.declare();
    Setting<Double> cap = AlgorithmParameters.isCap();
    Setting<LossAggregation> agg = AlgorithmParameters.aggregation(LossAggregation.SEQ_MEAN_TOKEN_MEAN);
    Regularization reg = Regularization.declare();
    r.register("tis", "Sequence-level truncated IS: GRPO advantages, REINFORCE weighted by min(exp(S_i), C) "
            + "against the behaviour policy.",
        concat(adv.settings(), List.of(cap, agg), reg.settings()),
        s -> new Algorithm("tis", GroupFilter.NONE, adv.build(s), new TruncatedIsLoss(s.get(cap)),
            s.get(agg), reg.kl(s), reg.entropy(s), LearningRateScaling.NONE));
  }

  static void vcpo(AlgorithmRegistry r) {
    Setting<Double> cap = AlgorithmParameters.isCap();
    Setting<LearningRateScaling.Rule> rule = Setting.choice(PREFIX + "lr_rule", LearningRateScaling.Rule.SQRT,
        "learning rate this step: η·sqrt(min(1, ρ/lr_base)) (sqrt), η·min(1, ρ/lr_base) (linear) or η (none), ρ the ESS ratio");
    Setting<Double> base = Setting.number(PREFIX + "lr_base", 1.0, "ESS ratio at and above which the rate is undamped")
        .check(v -> v > 0 && v <= 1, "must be in (0, 1]");
    Setting<OptimalBaselineAdvantage.Baseline> baseline = Setting.choice(PREFIX + "baseline",
        OptimalBaselineAdvantage.Baseline.OPTIMAL,
        "optimal: Σ W_i R_i / Σ W_i with per-trajectory gradient norms (one backward per response); "
            + "group_mean: the cheap fallback");
    Setting<OptimalBaselineAdvantage.BaselineWeights> weights = Setting.choice(PREFIX + "baseline_weights",
        OptimalBaselineAdvantage.BaselineWeights.PAPER,
        "W_i = w_i²·‖∇log π(τ_i)‖² (paper) or (w̃_i·‖∇log π(τ_i)‖)²·w_i² (released code)");
    Setting<LossAggregation> agg = AlgorithmParameters.aggregation(LossAggregation.SEQ_MEAN_TOKEN_MEAN);
    Regularization reg = Regularization.declare();
    r.register("vcpo", "VCPO: truncated sequence IS with an ESS-scaled learning rate and the off-policy optimal "
            + "baseline.",
        concat(List.of(cap, rule, base, baseline, weights, agg), reg.settings()),
        s -> new Algorithm("vcpo", GroupFilter.NONE,
            new OptimalBaselineAdvantage(s.get(baseline), s.get(weights), s.get(cap)),
            new TruncatedIsLoss(s.get(cap)), s.get(agg), reg.kl(s), reg.entropy(s),
            new LearningRateScaling(s.get(rule), s.get(base))));
  }

  static void ppo(AlgorithmRegistry r) {
    Grpo adv = Grpo.declare();
    Clip clip = Clip.declare(0.2, 0.2);
    Setting<Double> upper = Setting.number(PREFIX + "upper", 5.0,
        "tokens whose behaviour weight exp(ℓold − ℓμ) exceeds this are masked or clamped").check(v -> v > 1, "must be > 1");
    Setting<DecoupledPpoLoss.Action> action = Setting.choice(PREFIX + "action", DecoupledPpoLoss.Action.MASK,
        "what happens above upper: mask the token, or clamp its weight to upper");
    Setting<LossAggregation> agg = AlgorithmParameters.aggregation(LossAggregation.TOKEN_MEAN);
    Regularization reg = Regularization.declare();
    r.register("ppo", "Decoupled PPO (AReaL): GRPO advantages, PPO clip against the proximal policy, times the "
            + "behaviour weight exp(ℓold − ℓμ).",
        concat(adv.settings(), clip.settings(), List.of(upper, action, agg), reg.settings()),
        s -> new Algorithm("ppo", GroupFilter.NONE, adv.build(s),
            new DecoupledPpoLoss(clip.build(s), s.get(upper), s.get(action)),
            s.get(agg), reg.kl(s), reg.entropy(s), LearningRateScaling.NONE));
  }
}
