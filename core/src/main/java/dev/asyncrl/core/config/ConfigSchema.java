package dev.asyncrl.core.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The set of declared {@link Setting}s of a job. It turns a {@link ConfigSource} into {@link Settings},
 * rejecting the first problem with a one-line {@link ConfigException} (unknown key, wrong type, missing
 * required value, failed check), and renders the reference page.
 *
 * <p>One section may have {@link Variant}s: the value of its selector (e.g. {@code algorithm.name}) picks
 * which further keys the section accepts, each with its own default and checks.
 */
public final class ConfigSchema {

  private final Map<String, Setting<?>> base = new LinkedHashMap<>();
  private final Setting<String> selector;
  private final Map<String, Variant> variants = new LinkedHashMap<>();

  public ConfigSchema(List<Setting<?>> settings) {
    this(settings, null, List.of());
  }

  /**
   * @param selector a setting among {@code settings} whose value names one of {@code variants}
   * @param variants their settings must lie under the selector's section and not repeat a base key
   */
  public ConfigSchema(List<Setting<?>> settings, Setting<String> selector, List<Variant> variants) {
    for (Setting<?> s : settings) {
      if (base.put(s.path(), s) != null) {
        throw new IllegalStateException("setting declared twice: " + s.path());
      }
      s.verifyDefault();
    }
    this.selector = selector;
    if (selector != null && base.get(selector.path()) != selector) {
      throw new IllegalStateException("selector " + selector.path() + " is not one of the settings");
    }
    for (Variant v : variants) {
      if (this.variants.put(v.name(), v) != null) {
        throw new IllegalStateException("variant declared twice: " + v.name());
      }
      for (Setting<?> s : v.settings()) {
        if (!s.path().startsWith(section(selector) + ".") || base.containsKey(s.path())) {
          throw new IllegalStateException("variant " + v.name() + " declares " + s.path()
              + ", which is outside " + section(selector) + " or a base key");
        }
        s.verifyDefault();
      }
    }
  }

  private static String section(Setting<?> s) {
    int dot = s.path().lastIndexOf('.');
    return dot < 0 ? "" : s.path().substring(0, dot);
  }

