package dev.asyncrl.model.jinja;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python's semantics for the values a template sees: {@code null} is None, {@link Undefined}, Boolean, Long
 * (int), Double (float), String, List (list; {@link PyTuple} for tuple), Map (dict, insertion-ordered),
 * {@link Namespace} and {@link PyCallable}. Truth, {@code str()}, {@code repr()}, equality, ordering and the
 * arithmetic operators behave as in CPython, because the reference renders come from Python.
 */
final class Py {
  private Py() {}

  /** Converts host values into template values: ints to Long, floats to Double, arrays and collections to lists. */
  static Object wrap(Object v) {
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(wrap(k), wrap(x)));
      return out;
    }
    if (v instanceof Collection<?> c && !(v instanceof PyTuple)) {
      List<Object> out = new ArrayList<>(c.size());
      c.forEach(x -> out.add(wrap(x)));
      return out;
    }
    if (v instanceof Object[] a) {
      return wrap(List.of(a));
    }
    return v;
  }

  static boolean truthy(Object v) {
    if (v == null || v instanceof Undefined) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Long l) {
      return l != 0;
    }
    if (v instanceof Double d) {
      return d != 0;
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof List<?> l) {
      return !l.isEmpty();
    }
    if (v instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    return true;
  }

  static String typeName(Object v) {
    if (v == null) {
      return "NoneType";
    }
    if (v instanceof Undefined) {
      return "Undefined";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof Long) {
      return "int";
    }
    if (v instanceof Double) {
      return "float";
    }
    if (v instanceof String) {
      return "str";
    }
    if (v instanceof PyTuple) {
      return "tuple";
    }
    if (v instanceof List<?>) {
      return "list";
    }
    if (v instanceof Map<?, ?>) {
      return "dict";
    }
    if (v instanceof Namespace) {
      return "Namespace";
    }
    return "function";
  }

  /** {@code str(v)}; Undefined prints as nothing. */
  static String str(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Undefined) {
      return "";
    }
    return repr(v);
  }

  /** {@code repr(v)}. */
  static String repr(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof Undefined) {
      return "Undefined";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof Long l) {
      return l.toString();
    }
    if (v instanceof Double d) {
      return floatRepr(d);
    }
    if (v instanceof String s) {
      return PyStr.repr(s);
    }
    if (v instanceof PyTuple t) {
      StringBuilder out = new StringBuilder("(");
      for (int i = 0; i < t.size(); i++) {
        out.append(i > 0 ? ", " : "").append(repr(t.get(i)));
      }
      return out.append(t.size() == 1 ? ",)" : ")").toString();
    }
    if (v instanceof List<?> l) {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < l.size(); i++) {
        out.append(i > 0 ? ", " : "").append(repr(l.get(i)));
      }
      return out.append(']').toString();
    }
    if (v instanceof Map<?, ?> m) {
      StringBuilder out = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
        first = false;
      }
      return out.append('}').toString();
    }
    if (v instanceof Namespace n) {
      return "<Namespace " + repr(n.attributes) + ">";
    }
    return "<function>";
  }

  /** Python's {@code float.__repr__}: the shortest digits that round-trip, as Python lays them out. */
  static String floatRepr(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    String digits = exact.unscaledValue().toString();
    int exponent = digits.length() - 1 - exact.scale(); // value = d.ddd × 10^exponent
    StringBuilder out = new StringBuilder(d < 0 ? "-" : "");
    if (exponent < -4 || exponent >= 16) {
      out.append(digits.charAt(0));
      if (digits.length() > 1) {
        out.append('.').append(digits, 1, digits.length());
      }
      out.append('e').append(exponent < 0 ? '-' : '+');
      String e = Integer.toString(Math.abs(exponent));
      out.append(e.length() < 2 ? "0" + e : e);
    } else if (exponent < 0) {
      out.append("0.").append("0".repeat(-exponent - 1)).append(digits);
    } else if (digits.length() <= exponent + 1) {
      out.append(digits).append("0".repeat(exponent + 1 - digits.length())).append(".0");
    } else {
      out.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
    }
    return out.toString();
  }

  static boolean isNumber(Object v) {
    return v instanceof Long || v instanceof Double || v instanceof Boolean;
  }

  static double toDouble(Object v) {
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return ((Number) v).doubleValue();
  }

  static long toLong(Object v) {
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return ((Number) v).longValue();
  }

  /** Python {@code ==}: numbers by value (True == 1), sequences and dicts element-wise. */
  static boolean eq(Object a, Object b) {
    if (a == b || a instanceof Undefined && b instanceof Undefined) {
      return true;
    }
    if (a == null || b == null || a instanceof Undefined || b instanceof Undefined) {
      return false;
    }
    if (isNumber(a) && isNumber(b)) {
      if (a instanceof Double || b instanceof Double) {
        return toDouble(a) == toDouble(b);
      }
      return toLong(a) == toLong(b);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size() || (a instanceof PyTuple) != (b instanceof PyTuple)) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!eq(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (Map.Entry<?, ?> e : x.entrySet()) {
        if (!y.containsKey(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /** Python ordering ({@code <}); numbers with numbers, strings with strings, sequences lexicographically. */
  static int compare(Object a, Object b, int line) {
    if (isNumber(a) && isNumber(b)) {
      return Double.compare(toDouble(a), toDouble(b));
    }
    if (a instanceof String x && b instanceof String y) {
      return PyStr.compare(x, y);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
        if (!eq(x.get(i), y.get(i))) {
          return compare(x.get(i), y.get(i), line);
        }
      }
      return Integer.compare(x.size(), y.size());
    }
    throw TemplateException.at(line, "TypeError: '<' not supported between instances of '" + typeName(a) + "' and '"
        + typeName(b) + "'");
  }

  /** Python {@code in}: substring, element, or key. */
  static boolean contains(Object container, Object item, int line) {
    if (container instanceof String s) {
      if (!(item instanceof String sub)) {
        throw TemplateException.at(line, "TypeError: 'in <string>' requires string as left operand, not "
            + typeName(item));
      }
      return s.contains(sub);
    }
    if (container instanceof List<?> l) {
      for (Object x : l) {
        if (eq(x, item)) {
          return true;
        }
      }
      return false;
    }
    if (container instanceof Map<?, ?> m) {
      for (Object k : m.keySet()) {
        if (eq(k, item)) {
          return true;
        }
      }
      return false;
    }
    if (container instanceof Undefined) {
      return false; // Jinja's Undefined iterates as empty
    }
    throw TemplateException.at(line, "TypeError: argument of type '" + typeName(container) + "' is not iterable");
  }

  /** The items a {@code for} loop or a filter iterates: characters, elements, or keys. */
  static List<Object> iterate(Object v, int line) {
    if (v instanceof List<?> l) {
      return new ArrayList<>(l);
    }
    if (v instanceof Map<?, ?> m) {
      return new ArrayList<>(m.keySet());
    }
    if (v instanceof String s) {
      List<Object> out = new ArrayList<>();
      s.codePoints().forEach(c -> out.add(new String(Character.toChars(c))));
      return out;
    }
    if (v instanceof Undefined) {
      return List.of(); // iterating an undefined value yields nothing
    }
    throw TemplateException.at(line, "TypeError: '" + typeName(v) + "' object is not iterable");
  }

  static long len(Object v, int line) {
    if (v instanceof String s) {
      return s.codePointCount(0, s.length());
    }
    if (v instanceof List<?> l) {
      return l.size();
    }
    if (v instanceof Map<?, ?> m) {
      return m.size();
    }
    if (v instanceof Undefined) {
      return 0;
    }
    throw TemplateException.at(line, "TypeError: object of type '" + typeName(v) + "' has no len()");
  }

  /** The binary operators {@code + - * / // % **} with Python's rules. */
  static Object arithmetic(String op, Object a, Object b, int line) {
    if (a instanceof Undefined u) {
      throw u.fail(line);
    }
    if (b instanceof Undefined u) {
      throw u.fail(line);
    }
    if (isNumber(a) && isNumber(b)) {
      boolean floats = a instanceof Double || b instanceof Double;
      return switch (op) {
        case "+" -> floats ? (Object) (toDouble(a) + toDouble(b)) : (Object) (toLong(a) + toLong(b));
        case "-" -> floats ? (Object) (toDouble(a) - toDouble(b)) : (Object) (toLong(a) - toLong(b));
        case "*" -> floats ? (Object) (toDouble(a) * toDouble(b)) : (Object) (toLong(a) * toLong(b));
        case "/" -> {
          if (toDouble(b) == 0) {
            throw TemplateException.at(line, "ZeroDivisionError: division by zero");
          }
          yield toDouble(a) / toDouble(b);
        }
        case "//" -> {
          if (toDouble(b) == 0) {
            throw TemplateException.at(line, "ZeroDivisionError: integer division or modulo by zero");
          }
          yield floats ? (Object) Math.floor(toDouble(a) / toDouble(b)) : (Object) Math.floorDiv(toLong(a), toLong(b));
        }
        case "%" -> {
          if (toDouble(b) == 0) {
            throw TemplateException.at(line, "ZeroDivisionError: integer division or modulo by zero");
          }
          if (floats) {
            double x = toDouble(a);
            double y = toDouble(b);
            double r = x % y;
            yield r != 0 && (r < 0) != (y < 0) ? r + y : r;
          }
          yield Math.floorMod(toLong(a), toLong(b));
        }
        case "**" -> floats || toLong(b) < 0 ? (Object) Math.pow(toDouble(a), toDouble(b))
            : (Object) (long) Math.pow(toLong(a), toLong(b));
        default -> throw TemplateException.at(line, "unknown operator " + op);
      };
    }
    if (op.equals("+") && a instanceof String x && b instanceof String y) {
      return x + y;
    }
    if (op.equals("+") && a instanceof List<?> x && b instanceof List<?> y && (a instanceof PyTuple) == (b instanceof PyTuple)) {
      List<Object> out = new ArrayList<>(x);
      out.addAll(y);
      return a instanceof PyTuple ? new PyTuple(out) : out;
    }
    if (op.equals("*") && (a instanceof String || a instanceof List<?>) && (b instanceof Long || b instanceof Boolean)) {
      return repeat(a, toLong(b));
    }
    if (op.equals("*") && (b instanceof String || b instanceof List<?>) && (a instanceof Long || a instanceof Boolean)) {
      return repeat(b, toLong(a));
    }
    if (op.equals("%") && a instanceof String format) {
      return PyStr.percentFormat(format, b, line);
    }
    throw TemplateException.at(line, "TypeError: unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '"
        + typeName(b) + "'");
  }

  private static Object repeat(Object seq, long times) {
    if (seq instanceof String s) {
      return times <= 0 ? "" : s.repeat((int) times);
    }
    List<Object> out = new ArrayList<>();
    for (long i = 0; i < times; i++) {
      out.addAll((List<?>) seq);
    }
    return seq instanceof PyTuple ? new PyTuple(out) : out;
  }
}
