package dev.asyncrl.model.jinja;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Jinja2's built-in filters and tests, and the global functions ({@code range}, {@code dict},
 * {@code namespace}), with Python's results. {@code tojson} is Hugging Face's: {@code json.dumps} without
 * HTML escaping, non-ASCII kept.
 */
final class Builtins {
  private Builtins() {}

  /** A filter: the value on its left and the call's arguments. */
  @FunctionalInterface
  interface Filter {
    Object apply(Object value, Arguments args);
  }

  /** A test: {@code value is name(args)}. */
  @FunctionalInterface
  interface Test {
    boolean test(Object value, Arguments args);
  }

  private static final Pattern WORD_START = Pattern.compile("([-\\s({\\[<]+)");

  static final Map<String, Filter> FILTERS = new HashMap<>();
  static final Map<String, Test> TESTS = new HashMap<>();

  static {
    FILTERS.put("abs", (v, a) -> v instanceof Double d ? (Object) Math.abs(d) : (Object) Math.abs(Py.toLong(v)));
    FILTERS.put("attr", (v, a) -> Attributes.getattr(v, a.string(0, "name", ""), a.line()));
    FILTERS.put("capitalize", (v, a) -> PyStr.capitalize(Py.str(v)));
    FILTERS.put("center", (v, a) -> PyStr.pad(Py.str(v), (int) a.integer(0, "width", 80), " ", "center"));
    FILTERS.put("default", (v, a) -> {
      boolean useIfFalse = a.flag(1, "boolean", false);
      return v instanceof Undefined || useIfFalse && !Py.truthy(v) ? a.get(0, "default_value", "") : v;
    });
    FILTERS.put("d", FILTERS.get("default"));
    FILTERS.put("dictsort", (v, a) -> {
      boolean caseSensitive = a.flag(0, "case_sensitive", false);
      boolean byValue = "value".equals(a.string(1, "by", "key"));
      List<Object> items = new ArrayList<>();
      ((Map<?, ?>) v).forEach((k, x) -> items.add(new PyTuple(java.util.Arrays.asList(k, x))));
      items.sort((x, y) -> compareKeys(((List<?>) x).get(byValue ? 1 : 0), ((List<?>) y).get(byValue ? 1 : 0),
          caseSensitive, a.line()));
      if (a.flag(2, "reverse", false)) {
        java.util.Collections.reverse(items);
      }
      return items;
    });
    FILTERS.put("escape", (v, a) -> escape(Py.str(v)));
    FILTERS.put("e", FILTERS.get("escape"));
    FILTERS.put("forceescape", FILTERS.get("escape"));
    FILTERS.put("first", (v, a) -> {
      List<Object> items = Py.iterate(v, a.line());
      return items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.get(0);
    });
    FILTERS.put("last", (v, a) -> {
      List<Object> items = Py.iterate(v, a.line());
      return items.isEmpty() ? new Undefined("No last item, sequence was empty.") : items.get(items.size() - 1);
    });
    FILTERS.put("float", (v, a) -> {
      try {
        return v instanceof String s ? Double.parseDouble(s.strip()) : Py.toDouble(v);
      } catch (RuntimeException e) {
        return a.get(0, "default", 0.0);
      }
    });
    FILTERS.put("int", (v, a) -> {
      try {
        if (v instanceof String s) {
          String t = s.strip().replace("_", "");
          int base = (int) a.integer(1, "base", 10);
          try {
            return Long.parseLong(t, base);
          } catch (NumberFormatException e) {
            return (long) Double.parseDouble(t);
          }
        }
        return v instanceof Double d ? (long) (double) d : Py.toLong(v);
      } catch (RuntimeException e) {
        return a.get(0, "default", 0L);
      }
    });
    FILTERS.put("format", (v, a) -> PyStr.percentFormat(Py.str(v), new PyTuple(a.positional()), a.line()));
    FILTERS.put("indent", (v, a) -> indent(Py.str(v), a));
    FILTERS.put("items", (v, a) -> v instanceof Undefined ? List.of()
        : Attributes.getattr(v, "items", a.line()) instanceof PyCallable c ? c.call(List.of(), Map.of(), a.line()) : List.of());
    FILTERS.put("join", (v, a) -> {
      String sep = a.string(0, "d", "");
      String attribute = a.string(1, "attribute", null);
      StringBuilder out = new StringBuilder();
      boolean first = true;
      for (Object item : Py.iterate(v, a.line())) {
        out.append(first ? "" : sep).append(Py.str(attribute == null ? item : path(item, attribute, a.line())));
        first = false;
      }
      return out.toString();
    });
    FILTERS.put("length", (v, a) -> Py.len(v, a.line()));
    FILTERS.put("count", FILTERS.get("length"));
    FILTERS.put("list", (v, a) -> Py.iterate(v, a.line()));
    FILTERS.put("lower", (v, a) -> Py.str(v).toLowerCase(Locale.ROOT));
    FILTERS.put("upper", (v, a) -> Py.str(v).toUpperCase(Locale.ROOT));
    FILTERS.put("map", Builtins::map);
    FILTERS.put("max", (v, a) -> extreme(v, a, 1));
    FILTERS.put("min", (v, a) -> extreme(v, a, -1));
    FILTERS.put("pprint", (v, a) -> Py.repr(v));
    FILTERS.put("reject", (v, a) -> select(v, a, false, false));
    FILTERS.put("select", (v, a) -> select(v, a, true, false));
    FILTERS.put("rejectattr", (v, a) -> select(v, a, false, true));
    FILTERS.put("selectattr", (v, a) -> select(v, a, true, true));
    FILTERS.put("replace", (v, a) -> Attributes.replace(Py.str(v), Py.str(a.get(0, "old", "")),
        Py.str(a.get(1, "new", "")), a.get(2, "count", null) == null ? -1 : a.integer(2, "count", -1)));
    FILTERS.put("reverse", (v, a) -> {
      if (v instanceof String s) {
        return new StringBuilder(s).reverse().toString();
      }
      List<Object> items = Py.iterate(v, a.line());
      java.util.Collections.reverse(items);
      return items;
    });
    FILTERS.put("round", (v, a) -> {
      long precision = a.integer(0, "precision", 0);
      String method = a.string(1, "method", "common");
      java.math.RoundingMode mode = switch (method) {
        case "ceil" -> java.math.RoundingMode.CEILING;
        case "floor" -> java.math.RoundingMode.FLOOR;
        default -> java.math.RoundingMode.HALF_EVEN; // Python's round()
      };
      return new java.math.BigDecimal(Py.toDouble(v)).setScale((int) precision, mode).doubleValue();
    });
    FILTERS.put("safe", (v, a) -> v);
    FILTERS.put("sort", (v, a) -> {
      boolean reverse = a.flag(0, "reverse", false);
      boolean caseSensitive = a.flag(1, "case_sensitive", false);
      String attribute = a.string(2, "attribute", null);
      List<Object> items = Py.iterate(v, a.line());
      Comparator<Object> order = (x, y) -> compareKeys(attribute == null ? x : path(x, attribute, a.line()),
          attribute == null ? y : path(y, attribute, a.line()), caseSensitive, a.line());
      items.sort(reverse ? order.reversed() : order);
      return items;
    });
    FILTERS.put("string", (v, a) -> Py.str(v));
    FILTERS.put("striptags", (v, a) -> String.join(" ", PyStr.split(Py.str(v).replaceAll("<!--.*?-->|<[^>]*>", ""),
        null, -1).stream().map(Object::toString).toList()));
    FILTERS.put("sum", (v, a) -> {
      String attribute = a.string(0, "attribute", null);
      Object total = a.get(1, "start", 0L);
      for (Object item : Py.iterate(v, a.line())) {
        total = Py.arithmetic("+", total, attribute == null ? item : path(item, attribute, a.line()), a.line());
      }
      return total;
    });
    FILTERS.put("title", (v, a) -> {
      StringBuilder out = new StringBuilder();
      for (String part : splitKeeping(Py.str(v))) {
        if (!part.isEmpty()) {
          out.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
      }
      return out.toString();
    });
    FILTERS.put("tojson", (v, a) -> PyJson.dumps(v, a.flag(0, "ensure_ascii", false), a.get(1, "indent", null),
        (List<?>) a.get(2, "separators", null), a.flag(3, "sort_keys", false), a.line()));
    FILTERS.put("trim", (v, a) -> PyStr.strip(Py.str(v), a.string(0, "chars", null)));
    FILTERS.put("truncate", (v, a) -> {
      String s = Py.str(v);
      int length = (int) a.integer(0, "length", 255);
      boolean killwords = a.flag(1, "killwords", false);
      String end = a.string(2, "end", "...");
      long leeway = a.integer(3, "leeway", 5);
      if (s.length() <= length + leeway) {
        return s;
      }
      if (killwords) {
        return s.substring(0, Math.max(0, length - end.length())) + end;
      }
      String cut = s.substring(0, Math.max(0, length - end.length()));
      int space = cut.lastIndexOf(' ');
      return (space >= 0 ? cut.substring(0, space) : cut) + end;
    });
    FILTERS.put("unique", (v, a) -> {
      boolean caseSensitive = a.flag(0, "case_sensitive", false);
      String attribute = a.string(1, "attribute", null);
      List<Object> out = new ArrayList<>();
      List<Object> seen = new ArrayList<>();
      for (Object item : Py.iterate(v, a.line())) {
        Object key = attribute == null ? item : path(item, attribute, a.line());
        Object folded = !caseSensitive && key instanceof String s ? s.toLowerCase(Locale.ROOT) : key;
        if (seen.stream().noneMatch(x -> Py.eq(x, folded))) {
          seen.add(folded);
          out.add(item);
        }
      }
      return out;
    });
    FILTERS.put("wordcount", (v, a) -> (long) PyStr.split(Py.str(v), null, -1).size());

    TESTS.put("defined", (v, a) -> !(v instanceof Undefined));
    TESTS.put("undefined", (v, a) -> v instanceof Undefined);
    TESTS.put("none", (v, a) -> v == null);
    TESTS.put("boolean", (v, a) -> v instanceof Boolean);
    TESTS.put("true", (v, a) -> Boolean.TRUE.equals(v));
    TESTS.put("false", (v, a) -> Boolean.FALSE.equals(v));
    TESTS.put("integer", (v, a) -> v instanceof Long);
    TESTS.put("float", (v, a) -> v instanceof Double);
    TESTS.put("number", (v, a) -> Py.isNumber(v));
    TESTS.put("string", (v, a) -> v instanceof String);
    TESTS.put("mapping", (v, a) -> v instanceof Map<?, ?>);
    TESTS.put("sequence", (v, a) -> v instanceof List<?> || v instanceof String || v instanceof Map<?, ?>);
    TESTS.put("iterable", (v, a) -> v instanceof List<?> || v instanceof String || v instanceof Map<?, ?>);
    TESTS.put("callable", (v, a) -> v instanceof PyCallable);
    TESTS.put("odd", (v, a) -> Py.toLong(v) % 2 != 0);
    TESTS.put("even", (v, a) -> Py.toLong(v) % 2 == 0);
    TESTS.put("divisibleby", (v, a) -> Py.toLong(v) % a.integer(0, "num", 1) == 0);
    TESTS.put("lower", (v, a) -> {
      String s = Py.str(v);
      return s.equals(s.toLowerCase(Locale.ROOT));
    });
    TESTS.put("upper", (v, a) -> {
      String s = Py.str(v);
      return s.equals(s.toUpperCase(Locale.ROOT));
    });
    TESTS.put("sameas", (v, a) -> {
      Object other = a.get(0, "other", null);
      return v == other || v instanceof Boolean && v.equals(other);
    });
    TESTS.put("eq", (v, a) -> Py.eq(v, a.get(0, "other", null)));
    TESTS.put("equalto", TESTS.get("eq"));
    TESTS.put("==", TESTS.get("eq"));
    TESTS.put("ne", (v, a) -> !Py.eq(v, a.get(0, "other", null)));
    TESTS.put("!=", TESTS.get("ne"));
    TESTS.put("lt", (v, a) -> Py.compare(v, a.get(0, "other", null), a.line()) < 0);
    TESTS.put("lessthan", TESTS.get("lt"));
    TESTS.put("<", TESTS.get("lt"));
    TESTS.put("le", (v, a) -> Py.compare(v, a.get(0, "other", null), a.line()) <= 0);
    TESTS.put("<=", TESTS.get("le"));
    TESTS.put("gt", (v, a) -> Py.compare(v, a.get(0, "other", null), a.line()) > 0);
    TESTS.put("greaterthan", TESTS.get("gt"));
    TESTS.put(">", TESTS.get("gt"));
    TESTS.put("ge", (v, a) -> Py.compare(v, a.get(0, "other", null), a.line()) >= 0);
    TESTS.put(">=", TESTS.get("ge"));
    TESTS.put("in", (v, a) -> Py.contains(a.get(0, "seq", null), v, a.line()));
    TESTS.put("filter", (v, a) -> v instanceof String s && FILTERS.containsKey(s));
    TESTS.put("test", (v, a) -> v instanceof String s && TESTS.containsKey(s));
    TESTS.put("escaped", (v, a) -> false);
  }

  static Filter filter(String name, int line) {
    Filter f = FILTERS.get(name);
    if (f == null) {
      throw TemplateException.at(line, "no filter named '" + name + "'");
    }
    return f;
  }

  static Test test(String name, int line) {
    Test t = TESTS.get(name);
    if (t == null) {
      throw TemplateException.at(line, "no test named '" + name + "'");
    }
    return t;
  }

  /** {@code range(stop)}, {@code range(start, stop[, step])}. */
  static Object range(List<Object> args, int line) {
    long start = 0;
    long stop;
    long step = 1;
    if (args.size() == 1) {
      stop = Py.toLong(args.get(0));
    } else {
      start = Py.toLong(args.get(0));
      stop = Py.toLong(args.get(1));
      step = args.size() > 2 ? Py.toLong(args.get(2)) : 1;
    }
    if (step == 0) {
      throw TemplateException.at(line, "ValueError: range() arg 3 must not be zero");
    }
    List<Object> out = new ArrayList<>();
    for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
      out.add(i);
      if (out.size() > 100_000) {
        throw TemplateException.at(line, "OverflowError: range too big, maximum size is 100000");
      }
    }
    return out;
  }

