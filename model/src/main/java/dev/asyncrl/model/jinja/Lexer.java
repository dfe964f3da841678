package dev.asyncrl.model.jinja;

import dev.asyncrl.model.jinja.Token.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Splits a template into tokens exactly as Python Jinja2's lexer does with {@code trim_blocks} and
 * {@code lstrip_blocks} on (how Hugging Face renders chat templates):
 *
 * <ul>
 *   <li>newlines are normalised to {@code \n} and one trailing newline of the template is dropped;
 *   <li>{@code {%-}, {@code {{-}, {@code {#-} strip all whitespace before the tag; {@code -%}}, {@code -}}},
 *       {@code -#}} all whitespace after it;
 *   <li>trim_blocks: the first newline after a block or comment tag is removed (not after {@code +%}});
 *   <li>lstrip_blocks: spaces and tabs from the start of a line up to a block or comment tag are removed when
 *       nothing else precedes the tag on that line (not for {@code {%+} and not for {@code {{ }}).
 * </ul>
 */
final class Lexer {

  private static final String[] OPERATORS = {"//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[",
      "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"};

  private final String src;
  private final List<Token> out = new ArrayList<>();
  private int pos;
  private int line = 1;
  private boolean lineStarting = true;

  private Lexer(String source) {
    String s = source.replace("\r\n", "\n").replace('\r', '\n');
    if (s.endsWith("\n")) {
      s = s.substring(0, s.length() - 1); // keep_trailing_newline is off
    }
    this.src = s;
  }

  static List<Token> tokenize(String source) {
    Lexer lexer = new Lexer(source);
    lexer.root();
    lexer.out.add(new Token(Kind.EOF, "", lexer.line));
    return lexer.out;
  }

  private void root() {
    while (pos < src.length()) {
      int start = nextTag(pos);
      if (start < 0) {
        data(src.substring(pos), src.substring(pos));
        pos = src.length();
        return;
      }
      char type = src.charAt(start + 1);
      char sign = start + 2 < src.length() ? src.charAt(start + 2) : 0;
      boolean hasSign = sign == '-' || sign == '+';
      String raw = src.substring(pos, start);
      data(beforeTag(raw, sign, type == '{', lineStarting), raw);
      int afterBegin = start + 2 + (hasSign ? 1 : 0);
      if (type == '#') {
        comment(afterBegin);
      } else if (type == '%' && isRaw(afterBegin)) {
        rawBlock(afterBegin);
      } else {
        boolean block = type == '%';
        out.add(new Token(block ? Kind.BLOCK_BEGIN : Kind.VARIABLE_BEGIN, block ? "{%" : "{{", line));
        pos = afterBegin;
        insideTag(block);
      }
    }
  }

  /** The position of the next {@code {{}, {@code {%} or {@code {#} at or after {@code from}, or -1. */
  private int nextTag(int from) {
    for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
      char c = src.charAt(i + 1);
      if (c == '{' || c == '%' || c == '#') {
        return i;
      }
    }
    return -1;
  }

  /**
   * The text before a tag after whitespace control: {@code -} strips all trailing whitespace; otherwise, for a
   * block or comment tag not marked {@code +}, lstrip_blocks removes the whitespace between the start of the
   * tag's line (or of the template, when {@code lineStarting}) and the tag, when nothing else is there.
   */
  private static String beforeTag(String raw, char sign, boolean variable, boolean lineStarting) {
    if (sign == '-') {
      return PyStr.rstrip(raw, null);
    }
    if (sign != '+' && !variable) {
      int lpos = raw.lastIndexOf('\n') + 1;
      if ((lpos > 0 || lineStarting) && lpos < raw.length() && raw.substring(lpos).isBlank()) {
        return raw.substring(0, lpos);
      }
    }
    return raw;
  }

  private void data(String text, String raw) {
    if (!text.isEmpty()) {
      out.add(new Token(Kind.DATA, text, line));
    }
    line += count(raw, '\n');
    lineStarting = false; // Jinja2 sets it from the whole match, which ends with the tag's opening
  }

  private void comment(int from) {
    int end = src.indexOf("#}", from);
    if (end < 0) {
      throw TemplateException.at(line, "missing end of comment tag");
    }
    char before = end > from ? src.charAt(end - 1) : 0;
    int after = end + 2;
    if (before == '-') {
      after = skipWhitespace(after);
    } else if (before != '+' && after < src.length() && src.charAt(after) == '\n') {
      after++; // trim_blocks
    }
    line += count(src.substring(pos, after), '\n') - count(src.substring(pos, from), '\n');
    lineStarting = src.charAt(after - 1) == '\n';
    pos = after;
  }

  private boolean isRaw(int from) {
    int i = skipWhitespace(from);
    if (!src.startsWith("raw", i)) {
      return false;
    }
    i = skipWhitespace(i + 3);
    return src.startsWith("%}", i) || src.startsWith("-%}", i);
  }

  /** {@code {% raw %}...{% endraw %}}: the text between is data, tags and all. */
  private void rawBlock(int from) {
    int i = skipWhitespace(skipWhitespace(from) + 3);
    i = src.startsWith("-%}", i) ? skipWhitespace(i + 3) : i + 2;
    line += count(src.substring(pos, i), '\n');
    int search = i;
    while (true) {
      int tag = src.indexOf("{%", search);
      if (tag < 0) {
        throw TemplateException.at(line, "missing end of raw directive");
      }
      char sign = tag + 2 < src.length() ? src.charAt(tag + 2) : 0;
      int j = skipWhitespace(tag + 2 + (sign == '-' || sign == '+' ? 1 : 0));
      if (src.startsWith("endraw", j)) {
        j = skipWhitespace(j + 6);
        String text = beforeTag(src.substring(i, tag), sign, false, false);
        if (!text.isEmpty()) {
          out.add(new Token(Kind.DATA, text, line));
        }
        int end = tagEnd(j, true);
        if (end < 0) {
          throw TemplateException.at(line, "missing end of raw directive");
        }
        line += count(src.substring(i, end), '\n');
        lineStarting = src.charAt(end - 1) == '\n';
        pos = end;
        return;
      }
      search = tag + 2;
    }
  }

  private void insideTag(boolean block) {
    Deque<Character> balance = new ArrayDeque<>();
    while (true) {
      if (pos >= src.length()) {
        throw TemplateException.at(line, "unexpected end of template: missing " + (block ? "'%}'" : "'}}'"));
      }
      if (balance.isEmpty()) {
        int end = tagEnd(pos, block);
        if (end >= 0) {
          out.add(new Token(block ? Kind.BLOCK_END : Kind.VARIABLE_END, block ? "%}" : "}}", line));
          line += count(src.substring(pos, end), '\n');
          lineStarting = src.charAt(end - 1) == '\n';
          pos = end;
          return;
        }
      }
      char c = src.charAt(pos);
      if (Character.isWhitespace(c)) {
        int end = skipWhitespace(pos);
        line += count(src.substring(pos, end), '\n');
        pos = end;
      } else if (Character.isDigit(c)) {
        number();
      } else if (Character.isLetter(c) || c == '_') {
        int end = pos + 1;
        while (end < src.length() && (Character.isLetterOrDigit(src.charAt(end)) || src.charAt(end) == '_')) {
          end++;
        }
        out.add(new Token(Kind.NAME, src.substring(pos, end), line));
        pos = end;
      } else if (c == '\'' || c == '"') {
        string(c);
      } else {
        String op = operator();
        switch (op) {
          case "{" -> balance.push('}');
          case "(" -> balance.push(')');
          case "[" -> balance.push(']');
          case "}", ")", "]" -> {
            if (balance.isEmpty()) {
              throw TemplateException.at(line, "unexpected '" + op + "'");
            }
            char expected = balance.pop();
            if (expected != op.charAt(0)) {
              throw TemplateException.at(line, "unexpected '" + op + "', expected '" + expected + "'");
            }
          }
          default -> { }
        }
        out.add(new Token(Kind.OPERATOR, op, line));
        pos += op.length();
      }
    }
  }

  /** Where the end tag at {@code at} ends, whitespace control applied; -1 when there is none there. */
  private int tagEnd(int at, boolean block) {
    String close = block ? "%}" : "}}";
    if (block && src.startsWith("+" + close, at)) {
      return at + 3;
    }
    if (src.startsWith("-" + close, at)) {
      return skipWhitespace(at + 3);
    }
    if (src.startsWith(close, at)) {
      int end = at + 2;
      return block && end < src.length() && src.charAt(end) == '\n' ? end + 1 : end; // trim_blocks
    }
    return -1;
  }

  private void number() {
    int end = digits(pos);
    boolean isFloat = false;
    if (end + 1 < src.length() && src.charAt(end) == '.' && Character.isDigit(src.charAt(end + 1))) {
      end = digits(end + 1);
      isFloat = true;
    }
    if (end < src.length() && (src.charAt(end) == 'e' || src.charAt(end) == 'E')) {
      int e = end + 1;
      if (e < src.length() && (src.charAt(e) == '+' || src.charAt(e) == '-')) {
        e++;
      }
      if (e < src.length() && Character.isDigit(src.charAt(e))) {
        end = digits(e);
        isFloat = true;
      }
    }
    out.add(new Token(isFloat ? Kind.FLOAT : Kind.INTEGER, src.substring(pos, end).replace("_", ""), line));
    pos = end;
  }

  private int digits(int from) {
    int i = from;
    while (i < src.length() && (Character.isDigit(src.charAt(i)) || src.charAt(i) == '_' && i + 1 < src.length()
        && Character.isDigit(src.charAt(i + 1)))) {
      i++;
    }
    return i;
  }

  /** A quoted literal with Python's escapes ({@code \n}, {@code \t}, {@code \\}, {@code \'}, {@code \u00e9}, ...). */
  private void string(char quote) {
    StringBuilder value = new StringBuilder();
    int i = pos + 1;
    int startLine = line;
    while (true) {
      if (i >= src.length()) {
        throw TemplateException.at(startLine, "unterminated string");
      }
      char c = src.charAt(i);
      if (c == quote) {
        break;
      }
      if (c == '\n') {
        line++;
      }
      if (c != '\\' || i + 1 >= src.length()) {
        value.append(c);
        i++;
        continue;
      }
      char e = src.charAt(i + 1);
      i += 2;
      switch (e) {
        case 'n' -> value.append('\n');
        case 't' -> value.append('\t');
        case 'r' -> value.append('\r');
        case 'b' -> value.append('\b');
        case 'f' -> value.append('\f');
        case 'v' -> value.append('\u000b');
        case 'a' -> value.append('\u0007');
        case '\\' -> value.append('\\');
        case '\'' -> value.append('\'');
        case '"' -> value.append('"');
        case '\n' -> line++; // an escaped newline continues the literal
        case 'x', 'u', 'U' -> {
          int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          value.appendCodePoint(Integer.parseInt(src.substring(i, i + n), 16));
          i += n;
        }
        default -> {
          if (e >= '0' && e <= '7') {
            int end = i - 1;
            while (end < src.length() && end < i + 2 && src.charAt(end) >= '0' && src.charAt(end) <= '7') {
              end++;
            }
            value.append((char) Integer.parseInt(src.substring(i - 1, end), 8));
            i = end;
          } else {
            value.append('\\').append(e); // Python keeps unknown escapes as written
          }
        }
      }
    }
    out.add(new Token(Kind.STRING, value.toString(), startLine));
    pos = i + 1;
  }

  private String operator() {
    for (String op : OPERATORS) {
      if (src.startsWith(op, pos)) {
        return op;
      }
    }
    throw TemplateException.at(line, "unexpected character '" + src.charAt(pos) + "'");
  }

  private int skipWhitespace(int from) {
    int i = from;
    while (i < src.length() && Character.isWhitespace(src.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int count(String s, char c) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      n += s.charAt(i) == c ? 1 : 0;
    }
    return n;
  }
}
