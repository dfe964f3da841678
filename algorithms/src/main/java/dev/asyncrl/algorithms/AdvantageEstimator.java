package dev.asyncrl.algorithms;

/**
 * Outcome advantages: one scalar per response, broadcast by the trainer to every unmasked token.
 * Pure: arrays in, arrays out.
 */
public interface AdvantageEstimator {

  /**
   * @param groupRewards {@code groupRewards[g][i]} is {@code R_i} of response {@code i} in group {@code g}
   * @param stats        per-response statistics of the current policy, same shape; non-null exactly when
   *                     {@link #needsTrajectoryStats()}
   */
  Advantages advantages(double[][] groupRewards, TrajectoryStats stats);

  /** True when {@link #advantages} needs per-trajectory gradient norms (one backward per response). */
  default boolean needsTrajectoryStats() {
    return false;
  }
}