  /** An attribute path as filters take it: {@code "a.b"}, with integer parts as indexes. */
  static Object path(Object item, String attribute, int line) {
    Object v = item;
    for (String part : attribute.split("\\.")) {
      v = part.chars().allMatch(Character::isDigit) && !part.isEmpty()
          ? Attributes.getitem(v, Long.parseLong(part), line) : Attributes.getitem(v, part, line);
    }
    return v;
  }

  private static int compareKeys(Object x, Object y, boolean caseSensitive, int line) {
    if (!caseSensitive && x instanceof String a && y instanceof String b) {
      return PyStr.compare(a.toLowerCase(Locale.ROOT), b.toLowerCase(Locale.ROOT));
    }
    return Py.compare(x, y, line);
  }

  private static Object extreme(Object v, Arguments a, int sign) {
    boolean caseSensitive = a.flag(0, "case_sensitive", false);
    String attribute = a.string(1, "attribute", null);
    Object best = null;
    Object bestKey = null;
    for (Object item : Py.iterate(v, a.line())) {
      Object key = attribute == null ? item : path(item, attribute, a.line());
      if (best == null || sign * compareKeys(key, bestKey, caseSensitive, a.line()) > 0) {
        best = item;
        bestKey = key;
      }
    }
    return best == null ? new Undefined("No aggregated item, sequence was empty.") : best;
  }