  public Settings resolve(ConfigSource source) {
    Variant chosen = chooseVariant(source);
    Map<String, Setting<?>> byPath = effective(chosen);
    for (Map.Entry<String, Origin> m : source.mappings().entrySet()) {
      if (byPath.containsKey(m.getKey())) {
        Setting<?> s = byPath.get(m.getKey());
        throw new ConfigException(s.path() + " at " + m.getValue() + ": expected " + s.type().description()
            + ", got a mapping");
      }
      if (!isSection(byPath, m.getKey())) {
        throw new ConfigException(unknownKey(byPath, chosen, m.getKey(), m.getValue()));
      }
    }
    for (Map.Entry<String, RawValue> e : source.values().entrySet()) {
      if (!byPath.containsKey(e.getKey())) {
        if (isSection(byPath, e.getKey())) {
          throw new ConfigException(e.getKey() + " at " + e.getValue().origin() + ": is a section; set keys "
              + "under it, e.g. " + firstUnder(byPath, e.getKey()));
        }
        throw new ConfigException(unknownKey(byPath, chosen, e.getKey(), e.getValue().origin()));
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

  private Variant chooseVariant(ConfigSource source) {
    if (selector == null) {
      return null;
    }
    RawValue raw = source.values().get(selector.path());
    String name = raw == null ? selector.defaultValue() : selector.accept(raw);
    Variant v = variants.get(name);
    if (v == null) {
      String at = raw == null ? Origin.DEFAULT.toString() : raw.origin().toString();
      throw new ConfigException(selector.path() + " at " + at + ": unknown " + section(selector) + " '" + name
          + "'" + closest(variants.keySet(), name).map(c -> " (did you mean " + c + "?)").orElse("")
          + "; known: " + String.join(", ", variants.keySet()));
    }
    return v;
  }

  /** Base settings with the chosen variant's inserted right after the selector. */
  private Map<String, Setting<?>> effective(Variant chosen) {
    Map<String, Setting<?>> out = new LinkedHashMap<>();
    for (Setting<?> s : base.values()) {
      out.put(s.path(), s);
      if (chosen != null && s == selector) {
        chosen.settings().forEach(v -> out.put(v.path(), v));
      }
    }
    return out;
  }

  private static boolean isSection(Map<String, Setting<?>> byPath, String path) {
    String prefix = path + ".";
    return byPath.keySet().stream().anyMatch(p -> p.startsWith(prefix));
  }

  private static String firstUnder(Map<String, Setting<?>> byPath, String section) {
    return byPath.keySet().stream().filter(p -> p.startsWith(section + ".")).findFirst().orElse(section);
  }

  private String unknownKey(Map<String, Setting<?>> byPath, Variant chosen, String path, Origin at) {
    if (chosen != null && path.startsWith(section(selector) + ".")) {
      List<String> owners = variants.values().stream()
          .filter(v -> v.settings().stream().anyMatch(s -> s.path().equals(path))).map(Variant::name).toList();
      String own = chosen.settings().isEmpty() ? "it has none"
          : "its parameters: " + String.join(", ", chosen.settings().stream().map(s -> leaf(s.path())).toList());
      String where = path + " at " + at + ": ";
      if (!owners.isEmpty()) {
        return where + "not a parameter of " + selector.path() + " '" + chosen.name() + "' (only of "
            + String.join(", ", owners) + "); " + own;
      }
      return where + "unknown parameter of " + selector.path() + " '" + chosen.name() + "'"
          + closest(byPath.keySet(), path).map(c -> " (did you mean " + c + "?)").orElse("") + "; " + own;
    }
    return "unknown key " + path + " at " + at + closest(byPath.keySet(), path).map(c -> " (did you mean " + c + "?)").orElse("");
  }

  private static String leaf(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
  }

  private static Optional<String> closest(Iterable<String> candidates, String word) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = editDistance(c, word);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return bestDistance <= Math.max(2, word.length() / 4) ? Optional.ofNullable(best) : Optional.empty();
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

  /** The configuration reference in Markdown, grouped by section, generated from the declarations. */
  public String referenceMarkdown() {
    Map<String, List<Setting<?>>> sections = new TreeMap<>();
    for (Setting<?> s : base.values()) {
      int dot = s.path().indexOf('.');
      sections.computeIfAbsent(dot < 0 ? "" : s.path().substring(0, dot), k -> new ArrayList<>()).add(s);
    }
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, List<Setting<?>>> e : sections.entrySet()) {
      out.append("\n#### ").append(e.getKey().isEmpty() ? "top level" : "`" + e.getKey() + "`").append("\n\n");
      table(out, e.getValue());
    }
    for (Variant v : variants.values()) {
      out.append("\n#### `").append(selector.path()).append(": ").append(v.name()).append("`\n\n")
          .append(v.doc()).append("\n\n");
      if (v.settings().isEmpty()) {
        out.append("No parameters.\n");
      } else {
        table(out, v.settings());
      }
    }
    return out.toString();
  }

  private static void table(StringBuilder out, List<Setting<?>> settings) {
    out.append("| key | type | default | meaning |\n| --- | --- | --- | --- |\n");
    for (Setting<?> s : settings) {
      String req = s.requirements().isEmpty() ? "" : " (" + String.join("; ", s.requirements()) + ")";
      out.append("| `").append(s.path()).append("` | ").append(s.type().description()).append(" | ")
          .append(s.isRequired() ? "required" : "`" + defaultText(s) + "`").append(" | ")
          .append(s.doc()).append(req).append(" |\n");
    }
  }

  private static <T> String defaultText(Setting<T> s) {
    return s.type().format(s.defaultValue());
  }
}
