package dev.asyncrl.model.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Attribute and item access as Jinja2's sandbox does it: {@code x.name} looks for a Python attribute (a
 * {@code str}, {@code dict} or {@code list} method, a namespace or loop field) and then for the item
 * {@code x['name']}; {@code x[key]} looks for the item first. A miss is {@link Undefined}; only using an
 * Undefined further fails. Methods that would change a list or dict exist but refuse to run, as in
 * Jinja2's immutable sandbox.
 */
final class Attributes {
  private Attributes() {}

  /** Objects with named fields of their own ({@code loop}). */
  interface HasAttributes {
    /** The field, or {@link #MISSING}. */
    Object attribute(String name);
  }

  static final Object MISSING = new Object();

  private static final Set<String> STR_METHODS = Set.of("startswith", "endswith", "strip", "lstrip", "rstrip", "split",
      "rsplit", "splitlines", "lower", "upper", "title", "capitalize", "swapcase", "casefold", "replace", "find", "rfind",
      "index", "rindex", "count", "join", "format", "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper",
      "isnumeric", "isdecimal", "istitle", "zfill", "center", "ljust", "rjust", "removeprefix", "removesuffix",
      "partition", "rpartition");
  private static final Set<String> DICT_METHODS = Set.of("items", "keys", "values", "get", "copy");
  private static final Set<String> LIST_METHODS = Set.of("index", "count", "copy");
  private static final Set<String> MUTATING = Set.of("append", "extend", "insert", "pop", "remove", "clear", "sort",
      "reverse", "update", "setdefault", "popitem", "add", "discard");

  /** {@code obj.name}. */
  static Object getattr(Object obj, String name, int line) {
    if (obj instanceof Undefined u) {
      throw u.fail(line);
    }
    Object attr = pythonAttribute(obj, name);
    if (attr != MISSING) {
      return attr;
    }
    if (obj instanceof Map<?, ?> m && m.containsKey(name)) {
      return m.get(name);
    }
    return new Undefined(describe(obj) + " has no attribute '" + name + "'");
  }