  /** {@code map('filter', args...)} or {@code map(attribute='x', default=...)}. */
  private static Object map(Object v, Arguments a) {
    List<Object> out = new ArrayList<>();
    List<Object> items = Py.iterate(v, a.line());
    if (a.has(Integer.MAX_VALUE, "attribute")) {
      String attribute = a.string(Integer.MAX_VALUE, "attribute", null);
      Object fallback = a.get(Integer.MAX_VALUE, "default", null);
      for (Object item : items) {
        Object x = path(item, attribute, a.line());
        out.add(x instanceof Undefined && a.has(Integer.MAX_VALUE, "default") ? fallback : x);
      }
      return out;
    }
    String name = a.string(0, "filter", null);
    Filter f = filter(name, a.line());
    List<Object> rest = a.positional().subList(1, a.positional().size());
    for (Object item : items) {
      out.add(f.apply(item, new Arguments(name, rest, Map.of(), a.line())));
    }
    return out;
  }

  /** select / reject (by a test on the item) and selectattr / rejectattr (by a test on an attribute). */
  private static Object select(Object v, Arguments a, boolean keep, boolean byAttribute) {
    List<Object> positional = a.positional();
    int next = 0;
    String attribute = byAttribute ? (String) positional.get(next++) : null;
    String testName = next < positional.size() ? (String) positional.get(next++) : null;
    List<Object> testArgs = positional.subList(Math.min(next, positional.size()), positional.size());
    List<Object> out = new ArrayList<>();
    for (Object item : Py.iterate(v, a.line())) {
      Object subject = attribute == null ? item : path(item, attribute, a.line());
      boolean passes = testName == null ? Py.truthy(subject)
          : test(testName, a.line()).test(subject, new Arguments(testName, testArgs, Map.of(), a.line()));
      if (passes == keep) {
        out.add(item);
      }
    }
    return out;
  }

