package dev.asyncrl.core.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Typed values for every {@link Setting} of a schema (and of the chosen variant), after validation. */
public final class Settings {

  private final Map<Setting<?>, Object> values;
  private final Map<Setting<?>, Origin> origins;

  Settings(Map<Setting<?>, Object> values, Map<Setting<?>, Origin> origins) {
    this.values = new LinkedHashMap<>(values); // declaration order, for toYaml
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

  /** Every setting with its effective value, as nested YAML: what the run actually used. */
  public String toYaml() {
    return toYaml(Map.of());
  }

  /**
   * As {@link #toYaml()}, with {@code extra} values that no setting declares (path → YAML text, e.g. the keys
   * of a free-form section), each written at the end of its top-level section.
   */
  public String toYaml(Map<String, String> extra) {
    List<String[]> lines = new ArrayList<>(); // {path, text}, each top-level section's lines together
    for (Setting<?> s : values.keySet()) {
      lines.add(new String[] {s.path(), formatted(s)});
    }
    extra.forEach((path, text) -> {
      String section = path.substring(0, path.indexOf('.') + 1);
      int at = lines.size();
      while (at > 0 && !lines.get(at - 1)[0].startsWith(section)) {
        at--;
      }
      lines.add(at == 0 ? lines.size() : at, new String[] {path, text});
    });
    StringBuilder out = new StringBuilder();
    List<String> openPath = new ArrayList<>();
    for (String[] line : lines) {
      String[] parts = line[0].split("\\.");
      int common = 0;
      while (common < openPath.size() && common < parts.length - 1 && openPath.get(common).equals(parts[common])) {
        common++;
      }
      while (openPath.size() > common) {
        openPath.remove(openPath.size() - 1);
      }
      for (int i = common; i < parts.length - 1; i++) {
        out.append("  ".repeat(i)).append(parts[i]).append(":\n");
        openPath.add(parts[i]);
      }
      out.append("  ".repeat(parts.length - 1)).append(parts[parts.length - 1]).append(": ").append(line[1])
          .append('\n');
    }
    return out.toString();
  }

  /** The value of {@code s} as a config file writes it (a choice by its name in config files). */
  public <T> String formatted(Setting<T> s) {
    return s.type().format(get(s));
  }
}
