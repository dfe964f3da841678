package dev.asyncrl.rollout;

import dev.asyncrl.core.config.ConfigException;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.RawValue;
import dev.asyncrl.core.config.Setting;
import dev.asyncrl.core.config.ValueType;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The keys under {@code task.params}, as an environment provider reads them: each read names its key, type,
 * default and check, and a bad value is the same one-line error as any other key ({@code task.params.max at
 * job.yaml:12:9: must be >= 2, got '1'}). A key the provider never reads is an error too, so a typo is not
 * silently ignored.
 */
public final class TaskParameters {

  /** Where these keys live in a job file. */
  public static final String SECTION = JobConfig.TASK_PARAMS_SECTION;

  private final String provider;
  private final Map<String, RawValue> raw;
  private final Set<String> read = new LinkedHashSet<>();

  /** @param raw the values under {@link #SECTION}, by their path below it */
  public TaskParameters(String provider, Map<String, RawValue> raw) {
    this.provider = provider;
    this.raw = Map.copyOf(raw);
  }

  /** The value of parameter {@code name} ({@code task.params.<name>}), or {@code defaultValue} when not set. */
  public <T> T get(String name, ValueType<T> type, T defaultValue, Predicate<T> check, String requirement) {
    Setting<T> setting = Setting.of(SECTION + "." + name, type, defaultValue, "").check(check, requirement);
    read.add(name);
    return raw.containsKey(name) ? setting.accept(raw.get(name)) : defaultValue;
  }

  public int integer(String name, int defaultValue, int min, int max) {
    return get(name, ValueType.INTEGER, defaultValue, v -> v >= min && v <= max,
        "must be between " + min + " and " + max);
  }

  public double number(String name, double defaultValue, double min, double max) {
    return get(name, ValueType.NUMBER, defaultValue, v -> v >= min && v <= max,
        "must be between " + min + " and " + max);
  }

  public String string(String name, String defaultValue) {
    return get(name, ValueType.STRING, defaultValue, v -> true, "");
  }

  public boolean flag(String name, boolean defaultValue) {
    return get(name, ValueType.BOOLEAN, defaultValue, v -> true, "");
  }

  /** A one-line error about parameter {@code name}, for checks that involve several parameters. */
  public ConfigException error(String name, String problem) {
    RawValue v = raw.get(name);
    return new ConfigException(SECTION + "." + name + (v == null ? "" : " at " + v.origin()) + ": " + problem);
  }

  /** Fails on the first key the provider did not read. */
  public void checkAllRead() {
    for (Map.Entry<String, RawValue> e : raw.entrySet()) {
      if (!read.contains(e.getKey())) {
        throw new ConfigException(SECTION + "." + e.getKey() + " at " + e.getValue().origin() + ": not a parameter of "
            + "environment '" + provider + "'" + (read.isEmpty() ? " (it has none)" : "; it reads " + String.join(", ", read)));
      }
    }
  }
}
