package dev.asyncrl.algorithms;

import dev.asyncrl.core.config.ConfigSchema;
import dev.asyncrl.core.config.ConfigSource;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.core.config.Setting;
import dev.asyncrl.core.config.Settings;
import dev.asyncrl.core.config.Variant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Algorithms by the name used in {@code algorithm.name}, each with its own declared parameters (keys under
 * {@code algorithm}, with defaults, checks and docs) and a factory from their validated values.
 */
public final class AlgorithmRegistry {

  private record Entry(Variant variant, Function<Settings, Algorithm> factory) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  /** The built-in algorithms: grpo, dr_grpo, dapo, rloo, loop, tis, vcpo, ppo. */
  public static AlgorithmRegistry builtIn() {
    AlgorithmRegistry r = new AlgorithmRegistry();
    BuiltInAlgorithms.registerAll(r);
    return r;
  }

  /**
   * @param parameters keys under {@code algorithm.} that exist only for this algorithm
   * @param factory    builds the algorithm from a job's validated settings (which include {@code parameters})
   */
  public void register(String name, String doc, List<Setting<?>> parameters, Function<Settings, Algorithm> factory) {
    if (entries.putIfAbsent(name, new Entry(new Variant(name, doc, parameters), factory)) != null) {
      throw new IllegalStateException("algorithm '" + name + "' registered twice");
    }
  }

  public Set<String> names() {
    return entries.keySet();
  }

  /** The job schema whose {@code algorithm.name} chooses among these algorithms. */
  public ConfigSchema jobSchema() {
    return JobSchema.with(entries.values().stream().map(Entry::variant).toList());
  }

  /**
   * Builds an algorithm from the YAML of an {@code algorithm:} section alone, e.g.
   * {@code {name: vcpo, lr_rule: linear}}, for tests and benchmarks; errors as for a job file.
   */
  public Algorithm fromYaml(String sectionYaml) {
    Settings s = jobSchema().resolve(ConfigSource.fromString("algorithm: " + sectionYaml, "algorithm"));
    return create(s.get(JobSchema.ALGORITHM), s);
  }

  /** @param settings validated by {@link #jobSchema()}, so the name is known and its parameters present */
  public Algorithm create(String name, Settings settings) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException("unknown algorithm '" + name + "'; known: " + String.join(", ", names()));
    }
    return e.factory().apply(settings);
  }
}
