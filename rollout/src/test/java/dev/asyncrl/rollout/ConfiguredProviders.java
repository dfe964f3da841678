package dev.asyncrl.rollout;

import dev.asyncrl.core.config.Origin;
import dev.asyncrl.core.config.RawValue;
import java.util.LinkedHashMap;
import java.util.Map;

/** Environment providers configured as a job's {@code task.params} would configure them. */
public final class ConfiguredProviders {

  private ConfiguredProviders() {}

  /** {@code provider} configured with {@code key, value, key, value, ...}; every key must be read. */
  public static <P extends EnvironmentProvider> P configured(P provider, String... keyValues) {
    Map<String, RawValue> raw = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      raw.put(keyValues[i], RawValue.scalar(keyValues[i + 1], Origin.override("task.params." + keyValues[i])));
    }
    TaskParameters params = new TaskParameters(provider.name(), raw);
    provider.configure(params);
    params.checkAllRead();
    return provider;
  }
}
