package dev.asyncrl.model.jinja;

import java.util.List;
import java.util.Map;

/**
 * The arguments of one call bound to a Python-style signature: each parameter by position or by keyword,
 * with a default when absent.
 */
final class Arguments {
  private final String function;
  private final List<Object> positional;
  private final Map<String, Object> keywords;
  private final int line;

  Arguments(String function, List<Object> positional, Map<String, Object> keywords, int line) {
    this.function = function;
    this.positional = positional;
    this.keywords = keywords;
    this.line = line;
  }

  /** Parameter {@code index} (by position) or {@code name} (by keyword), else {@code fallback}. */
  Object get(int index, String name, Object fallback) {
    if (index < positional.size()) {
      return positional.get(index);
    }
    return keywords.containsKey(name) ? keywords.get(name) : fallback;
  }

  boolean has(int index, String name) {
    return index < positional.size() || keywords.containsKey(name);
  }

  String string(int index, String name, String fallback) {
    Object v = get(index, name, fallback);
    if (v != null && !(v instanceof String)) {
      throw TemplateException.at(line, "TypeError: " + function + "() argument '" + name + "' must be str, not "
          + Py.typeName(v));
    }
    return (String) v;
  }

  long integer(int index, String name, long fallback) {
    Object v = get(index, name, fallback);
    if (!(v instanceof Long || v instanceof Boolean)) {
      throw TemplateException.at(line, "TypeError: " + function + "() argument '" + name + "' must be int, not "
          + Py.typeName(v));
    }
    return Py.toLong(v);
  }

  boolean flag(int index, String name, boolean fallback) {
    return Py.truthy(get(index, name, fallback));
  }

  List<Object> positional() {
    return positional;
  }

  int line() {
    return line;
  }
}
