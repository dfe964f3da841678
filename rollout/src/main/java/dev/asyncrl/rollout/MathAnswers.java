package dev.asyncrl.rollout;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Final-answer extraction and equivalence for math tasks. Pure functions.
 *
 * <p>Extraction, first rule that applies: the text after the last {@code ####} (GSM8K), the content of
 * the last {@code \boxed{...}} (MATH; nested braces allowed), else the last number in the text.
 *
 * <p>Equivalence: both sides are normalised (thousands separators, {@code $}, {@code %}, trailing units and
 * punctuation, {@code \frac}/{@code \dfrac}, {@code \left}/{@code \right}, spaces) and compared as exact
 * rationals when both parse as numbers (so {@code 0.5 = 1/2 = \frac{1}{2}} and {@code 1,000 = 1000.0}),
 * else as normalised strings.
 */
public final class MathAnswers {
  private MathAnswers() {}

  private static final Pattern NUMBER = Pattern.compile("-?\\d[\\d,]*(?:\\.\\d+)?|-?\\.\\d+");
  private static final Pattern SIMPLE_FRACTION = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*/\\s*(-?\\d+(?:\\.\\d+)?)");
  private static final Pattern TEX_FRACTION = Pattern.compile("(-?)\\\\[dt]?frac\\{([^{}]*)\\}\\{([^{}]*)\\}");
  private static final Pattern TEX_FRACTION_SHORT = Pattern.compile("(-?)\\\\[dt]?frac(\\d)(\\d)");
  private static final Pattern TEXT = Pattern.compile("\\\\text\\{\\s*([^{}]*)\\}");
  private static final Pattern WHOLE_BOX = Pattern.compile("^\\\\boxed\\{(.*)\\}$");
  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final Pattern END_PUNCTUATION = Pattern.compile("[.。!]+$");
  /** A number followed by words is a number with a unit: "18 dollars", "5 cm", "3 apples". */
  private static final Pattern WITH_UNIT =
      Pattern.compile("^(-?[\\d,]*\\.?\\d+(?:\\s*/\\s*\\d+)?)\\s*[A-Za-z°][A-Za-z°^2-3 ./]*$");
  private static final Pattern THOUSANDS = Pattern.compile("-?\\d{1,3}(,\\d{3})+(\\.\\d+)?");
  private static final Pattern DECIMAL = Pattern.compile("-?\\d+(\\.\\d+)?|-?\\.\\d+");

  /** The final answer a response (or a reference solution) states; empty when it states none. */
  public static Optional<String> extract(String text) {
    int hashes = text.lastIndexOf("####");
    if (hashes >= 0) {
      String after = text.substring(hashes + 4).strip();
      int line = after.indexOf('\n');
      after = line >= 0 ? after.substring(0, line).strip() : after;
      return after.isEmpty() ? Optional.empty() : Optional.of(after);
    }
    String boxed = lastBoxed(text);
    if (boxed != null) {
      return Optional.of(boxed.strip());
    }
    String last = null;
    Matcher m = NUMBER.matcher(text);
    while (m.find()) {
      last = m.group();
    }
    return Optional.ofNullable(last);
  }

  /** The content of the last {@code \boxed{...}} or {@code \fbox{...}}, braces balanced; null when none. */
  static String lastBoxed(String text) {
    int at = Math.max(text.lastIndexOf("\\boxed"), text.lastIndexOf("\\fbox"));
    if (at < 0) {
      return null;
    }
    int open = text.indexOf('{', at);
    if (open < 0) {
      return null;
    }
    int depth = 0;
    for (int i = open; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return text.substring(open + 1, i);
      }
    }
    return null; // unbalanced: the response was cut off inside the box
  }

  /** Whether {@code predicted} and {@code reference} state the same answer. */
  public static boolean equivalent(String predicted, String reference) {
    String a = normalize(predicted);
    String b = normalize(reference);
    if (a.isEmpty() || b.isEmpty()) {
      return false;
    }
    Optional<BigDecimal[]> x = rational(a);
    Optional<BigDecimal[]> y = rational(b);
    if (x.isPresent() && y.isPresent()) {
      // p/q == r/s  ⇔  p·s == r·q (exact; no rounding)
      return x.get()[0].multiply(y.get()[1]).compareTo(y.get()[0].multiply(x.get()[1])) == 0;
    }
    return a.equals(b);
  }

  /** Whether a response's extracted answer matches the reference answer. */
  public static boolean correct(String response, String referenceAnswer) {
    return extract(response).map(a -> equivalent(a, referenceAnswer)).orElse(false);
  }

  static String normalize(String s) {
    String t = s.strip();
    t = t.replace("\\left", "").replace("\\right", "").replace("\\!", "").replace("\\,", "").replace("\\ ", "")
        .replace("\\$", "").replace("$", "").replace("\\%", "").replace("%", "");
    t = TEXT.matcher(t).replaceAll("$1");
    t = WHOLE_BOX.matcher(t).replaceAll("$1");
    t = TEX_FRACTION.matcher(t).replaceAll("$1($2)/($3)");
    t = TEX_FRACTION_SHORT.matcher(t).replaceAll("$1$2/$3");
    t = SPACES.matcher(t).replaceAll(" ").strip();
    t = END_PUNCTUATION.matcher(t).replaceAll("");          // "42." at the end of a sentence
    Matcher unit = WITH_UNIT.matcher(t);
    if (unit.matches()) {
      t = unit.group(1);
    }
    if (THOUSANDS.matcher(t).matches()) {
      t = t.replace(",", "");                                 // thousands separators
    }
    t = t.replace("(", "").replace(")", "").replace(" ", "");
    return t.toLowerCase(Locale.ROOT);
  }

  /** {numerator, denominator} of a decimal or a simple fraction; empty when not a number. */
  static Optional<BigDecimal[]> rational(String s) {
    try {
      Matcher f = SIMPLE_FRACTION.matcher(s);
      if (f.matches()) {
        BigDecimal den = new BigDecimal(f.group(2));
        return den.signum() == 0 ? Optional.empty() : Optional.of(new BigDecimal[] {new BigDecimal(f.group(1)), den});
      }
      if (DECIMAL.matcher(s).matches()) {
        return Optional.of(new BigDecimal[] {new BigDecimal(s), BigDecimal.ONE});
      }
      return Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
