package dev.asyncrl.algorithms;

import dev.asyncrl.core.config.JobConfig.AlgorithmConfig;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Algorithms by the name used in {@code algorithm.name}. */
public final class AlgorithmRegistry {

  private final Map<String, Function<AlgorithmConfig, Algorithm>> factories = new TreeMap<>();

  /** The built-in algorithms. */
  public static AlgorithmRegistry builtIn() {
    AlgorithmRegistry r = new AlgorithmRegistry();
    r.register("grpo", c -> new Algorithm("grpo",
        new GrpoAdvantage(GrpoAdvantage.StdMode.valueOf(c.stdMode().toUpperCase(Locale.ROOT)), c.eps(),
            GrpoAdvantage.Scale.valueOf(c.scale().toUpperCase(Locale.ROOT))),
        new PpoClipLoss(c.clipLow(), c.clipHigh(), c.dualClip(), LossAggregation.byName(c.aggregation()))));
    return r;
  }

  public void register(String name, Function<AlgorithmConfig, Algorithm> factory) {
    if (factories.putIfAbsent(name, factory) != null) {
      throw new IllegalStateException("algorithm '" + name + "' registered twice");
    }
  }

  public boolean contains(String name) {
    return factories.containsKey(name);
  }

  public Iterable<String> names() {
    return factories.keySet();
  }

  /** @throws IllegalArgumentException listing the known names when {@code config.name()} is unknown */
  public Algorithm create(AlgorithmConfig config) {
    Function<AlgorithmConfig, Algorithm> f = factories.get(config.name());
    if (f == null) {
      throw new IllegalArgumentException("unknown algorithm '" + config.name() + "'; known: "
          + String.join(", ", factories.keySet()));
    }
    return f.apply(config);
  }
}