  /** Jinja's indent: every line but the first (and blank lines only with {@code blank}) gets the indent. */
  private static String indent(String s, Arguments a) {
    Object width = a.get(0, "width", 4L);
    String pad = width instanceof String w ? w : " ".repeat((int) Py.toLong(width));
    boolean first = a.flag(1, "first", false);
    boolean blank = a.flag(2, "blank", false);
    List<Object> lines = PyStr.splitlines(s + "\n", false);
    StringBuilder out = new StringBuilder();
    if (blank) {
      for (int i = 0; i < lines.size(); i++) {
        out.append(i > 0 ? "\n" + pad : "").append((String) lines.get(i));
      }
    } else {
      out.append((String) lines.get(0));
      for (int i = 1; i < lines.size(); i++) {
        String line = (String) lines.get(i);
        out.append('\n').append(line.isEmpty() ? "" : pad).append(line);
      }
    }
    return first ? pad + out : out.toString();
  }

  /** markupsafe's escape. */
  private static String escape(String s) {
    return s.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace("\"", "&#34;");
  }

  /** Jinja's title filter splits before runs of {@code - ( { [ <} and whitespace and capitalises each part. */
  private static List<String> splitKeeping(String s) {
    List<String> parts = new ArrayList<>();
    var m = WORD_START.matcher(s);
    int last = 0;
    while (m.find()) {
      parts.add(s.substring(last, m.start()));
      parts.add(m.group());
      last = m.end();
    }
    parts.add(s.substring(last));
    return parts;
  }
}
