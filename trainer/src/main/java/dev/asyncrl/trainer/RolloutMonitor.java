package dev.asyncrl.trainer;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the trainer sees of rollout workers in its own process: the failure that stopped one (the run then
 * stops with it), and counters it reports with every step (e.g. {@code rollout/failed_episodes}). Workers in
 * other processes are seen only through the store: {@link #NONE}.
 */
public interface RolloutMonitor {

  RolloutMonitor NONE = of(Optional::empty, Map::of);

  Optional<Throwable> failure();

  Map<String, Double> metrics();

  static RolloutMonitor of(Supplier<Optional<Throwable>> failure, Supplier<Map<String, Double>> metrics) {
    return new RolloutMonitor() {
      @Override
      public Optional<Throwable> failure() {
        return failure.get();
      }

      @Override
      public Map<String, Double> metrics() {
        return metrics.get();
      }
    };
  }
}
