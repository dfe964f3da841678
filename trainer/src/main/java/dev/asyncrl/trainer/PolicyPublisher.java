package dev.asyncrl.trainer;

import dev.asyncrl.model.TransformerPolicy;

/**
 * Where the trainer announces its progress to the rollout side: new policy versions, and admission slots
 * given back by groups that left the run untrained. In-process this is a {@link InProcessPublisher}; across
 * processes the launcher supplies one that writes checkpoints and announces them on Kafka.
 */
public interface PolicyPublisher {

  /** {@code policy} is now version {@code version}; called on the trainer thread with autograd off. */
  void publish(long version, TransformerPolicy policy);

  /**
   * The total number of groups that left the run without being trained (dropped as stale, skipped by the
   * group filter, undecodable records) is now {@code total}. Admission control gives their slots back;
   * called whenever it grows, so a trainer waiting for groups never starves.
   */
  void freed(long total);

  /** The run is over (the last step was published): workers may stop. */
  default void finished() {}
}
