package dev.asyncrl.trainer;

/**
 * Learning rate at step {@code s} (0-based): linear warm-up over {@code warmup} steps to {@code peak}, then
 * constant, or cosine decay to {@code 0.1·peak} at the last step.
 */
public record LearningRateSchedule(double peak, int warmup, int totalSteps, boolean cosine) {

  public double at(int step) {
    if (step < warmup) {
      return peak * (step + 1) / warmup;
    }
    if (!cosine || totalSteps <= warmup + 1) {
      return peak;
    }
    double progress = (double) (step - warmup) / (totalSteps - warmup - 1);
    double floor = 0.1 * peak;
    return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
  }
}
