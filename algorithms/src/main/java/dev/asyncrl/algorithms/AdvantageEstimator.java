package dev.asyncrl.algorithms;

/**
 * Outcome advantages: one scalar per response, broadcast by the trainer to every unmasked token.
 * Pure: arrays in, arrays out.
 */
public interface AdvantageEstimator {

  /**
   * @param groupRewards {@code groupRewards[g][i]} is {@code R_i} of response {@code i} in group {@code g}
   * @return advantages of the same shape
   */
  double[][] advantages(double[][] groupRewards);
}
