package dev.asyncrl.model.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Python's {@code str} behaviour: whitespace, stripping, splitting, case, {@code repr} and {@code %} formatting. */
final class PyStr {
  private PyStr() {}

  /** Python's {@code str.isspace} per character. */
  static boolean isSpace(int c) {
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f) || c == 0x85 || c == 0xa0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
  }

  private static boolean strips(int c, String chars) {
    return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
  }

  /** {@code s.rstrip(chars)}; null chars = whitespace. */
  static String rstrip(String s, String chars) {
    int end = s.length();
    while (end > 0 && strips(s.charAt(end - 1), chars)) {
      end--;
    }
    return s.substring(0, end);
  }

  static String lstrip(String s, String chars) {
    int start = 0;
    while (start < s.length() && strips(s.charAt(start), chars)) {
      start++;
    }
    return s.substring(start);
  }

  static String strip(String s, String chars) {
    return lstrip(rstrip(s, chars), chars);
  }

  /** Code-point order, as Python compares strings. */
  static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** {@code s.split(sep, maxsplit)}; null sep splits on runs of whitespace and drops empty ends. */
  static List<Object> split(String s, String sep, long maxsplit) {
    List<Object> out = new ArrayList<>();
    if (sep == null) {
      int i = 0;
      int n = s.length();
      while (true) {
        while (i < n && isSpace(s.charAt(i))) {
          i++;
        }
        if (i >= n) {
          return out;
        }
        if (maxsplit >= 0 && out.size() == maxsplit) {
          out.add(rstrip(s.substring(i), null));
          return out;
        }
        int j = i;
        while (j < n && !isSpace(s.charAt(j))) {
          j++;
        }
        out.add(s.substring(i, j));
        i = j;
      }
    }
    if (sep.isEmpty()) {
      throw new IllegalArgumentException("ValueError: empty separator");
    }
    int start = 0;
    while (maxsplit < 0 || out.size() < maxsplit) {
      int at = s.indexOf(sep, start);
      if (at < 0) {
        break;
      }
      out.add(s.substring(start, at));
      start = at + sep.length();
    }
    out.add(s.substring(start));
    return out;
  }

  /** {@code s.rsplit(sep, maxsplit)}. */
  static List<Object> rsplit(String s, String sep, long maxsplit) {
    if (maxsplit < 0) {
      return split(s, sep, -1);
    }
    if (sep == null) {
      List<Object> rev = split(new StringBuilder(s).reverse().toString(), null, maxsplit);
      List<Object> out = new ArrayList<>();
      for (int i = rev.size() - 1; i >= 0; i--) {
        out.add(new StringBuilder((String) rev.get(i)).reverse().toString());
      }
      return out;
    }
    List<Object> out = new ArrayList<>();
    int end = s.length();
    while (out.size() < maxsplit) {
      int at = s.lastIndexOf(sep, end - sep.length());
      if (at < 0 || end - sep.length() < 0) {
        break;
      }
      out.add(0, s.substring(at + sep.length(), end));
      end = at;
    }
    out.add(0, s.substring(0, end));
    return out;
  }

  static List<Object> splitlines(String s, boolean keepends) {
    List<Object> out = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      int eol = 0;
      if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
        eol = 2;
      } else if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e || c == 0x85
          || c == 0x2028 || c == 0x2029) {
        eol = 1;
      }
      if (eol > 0) {
        out.add(s.substring(start, keepends ? i + eol : i));
        i += eol;
        start = i;
      } else {
        i++;
      }
    }
    if (start < s.length()) {
      out.add(s.substring(start));
    }
    return out;
  }

  /** Python's {@code str.title()}: a letter after a non-letter is upper case, every other letter lower case. */
  static String title(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean previousCased = false;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      if (Character.isLetter(c)) {
        out.appendCodePoint(previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
        previousCased = true;
      } else {
        out.appendCodePoint(c);
        previousCased = false;
      }
      i += Character.charCount(c);
    }
    return out.toString();
  }

  /** Python's {@code str.capitalize()}: the first character upper case, the rest lower case. */
  static String capitalize(String s) {
    if (s.isEmpty()) {
      return s;
    }
    int first = s.codePointAt(0);
    return new StringBuilder().appendCodePoint(Character.toTitleCase(first))
        .append(s.substring(Character.charCount(first)).toLowerCase(Locale.ROOT)).toString();
  }

  /** Python's {@code repr} of a string: single quotes unless it holds a single quote and no double quote. */
  static String repr(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder out = new StringBuilder().append(quote);
    s.codePoints().forEach(c -> {
      if (c == quote || c == '\\') {
        out.append('\\').appendCodePoint(c);
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c == '\t') {
        out.append("\\t");
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", c));
      } else if (!printable(c)) {
        out.append(c <= 0xff ? String.format("\\x%02x", c) : c <= 0xffff ? String.format("\\u%04x", c)
            : String.format("\\U%08x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.append(quote).toString();
  }

  /** Python's {@code str.isprintable} for one character (approximated by Unicode category). */
  private static boolean printable(int c) {
    if (c == ' ') {
      return true;
    }
    int type = Character.getType(c);
    return !(type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
        || type == Character.PRIVATE_USE || type == Character.UNASSIGNED || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR || type == Character.SPACE_SEPARATOR);
  }

  /** Python's {@code str.center/ljust/rjust}: {@code s} padded with {@code fill} to {@code width}. */
  static String pad(String s, int width, String fill, String how) {
    int total = Math.max(0, width - s.length());
    int left = how.equals("ljust") ? 0 : how.equals("rjust") ? total : total / 2 + (total & width & 1);
    return fill.repeat(left) + s + fill.repeat(total - left);
  }

  /** {@code format % args} for the conversions templates use: {@code %s %r %d %i %f %%} and {@code %(name)s}. */
  static String percentFormat(String format, Object args, int line) {
    List<Object> values = new ArrayList<>();
    if (args instanceof PyTuple t) {
      values.addAll(t);
    } else {
      values.add(args);
    }
    StringBuilder out = new StringBuilder();
    int next = 0;
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%') {
        out.append(c);
        continue;
      }
      i++;
      if (i >= format.length()) {
        throw TemplateException.at(line, "ValueError: incomplete format");
      }
      Object value;
      if (format.charAt(i) == '(') {
        int close = format.indexOf(')', i);
        String key = format.substring(i + 1, close);
        value = args instanceof Map<?, ?> m ? m.get(key) : null;
        i = close + 1;
      } else if (format.charAt(i) == '%') {
        out.append('%');
        continue;
      } else {
        if (next >= values.size()) {
          throw TemplateException.at(line, "TypeError: not enough arguments for format string");
        }
        value = values.get(next++);
      }
      StringBuilder spec = new StringBuilder();
      while (i < format.length() && "-+ 0#.0123456789".indexOf(format.charAt(i)) >= 0) {
        spec.append(format.charAt(i++));
      }
      char conv = format.charAt(i);
      String rendered = switch (conv) {
        case 's' -> Py.str(value);
        case 'r' -> Py.repr(value);
        case 'd', 'i' -> Long.toString(Py.toLong(value));
        case 'f', 'F', 'e', 'g' -> String.format(Locale.ROOT, "%" + spec + conv, Py.toDouble(value));
        default -> throw TemplateException.at(line, "ValueError: unsupported format character '" + conv + "'");
      };
      if (conv != 'f' && conv != 'F' && conv != 'e' && conv != 'g' && !spec.isEmpty()) {
        String width = spec.toString().replaceAll("[^0-9.]", "");
        int w = width.isEmpty() || width.startsWith(".") ? 0 : Integer.parseInt(width.split("\\.")[0]);
        boolean left = spec.indexOf("-") >= 0;
        while (rendered.length() < w) {
          rendered = left ? rendered + " " : " " + rendered;
        }
      }
      out.append(rendered);
    }
    return out.toString();
  }
}
