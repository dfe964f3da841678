package dev.asyncrl.core.metrics;

import java.util.Map;

/**
 * Receives one record of named metrics per trainer step. Names are stable (see README, Metrics):
 * {@code loss/policy}, {@code rollout/reward_mean}, {@code staleness/max}, {@code perf/tokens_per_s}, ...
 */
public interface MetricsSink extends AutoCloseable {

  void record(long step, Map<String, Double> metrics);

  @Override
  default void close() {}
}
