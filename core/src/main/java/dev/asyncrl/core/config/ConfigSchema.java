package dev.asyncrl.core.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The set of declared {@link Setting}s of a job. It turns a {@link ConfigSource} into {@link Settings},
 * rejecting the first problem with a one-line {@link ConfigException} (unknown key, wrong type, missing
 * required value, failed check), and renders the resolved configuration and the reference page.
 */
public final class ConfigSchema {

  private final Map<String, Setting<?>> byPath = new LinkedHashMap<>();

  public ConfigSchema(List<Setting<?>> settings) {
    for (Setting<?> s : settings) {
      if (byPath.put(s.path(), s) != null) {
        throw new IllegalStateException("setting declared twice: " + s.path());
      }
      s.verifyDefault();
    }
  }

  public List<Setting<?>> settings() {
    return List.copyOf(byPath.values());
  }

  public Settings resolve(ConfigSource source) {
    for (Map.Entry<String, Origin> m : source.mappings().entrySet()) {
      if (byPath.containsKey(m.getKey())) {
        Setting<?> s = byPath.get(m.getKey());
        throw new ConfigException(s.path() + " at " + m.getValue() + ": expected " + s.type().description()
            + ", got a mapping");
      }
      if (!isSection(m.getKey())) {
        throw new ConfigException(unknownKey(m.getKey(), m.getValue()));
      }
    }
    for (Map.Entry<String, RawValue> e : source.values().entrySet()) {
      if (!byPath.containsKey(e.getKey())) {
        if (isSection(e.getKey())) {
          throw new ConfigException(e.getKey() + " at " + e.getValue().origin() + ": is a section; set keys "
              + "under it, e.g. " + firstUnder(e.getKey()));
        }
        throw new ConfigException(unknownKey(e.getKey(), e.getValue().origin()));
      }
    }
    Map<Setting<?>, Object> typed = new LinkedHashMap<>();
    Map<Setting<?>, Origin> origins = new LinkedHashMap<>();
    for (Setting<?> s : byPath.values()) {
      RawValue raw = source.values().get(s.path());
      if (raw != null) {
        typed.put(s, s.accept(raw));
        origins.put(s, raw.origin());
      } else if (s.isRequired()) {
        throw new ConfigException("missing required key " + s.path() + " (" + s.doc() + ")");
      } else {
        typed.put(s, s.defaultValue());
      }
    }
    return new Settings(typed, origins);
  }

  private boolean isSection(String path) {
    String prefix = path + ".";
    return byPath.keySet().stream().anyMatch(p -> p.startsWith(prefix));
  }

  private String firstUnder(String section) {
    return byPath.keySet().stream().filter(p -> p.startsWith(section + ".")).findFirst().orElse(section);
  }

  private String unknownKey(String path, Origin at) {
    String hint = byPath.keySet().stream()
        .min(Comparator.comparingInt(p -> editDistance(p, path)))
        .filter(p -> editDistance(p, path) <= Math.max(2, path.length() / 4))
        .map(p -> " (did you mean " + p + "?)")
        .orElse("");
    return "unknown key " + path + " at " + at + hint;
  }

  /** Levenshtein distance, for "did you mean" hints. */
  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** Every setting with its effective value, as nested YAML: what the run actually used. */
  public String toYaml(Settings settings) {
    StringBuilder out = new StringBuilder();
    List<String> openPath = new ArrayList<>();
    for (Setting<?> s : byPath.values()) {
      String[] parts = s.path().split("\\.");
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
      out.append("  ".repeat(parts.length - 1)).append(parts[parts.length - 1]).append(": ")
          .append(formatted(s, settings)).append('\n');
    }
    return out.toString();
  }

  private static <T> String formatted(Setting<T> s, Settings settings) {
    return s.type().format(settings.get(s));
  }

  /** The configuration reference in Markdown, grouped by section, generated from the declarations. */
  public String referenceMarkdown() {
    Map<String, List<Setting<?>>> sections = new TreeMap<>();
    for (Setting<?> s : byPath.values()) {
      int dot = s.path().indexOf('.');
      sections.computeIfAbsent(dot < 0 ? "" : s.path().substring(0, dot), k -> new ArrayList<>()).add(s);
    }
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, List<Setting<?>>> e : sections.entrySet()) {
      out.append("\n#### ").append(e.getKey().isEmpty() ? "top level" : "`" + e.getKey() + "`").append("\n\n");
      out.append("| key | type | default | meaning |\n| --- | --- | --- | --- |\n");
      for (Setting<?> s : e.getValue()) {
        String req = s.requirements().isEmpty() ? "" : " (" + String.join("; ", s.requirements()) + ")";
        out.append("| `").append(s.path()).append("` | ").append(s.type().description()).append(" | ")
            .append(s.isRequired() ? "required" : "`" + defaultText(s) + "`").append(" | ")
            .append(s.doc()).append(req).append(" |\n");
      }
    }
    return out.toString();
  }

  private static <T> String defaultText(Setting<T> s) {
    return s.type().format(s.defaultValue());
  }
}
