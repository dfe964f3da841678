package dev.asyncrl.core.config;

/** How the text of a {@link RawValue} becomes a typed value, and how it is named in errors and docs. */
public interface ValueType<T> {

  /** Parses a scalar; returns null when the text is not of this type. */
  T parse(String text);

  /** The items of a comma-separated value ({@code "q_proj, v_proj"}), stripped, empty ones left out. */
  static java.util.List<String> commaSeparated(String text) {
    return java.util.Arrays.stream(text.split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList();
  }

  /** Parses a YAML list; returns null when this type is not written as a list (most are scalars only). */
  default T parseList(java.util.List<String> items) {
    return null;
  }

  /** Plain-words name of the type: "an integer", "a number", ... */
  String description();

  /** The value as YAML scalar text, for the resolved config. */
  default String format(T value) {
    return String.valueOf(value);
  }

  /** A constant whose name in a config file is not its lower-cased Java name (e.g. {@code seq-mean-token-mean}). */
  interface Named {
    String configName();
  }

  /** How {@code value} is written in a config file: its {@link Named#configName()}, or its lower-cased name. */
  static String configName(Enum<?> value) {
    return value instanceof Named n ? n.configName() : value.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** One of an enum's constants, by {@link #configName}: the choices are declared once, by the enum. */
  static <E extends Enum<E>> ValueType<E> choice(Class<E> type) {
    return new ValueType<>() {
      public E parse(String s) {
        for (E e : type.getEnumConstants()) {
          if (configName(e).equals(s)) {
            return e;
          }
        }
        return null;
      }

      public String description() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (E e : type.getEnumConstants()) {
          names.add(configName(e));
        }
        return "one of " + String.join(", ", names);
      }

      public String format(E value) {
        return configName(value);
      }
    };
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

  ValueType<String> STRING = new ValueType<>() {
    public String parse(String s) {
      return s;
    }

    /** Plain when YAML reads it back unchanged, else double-quoted with escapes. */
    public String format(String s) {
      if (s.isEmpty() || s.matches("[A-Za-z_/.][A-Za-z0-9_./@+-]*") && !s.matches("(?i)true|false|yes|no|null|on|off")) {
        return s;
      }
      StringBuilder q = new StringBuilder("\"");
      for (char c : s.toCharArray()) {
        switch (c) {
          case '"' -> q.append("\\\"");
          case '\\' -> q.append("\\\\");
          case '\n' -> q.append("\\n");
          case '\t' -> q.append("\\t");
          case '\r' -> q.append("\\r");
          default -> q.append(c);
        }
      }
      return q.append('"').toString();
    }

    public String description() {
      return "a string";
    }
  };

  ValueType<Boolean> BOOLEAN = new ValueType<>() {
    public Boolean parse(String s) {
      return switch (s) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        default -> null;
      };
    }

    public String description() {
      return "true or false";
    }
  };
}
