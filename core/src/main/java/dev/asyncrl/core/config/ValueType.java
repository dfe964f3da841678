package dev.asyncrl.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How the text of a {@link RawValue} becomes a typed value, and how it is named in errors and docs. */
public interface ValueType<T> {

  /** Parses a scalar; returns null when the text is not of this type. */
  T parse(String text);

  /** Plain-words name of the type: "an integer", "a number", ... */
  String description();

  /** The value as YAML scalar text, for the resolved config. */
  default String format(T value) {
    return String.valueOf(value);
  }

  ValueType<Integer> INTEGER = new ValueType<>() {
    public Integer parse(String s) {
      try {
        return Integer.valueOf(s.replace("_", ""));
      } catch (NumberFormatException e) {
        return null;
      }
    }

    public String description() {
      return "an integer";
    }
  };

  ValueType<Long> LONG = new ValueType<>() {
    public Long parse(String s) {
      try {
        return Long.valueOf(s.replace("_", ""));
      } catch (NumberFormatException e) {
        return null;
      }
    }

    public String description() {
      return "an integer";
    }
  };

  ValueType<Double> NUMBER = new ValueType<>() {
    public Double parse(String s) {
      try {
        double d = Double.parseDouble(s.replace("_", ""));
        return Double.isFinite(d) ? d : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }

    public String description() {
      return "a number";
    }
  };

  ValueType<Boolean> BOOLEAN = new ValueType<>() {
    public Boolean parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        default -> null;
      };
    }

    public String description() {
      return "true or false";
    }
  };

  ValueType<String> STRING = new ValueType<>() {
    public String parse(String s) {
      return s;
    }

    public String description() {
      return "a string";
    }
  };

  /** A list of integers, written as a YAML sequence or a comma-separated override. */
  ValueType<List<Integer>> INTEGER_LIST = new ValueType<>() {
    public List<Integer> parse(String s) {
      List<Integer> out = new ArrayList<>();
      String body = s.strip();
      if (body.startsWith("[") && body.endsWith("]")) {
        body = body.substring(1, body.length() - 1);
      }
      if (body.isBlank()) {
        return out;
      }
      for (String part : body.split(",")) {
        Integer v = INTEGER.parse(part.strip());
        if (v == null) {
          return null;
        }
        out.add(v);
      }
      return out;
    }

    public String description() {
      return "a list of integers";
    }

    public String format(List<Integer> value) {
      return value.toString();
    }
  };
}
