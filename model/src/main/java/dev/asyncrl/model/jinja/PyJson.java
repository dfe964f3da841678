package dev.asyncrl.model.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii, indent, separators, sort_keys)}, which is what the
 * {@code tojson} filter of Hugging Face chat templates calls: {@code ", "} and {@code ": "} between items
 * (or {@code ","} and a newline with an indent), floats as Python prints them.
 */
final class PyJson {
  private PyJson() {}

  /**
   * @param indent null for one line; a number of spaces or a string
   * @param separators null for the defaults
   */
  static String dumps(Object value, boolean ensureAscii, Object indent, List<?> separators, boolean sortKeys, int line) {
    String indentUnit = indent == null ? null : indent instanceof String s ? s : " ".repeat((int) Py.toLong(indent));
    String itemSep = indentUnit == null ? ", " : ",";
    String keySep = ": ";
    if (separators != null) {
      itemSep = (String) separators.get(0);
      keySep = (String) separators.get(1);
    }
    StringBuilder out = new StringBuilder();
    write(out, value, ensureAscii, indentUnit, itemSep, keySep, sortKeys, 0, line);
    return out.toString();
  }

  private static void write(StringBuilder out, Object v, boolean ascii, String indent, String itemSep, String keySep,
      boolean sortKeys, int depth, int line) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof Boolean b) {
      out.append(b ? "true" : "false");
    } else if (v instanceof Long l) {
      out.append(l);
    } else if (v instanceof Double d) {
      out.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Py.floatRepr(d));
    } else if (v instanceof String s) {
      string(out, s, ascii);
    } else if (v instanceof List<?> list) {
      if (list.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(itemSep);
        }
        newline(out, indent, depth + 1);
        write(out, list.get(i), ascii, indent, itemSep, keySep, sortKeys, depth + 1, line);
      }
      newline(out, indent, depth);
      out.append(']');
    } else if (v instanceof Map<?, ?> map) {
      if (map.isEmpty()) {
        out.append("{}");
        return;
      }
      List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
      if (sortKeys) {
        entries.sort((a, b) -> Py.compare(a.getKey(), b.getKey(), line));
      }
      out.append('{');
      for (int i = 0; i < entries.size(); i++) {
        if (i > 0) {
          out.append(itemSep);
        }
        newline(out, indent, depth + 1);
        Object key = entries.get(i).getKey();
        string(out, key instanceof String s ? s : key instanceof Boolean b ? (b ? "true" : "false")
            : key == null ? "null" : Py.repr(key), ascii);
        out.append(keySep);
        write(out, entries.get(i).getValue(), ascii, indent, itemSep, keySep, sortKeys, depth + 1, line);
      }
      newline(out, indent, depth);
      out.append('}');
    } else if (v instanceof Namespace || v instanceof Undefined || v instanceof PyCallable) {
      throw TemplateException.at(line, "TypeError: Object of type " + Py.typeName(v) + " is not JSON serializable");
    } else {
      string(out, v.toString(), ascii);
    }
  }

  private static void newline(StringBuilder out, String indent, int depth) {
    if (indent != null) {
      out.append('\n').append(indent.repeat(depth));
    }
  }

  private static void string(StringBuilder out, String s, boolean ascii) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || (ascii && c > 0x7e)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
