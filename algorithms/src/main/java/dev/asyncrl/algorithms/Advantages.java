package dev.asyncrl.algorithms;

import java.util.Map;

/**
 * @param values  {@code values[g][i]}, the advantage of response {@code i} of group {@code g}
 * @param metrics diagnostics by metric name (e.g. {@code vcpo/baseline_shift}); empty for most estimators
 */
public record Advantages(double[][] values, Map<String, Double> metrics) {

  public static Advantages of(double[][] values) {
    return new Advantages(values, Map.of());
  }
}
