package dev.asyncrl.rollout.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Map;

/**
 * {@code calculator}: evaluates an arithmetic expression exactly, in decimal: numbers, {@code + - * /},
 * {@code ^} (whole powers), unary minus and parentheses. The result is written plainly ({@code 12.5}, not
 * {@code 1.25E+1}); a division that does not end is rounded to 20 significant digits.
 */
public final class Calculator implements Tool {

  private static final MathContext DIVISION = new MathContext(20);

  @Override
  public String name() {
    return "calculator";
  }

  @Override
  public String description() {
    return "Evaluate an arithmetic expression with + - * / ^ and parentheses, e.g. (12 + 30) / 4";
  }

  @Override
  public Map<String, Object> parameters() {
    return OrderedMap.of("type", "object",
        "properties", OrderedMap.of("expression", OrderedMap.of("type", "string", "description", "the expression to evaluate")),
        "required", List.of("expression"));
  }

  @Override
  public String call(JsonNode arguments) {
    JsonNode expression = arguments.get("expression");
    if (expression == null || !expression.isTextual()) {
      throw new IllegalArgumentException("calculator needs \"expression\" as a string");
    }
    return evaluate(expression.asText()).stripTrailingZeros().toPlainString();
  }

  /** The value of {@code expression}; an {@link IllegalArgumentException} says where it cannot be read. */
  public static BigDecimal evaluate(String expression) {
    Parser p = new Parser(expression);
    BigDecimal value = p.sum();
    p.skipSpaces();
    if (p.at < expression.length()) {
      throw p.error("unexpected '" + expression.charAt(p.at) + "'");
    }
    return value;
  }

  /** Recursive descent: sum := product (('+'|'-') product)*; product := power (('*'|'/') power)*; … */
  private static final class Parser {
    final String text;
    int at;

    Parser(String text) {
      this.text = text;
    }

    BigDecimal sum() {
      BigDecimal value = product();
      while (true) {
        if (eat('+')) {
          value = value.add(product());
        } else if (eat('-')) {
          value = value.subtract(product());
        } else {
          return value;
        }
      }
    }

    BigDecimal product() {
      BigDecimal value = power();
      while (true) {
        if (eat('*')) {
          value = value.multiply(power());
        } else if (eat('/')) {
          BigDecimal divisor = power();
          if (divisor.signum() == 0) {
            throw error("division by zero");
          }
          value = value.divide(divisor, DIVISION);
        } else {
          return value;
        }
      }
    }

    BigDecimal power() {
      BigDecimal base = unary();
      if (eat('^')) {
        BigDecimal exponent = power(); // right-associative
        int n;
        try {
          n = exponent.intValueExact();
        } catch (ArithmeticException e) {
          throw error("the exponent must be a whole number");
        }
        if (Math.abs(n) > 999) {
          throw error("the exponent is too large");
        }
        return n >= 0 ? base.pow(n) : BigDecimal.ONE.divide(base.pow(-n), DIVISION);
      }
      return base;
    }

    BigDecimal unary() {
      if (eat('-')) {
        return unary().negate();
      }
      if (eat('+')) {
        return unary();
      }
      if (eat('(')) {
        BigDecimal value = sum();
        if (!eat(')')) {
          throw error("missing ')'");
        }
        return value;
      }
      return number();
    }

    BigDecimal number() {
      skipSpaces();
      int start = at;
      while (at < text.length() && (Character.isDigit(text.charAt(at)) || text.charAt(at) == '.' || text.charAt(at) == ',')) {
        at++;
      }
      if (start == at) {
        throw error(at < text.length() ? "expected a number at '" + text.charAt(at) + "'" : "the expression ends early");
      }
      try {
        return new BigDecimal(text.substring(start, at).replace(",", ""));
      } catch (NumberFormatException e) {
        throw error("'" + text.substring(start, at) + "' is not a number");
      }
    }

    boolean eat(char c) {
      skipSpaces();
      if (at < text.length() && (text.charAt(at) == c || c == '*' && text.charAt(at) == '×')) {
        at++;
        return true;
      }
      return false;
    }

    void skipSpaces() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
        at++;
      }
    }

    IllegalArgumentException error(String problem) {
      return new IllegalArgumentException("cannot evaluate '" + text + "': " + problem + " (at character " + (at + 1) + ")");
    }
  }
}