  /** {@code obj[key]}. */
  static Object getitem(Object obj, Object key, int line) {
    if (obj instanceof Undefined u) {
      throw u.fail(line);
    }
    if (obj instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (Py.eq(e.getKey(), key)) {
          return e.getValue();
        }
      }
    } else if (key instanceof Slice s && (obj instanceof List<?> || obj instanceof String)) {
      return s.apply(obj, line);
    } else if ((obj instanceof List<?> || obj instanceof String) && (key instanceof Long || key instanceof Boolean)) {
      int size = (int) Py.len(obj, line);
      long i = Py.toLong(key);
      if (i < 0) {
        i += size;
      }
      if (i >= 0 && i < size) {
        return obj instanceof List<?> l ? l.get((int) i) : Py.iterate(obj, line).get((int) i);
      }
      return new Undefined(describe(obj) + " has no element " + key);
    }
    if (key instanceof String name) {
      Object attr = pythonAttribute(obj, name);
      if (attr != MISSING) {
        return attr;
      }
      return new Undefined(describe(obj) + " has no attribute '" + name + "'");
    }
    return new Undefined(describe(obj) + " has no element " + Py.repr(key));
  }

  /** How Jinja names an object in "has no attribute" messages. */
  static String describe(Object obj) {
    if (obj == null) {
      return "None";
    }
    return "'" + Py.typeName(obj) + " object'";
  }

  private static Object pythonAttribute(Object obj, String name) {
    if (obj instanceof Namespace n) {
      return n.attributes.containsKey(name) ? n.attributes.get(name) : MISSING;
    }
    if (obj instanceof HasAttributes h) {
      return h.attribute(name);
    }
    if (obj instanceof String s && STR_METHODS.contains(name)) {
      return (PyCallable) (args, kwargs, line) -> strMethod(s, name, new Arguments(name, args, kwargs, line));
    }
    if (obj instanceof Map<?, ?> m && DICT_METHODS.contains(name)) {
      return (PyCallable) (args, kwargs, line) -> dictMethod(m, name, new Arguments(name, args, kwargs, line));
    }
    if (obj instanceof List<?> l && LIST_METHODS.contains(name)) {
      return (PyCallable) (args, kwargs, line) -> listMethod(l, name, new Arguments(name, args, kwargs, line));
    }
    if ((obj instanceof List<?> || obj instanceof Map<?, ?>) && MUTATING.contains(name)) {
      return (PyCallable) (args, kwargs, line) -> {
        throw TemplateException.at(line, "SecurityError: access to attribute '" + name + "' of '" + Py.typeName(obj)
            + "' object is unsafe.");
      };
    }
    return MISSING;
  }

  private static Object strMethod(String s, String name, Arguments a) {
    int line = a.line();
    return switch (name) {
      case "startswith", "endswith" -> {
        Object prefixes = a.get(0, "prefix", null);
        List<Object> options = prefixes instanceof List<?> l ? new ArrayList<>(l) : List.of(prefixes);
        String target = slice(s, a);
        for (Object p : options) {
          if (!(p instanceof String ps)) {
            throw TemplateException.at(line, "TypeError: " + name + " first arg must be str or a tuple of str, not "
                + Py.typeName(p));
          }
          if (name.equals("startswith") ? target.startsWith(ps) : target.endsWith(ps)) {
            yield true;
          }
        }
        yield false;
      }
      case "strip" -> PyStr.strip(s, a.string(0, "chars", null));
      case "lstrip" -> PyStr.lstrip(s, a.string(0, "chars", null));
      case "rstrip" -> PyStr.rstrip(s, a.string(0, "chars", null));
      case "split" -> PyStr.split(s, a.string(0, "sep", null), a.integer(1, "maxsplit", -1));
      case "rsplit" -> PyStr.rsplit(s, a.string(0, "sep", null), a.integer(1, "maxsplit", -1));
      case "splitlines" -> PyStr.splitlines(s, a.flag(0, "keepends", false));
      case "lower", "casefold" -> s.toLowerCase(Locale.ROOT);
      case "upper" -> s.toUpperCase(Locale.ROOT);
      case "title" -> PyStr.title(s);
      case "capitalize" -> PyStr.capitalize(s);
      case "swapcase" -> swapcase(s);
      case "replace" -> {
        String old = a.string(0, "old", null);
        String replacement = a.string(1, "new", null);
        long count = a.integer(2, "count", -1);
        yield replace(s, old, replacement, count);
      }
      case "find", "index" -> {
        int at = s.indexOf(a.string(0, "sub", null), (int) a.integer(1, "start", 0));
        if (at < 0 && name.equals("index")) {
          throw TemplateException.at(line, "ValueError: substring not found");
        }
        yield (long) at;
      }
      case "rfind", "rindex" -> {
        int at = s.lastIndexOf(a.string(0, "sub", null));
        if (at < 0 && name.equals("rindex")) {
          throw TemplateException.at(line, "ValueError: substring not found");
        }
        yield (long) at;
      }
      case "count" -> {
        String sub = a.string(0, "sub", null);
        if (sub.isEmpty()) {
          yield (long) s.length() + 1;
        }
        long n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
          n++;
        }
        yield n;
      }
      case "join" -> {
        StringBuilder out = new StringBuilder();
        List<Object> items = Py.iterate(a.get(0, "iterable", null), line);
        for (int i = 0; i < items.size(); i++) {
          if (!(items.get(i) instanceof String item)) {
            throw TemplateException.at(line, "TypeError: sequence item " + i + ": expected str instance, "
                + Py.typeName(items.get(i)) + " found");
          }
          out.append(i > 0 ? s : "").append(item);
        }
        yield out.toString();
      }
      case "format" -> format(s, a, line);
      case "isdigit", "isnumeric", "isdecimal" -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
      case "isalpha" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
      case "isalnum" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
      case "isspace" -> !s.isEmpty() && s.codePoints().allMatch(PyStr::isSpace);
      case "islower" -> s.codePoints().anyMatch(Character::isLowerCase) && s.codePoints().noneMatch(Character::isUpperCase);
      case "isupper" -> s.codePoints().anyMatch(Character::isUpperCase) && s.codePoints().noneMatch(Character::isLowerCase);
      case "istitle" -> !s.isEmpty() && PyStr.title(s).equals(s) && s.codePoints().anyMatch(Character::isLetter);
      case "zfill" -> {
        int width = (int) a.integer(0, "width", 0);
        boolean sign = !s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+');
        String body = sign ? s.substring(1) : s;
        String pad = "0".repeat(Math.max(0, width - s.length()));
        yield (sign ? s.substring(0, 1) : "") + pad + body;
      }
      case "center", "ljust", "rjust" -> PyStr.pad(s, (int) a.integer(0, "width", 0), a.string(1, "fillchar", " "), name);
      case "removeprefix" -> {
        String p = a.string(0, "prefix", "");
        yield s.startsWith(p) ? s.substring(p.length()) : s;
      }
      case "removesuffix" -> {
        String p = a.string(0, "suffix", "");
        yield !p.isEmpty() && s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s;
      }
      case "partition", "rpartition" -> {
        String sep = a.string(0, "sep", null);
        int at = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
        if (at < 0) {
          yield name.equals("partition") ? new PyTuple(List.of(s, "", "")) : new PyTuple(List.of("", "", s));
        }
        yield new PyTuple(List.of(s.substring(0, at), sep, s.substring(at + sep.length())));
      }
      default -> throw TemplateException.at(line, "str has no method " + name);
    };
  }

  /** The part of {@code s} between the optional start and end arguments of startswith/endswith. */
  private static String slice(String s, Arguments a) {
    int start = (int) Math.max(0, Math.min(s.length(), a.has(1, "start") ? a.integer(1, "start", 0) : 0));
    int end = (int) Math.max(start, Math.min(s.length(), a.has(2, "end") ? a.integer(2, "end", s.length()) : s.length()));
    return s.substring(start, end);
  }

  static String replace(String s, String old, String replacement, long count) {
    if (count < 0) {
      return s.replace(old, replacement);
    }
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (long n = 0; n < count; n++) {
      int at = s.indexOf(old, from);
      if (at < 0) {
        break;
      }
      out.append(s, from, at).append(replacement);
      from = at + old.length();
    }
    return out.append(s.substring(from)).toString();
  }

  private static String swapcase(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints().forEach(c -> out.appendCodePoint(Character.isUpperCase(c) ? Character.toLowerCase(c)
        : Character.isLowerCase(c) ? Character.toUpperCase(c) : c));
    return out.toString();
  }

  /** {@code str.format} with {@code {}}, {@code {0}} and {@code {name}} fields (no format specs). */
  private static String format(String s, Arguments a, int line) {
    StringBuilder out = new StringBuilder();
    int auto = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
        out.append('{');
        i++;
      } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
        out.append('}');
        i++;
      } else if (c == '{') {
        int close = s.indexOf('}', i);
        String field = s.substring(i + 1, close).split(":", 2)[0];
        Object value;
        if (field.isEmpty()) {
          value = a.get(auto++, "", null);
        } else if (field.chars().allMatch(Character::isDigit)) {
          value = a.get(Integer.parseInt(field), "", null);
        } else {
          value = a.get(Integer.MAX_VALUE, field, new Undefined("'" + field + "' is undefined"));
        }
        out.append(Py.str(value));
        i = close;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static Object dictMethod(Map<?, ?> m, String name, Arguments a) {
    return switch (name) {
      case "items" -> {
        List<Object> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(new PyTuple(java.util.Arrays.asList(k, v))));
        yield out;
      }
      case "keys" -> new ArrayList<>(m.keySet());
      case "values" -> new ArrayList<>(m.values());
      case "get" -> {
        Object key = a.get(0, "key", null);
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (Py.eq(e.getKey(), key)) {
            yield e.getValue();
          }
        }
        yield a.get(1, "default", null);
      }
      case "copy" -> new java.util.LinkedHashMap<>(m);
      default -> throw TemplateException.at(a.line(), "dict has no method " + name);
    };
  }

  private static Object listMethod(List<?> l, String name, Arguments a) {
    return switch (name) {
      case "index" -> {
        Object x = a.get(0, "value", null);
        for (int i = 0; i < l.size(); i++) {
          if (Py.eq(l.get(i), x)) {
            yield (long) i;
          }
        }
        throw TemplateException.at(a.line(), "ValueError: " + Py.repr(x) + " is not in list");
      }
      case "count" -> {
        Object x = a.get(0, "value", null);
        yield l.stream().filter(v -> Py.eq(v, x)).count();
      }
      case "copy" -> new ArrayList<>(l);
      default -> throw TemplateException.at(a.line(), "list has no method " + name);
    };
  }

  /** {@code [start:stop:step]} with Python's bounds rules. */
  record Slice(Object start, Object stop, Object step) {

    Object apply(Object seq, int line) {
      List<Object> items = Py.iterate(seq, line);
      int n = items.size();
      long st = step == null ? 1 : Py.toLong(step);
      if (st == 0) {
        throw TemplateException.at(line, "ValueError: slice step cannot be zero");
      }
      long lo;
      long hi;
      if (st > 0) {
        lo = start == null ? 0 : clamp(Py.toLong(start), n, 0, n);
        hi = stop == null ? n : clamp(Py.toLong(stop), n, 0, n);
      } else {
        lo = start == null ? n - 1 : clamp(Py.toLong(start), n, -1, n - 1);
        hi = stop == null ? -1 : clamp(Py.toLong(stop), n, -1, n - 1);
      }
      List<Object> out = new ArrayList<>();
      for (long i = lo; st > 0 ? i < hi : i > hi; i += st) {
        out.add(items.get((int) i));
      }
      if (seq instanceof String) {
        StringBuilder s = new StringBuilder();
        out.forEach(c -> s.append((String) c));
        return s.toString();
      }
      return seq instanceof PyTuple ? new PyTuple(out) : out;
    }

    private static long clamp(long index, int n, long min, long max) {
      long i = index < 0 ? index + n : index;
      return Math.max(min, Math.min(max, i));
    }
  }
}
