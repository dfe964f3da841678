package dev.asyncrl.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One configuration key, declared once: its dotted path, type, default (absent = required), the checks its
 * value must pass, and a one-line doc. Validation, the resolved config and the reference page are all
 * derived from these declarations.
 */
public final class Setting<T> {

  /** A named check, e.g. "must be > 0". */
  private record Check<T>(Predicate<T> test, String requirement) {}

  private final String path;
  private final ValueType<T> type;
  private final T defaultValue;
  private final String doc;
  private final List<Check<T>> checks;

  private Setting(String path, ValueType<T> type, T defaultValue, String doc, List<Check<T>> checks) {
    this.path = Objects.requireNonNull(path);
    this.type = Objects.requireNonNull(type);
    this.defaultValue = defaultValue;
    this.doc = Objects.requireNonNull(doc);
    this.checks = List.copyOf(checks);
  }

  public static <T> Setting<T> of(String path, ValueType<T> type, T defaultValue, String doc) {
    return new Setting<>(path, type, defaultValue, doc, List.of());
  }

  public static <T> Setting<T> required(String path, ValueType<T> type, String doc) {
    return new Setting<>(path, type, null, doc, List.of());
  }

  public static Setting<Integer> integer(String path, int defaultValue, String doc) {
    return of(path, ValueType.INTEGER, defaultValue, doc);
  }

  public static Setting<Long> longValue(String path, long defaultValue, String doc) {
    return of(path, ValueType.LONG, defaultValue, doc);
  }

  public static Setting<Double> number(String path, double defaultValue, String doc) {
    return of(path, ValueType.NUMBER, defaultValue, doc);
  }

  public static Setting<String> string(String path, String defaultValue, String doc) {
    return of(path, ValueType.STRING, defaultValue, doc);
  }

  public static Setting<Boolean> flag(String path, boolean defaultValue, String doc) {
    return of(path, ValueType.BOOLEAN, defaultValue, doc);
  }

  /** One of an enum's constants, written in config files by {@link ValueType#configName}. */
  public static <E extends Enum<E>> Setting<E> choice(String path, E defaultValue, String doc) {
    return of(path, ValueType.choice(defaultValue.getDeclaringClass()), defaultValue, doc);
  }

  /** A string restricted to {@code choices} (names from a registry); the first choice is not implied as default. */
  public static Setting<String> choice(String path, String defaultValue, List<String> choices, String doc) {
    return of(path, ValueType.STRING, defaultValue, doc)
        .check(choices::contains, "must be one of " + String.join(", ", choices));
  }

  /** This setting with one more check; {@code requirement} completes "must ...", e.g. "must be > 0". */
  public Setting<T> check(Predicate<T> test, String requirement) {
    List<Check<T>> more = new ArrayList<>(checks);
    more.add(new Check<>(test, requirement));
    return new Setting<>(path, type, defaultValue, doc, more);
  }

  public String path() {
    return path;
  }

  public ValueType<T> type() {
    return type;
  }

  public boolean isRequired() {
    return defaultValue == null;
  }

  public T defaultValue() {
    return defaultValue;
  }

  public String doc() {
    return doc;
  }

  /** The requirements a value must meet, in words, for the reference page. */
  public List<String> requirements() {
    return checks.stream().map(Check::requirement).toList();
  }

  /** Parses and checks a raw value; the exception message names the key and the value's origin. */
  public T accept(RawValue raw) {
    String where = path + " at " + raw.origin();
    T value = raw.isList() ? type.parseList(raw.items().stream().map(String::strip).toList()) : type.parse(raw.text().strip());
    if (value == null) {
      throw new ConfigException(where + ": expected " + type.description() + ", got " + raw.shown());
    }
    for (Check<T> c : checks) {
      if (!c.test().test(value)) {
        throw new ConfigException(where + ": " + c.requirement() + ", got " + raw.shown());
      }
    }
    return value;
  }

  /** Checks the default against the declared checks (a declaration bug, caught by tests). */
  void verifyDefault() {
    if (defaultValue == null) {
      return;
    }
    for (Check<T> c : checks) {
      if (!c.test().test(defaultValue)) {
        throw new IllegalStateException("default of " + path + " violates: " + c.requirement());
      }
    }
  }

  @Override
  public String toString() {
    return path;
  }
}
