package dev.asyncrl.experiments;


import java.util.List;
import java.util.Map;

/**
 * What one sweep run achieved, computed from its per-step metrics.
 *
 * @param finalReward   mean {@code rollout/reward_mean} over the last {@code window} steps
 * @param stepsToTarget first step at which the mean reward of the {@code window} steps ending there is at
 *                      least the target; -1 when never reached
 * @param minEssRatio   smallest {@code is/ess_ratio} of any step
 * @param wallSeconds   {@code time/elapsed_s} at the last step
 */
public record RunResult(int steps, double finalReward, int stepsToTarget, double minEssRatio, double wallSeconds) {

  public static RunResult of(List<Map<String, Double>> metrics, double target, int window) {
    double[] reward = MetricsLog.series(metrics, "rollout/reward_mean");
    double[] ess = MetricsLog.series(metrics, "is/ess_ratio");
    int n = reward.length;
    int reached = -1;
    double sum = 0;
    for (int i = 0; i < n && reached < 0; i++) {
      sum += reward[i];
      if (i >= window) {
        sum -= reward[i - window];
      }
      if (i + 1 >= window && sum / window >= target) {
        reached = i + 1;
      }
    }
    double last = 0;
    int from = Math.max(0, n - window);
    for (int i = from; i < n; i++) {
      last += reward[i];
    }
    double minEss = Double.NaN;
    for (double e : ess) {
      minEss = Double.isNaN(minEss) ? e : Math.min(minEss, e);
    }
    double wall = n == 0 ? 0 : metrics.get(n - 1).getOrDefault("time/elapsed_s", Double.NaN);
    return new RunResult(n, n == 0 ? Double.NaN : last / (n - from), reached, minEss, wall);
  }
}
