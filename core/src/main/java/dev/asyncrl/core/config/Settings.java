package dev.asyncrl.core.config;

import java.util.Map;

/** Typed values for every {@link Setting} of a schema, after validation. */
public final class Settings {

  private final Map<Setting<?>, Object> values;
  private final Map<Setting<?>, Origin> origins;

  Settings(Map<Setting<?>, Object> values, Map<Setting<?>, Origin> origins) {
    this.values = Map.copyOf(values);
    this.origins = Map.copyOf(origins);
  }

  /** Where the value of {@code setting} came from, for errors found after parsing (cross-key checks). */
  public Origin origin(Setting<?> setting) {
    return origins.getOrDefault(setting, Origin.DEFAULT);
  }

  /** A one-line error about {@code setting}'s value, in the same shape as parse errors. */
  public ConfigException error(Setting<?> setting, String problem) {
    return new ConfigException(setting.path() + " at " + origin(setting) + ": " + problem);
  }

  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    Object v = values.get(setting);
    if (v == null) {
      throw new IllegalArgumentException("setting " + setting.path() + " is not part of this configuration");
    }
    return (T) v;
  }
}
