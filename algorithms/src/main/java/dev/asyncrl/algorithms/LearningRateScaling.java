package dev.asyncrl.algorithms;

/**
 * A per-step factor on the learning rate, from the mini-batch's ESS ratio {@code ρ} (see
 * {@link EffectiveSampleSize}). VCPO's ESS-scaled step size: {@code η_eff = η·sqrt(min(1, ρ/base))}
 * ({@link Rule#SQRT}) or {@code η·min(1, ρ/base)} ({@link Rule#LINEAR}); the base rate is restored after the
 * step.
 */
public record LearningRateScaling(Rule rule, double base) {

  public enum Rule { NONE, SQRT, LINEAR }

  public static final LearningRateScaling NONE = new LearningRateScaling(Rule.NONE, 1);

  public double factor(double essRatio) {
    double damped = Math.min(1, essRatio / base);
    return switch (rule) {
      case NONE -> 1;
      case SQRT -> Math.sqrt(damped);
      case LINEAR -> damped;
    };
  }
}
