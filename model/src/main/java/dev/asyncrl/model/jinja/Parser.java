package dev.asyncrl.model.jinja;

import dev.asyncrl.model.jinja.Expr.Args;
import dev.asyncrl.model.jinja.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds statements and expressions from tokens with Jinja2's grammar and operator precedence (lowest first):
 * {@code x if c else y}, {@code or}, {@code and}, {@code not}, comparisons and {@code in}, {@code + -},
 * {@code ~}, {@code * / // %}, {@code **}, unary {@code - +}, then postfix access, calls, filters and tests.
 * So {@code not x is defined} is {@code not (x is defined)} and {@code -x|abs} is {@code abs(-x)}.
 */
final class Parser {

  private static final Set<String> COMPARE = Set.of("==", "!=", "<", "<=", ">", ">=");

  private final List<Token> tokens;
  private int pos;

  private Parser(List<Token> tokens) {
    this.tokens = tokens;
  }

  static List<Node> parse(List<Token> tokens) {
    Parser p = new Parser(tokens);
    List<Node> body = p.subparse(Set.of());
    if (p.current().kind() != Kind.EOF) {
      throw p.error("unexpected '" + p.current().text() + "'");
    }
    return body;
  }

  // ---------------------------------------------------------------- statements

  /** Statements up to a block tag whose name is in {@code ends} (left as the current token) or the end. */
  private List<Node> subparse(Set<String> ends) {
    List<Node> body = new ArrayList<>();
    while (true) {
      Token t = current();
      switch (t.kind()) {
        case EOF -> {
          if (!ends.isEmpty()) {
            throw error("unexpected end of template; expected one of " + ends);
          }
          return body;
        }
        case DATA -> {
          body.add(new Node.Text(t.text()));
          pos++;
        }
        case VARIABLE_BEGIN -> {
          pos++;
          body.add(new Node.Print(tuple(false, true, Set.of(), false)));
          expect(Kind.VARIABLE_END, "}}");
        }
        case BLOCK_BEGIN -> {
          pos++;
          Token name = current();
          if (name.kind() == Kind.NAME && ends.contains(name.text())) {
            return body;
          }
          body.add(statement());
        }
        default -> throw error("unexpected '" + t.text() + "'");
      }
    }
  }

  private Node statement() {
    Token t = current();
    if (t.kind() != Kind.NAME) {
      throw error("expected a statement name, got '" + t.text() + "'");
    }
    pos++;
    return switch (t.text()) {
      case "if" -> ifStatement();
      case "for" -> forStatement(t.line());
      case "set" -> setStatement(t.line());
      case "macro" -> macro(t.line());
      case "call" -> callBlock(t.line());
      case "filter" -> filterBlock();
      case "with" -> withBlock();
      case "generation" -> {
        endOfTag();
        List<Node> body = subparse(Set.of("endgeneration"));
        endTag();
        yield new Node.Group(body);
      }
      case "break" -> {
        endOfTag();
        yield new Node.Break(t.line());
      }
      case "continue" -> {
        endOfTag();
        yield new Node.Continue(t.line());
      }
      default -> throw TemplateException.at(t.line(), "unknown tag '" + t.text() + "'");
    };
  }

  private Node ifStatement() {
    List<Expr> tests = new ArrayList<>();
    List<List<Node>> bodies = new ArrayList<>();
    List<Node> otherwise = List.of();
    tests.add(tuple(false, false, Set.of(), false));
    endOfTag();
    while (true) {
      bodies.add(subparse(Set.of("elif", "else", "endif")));
      String end = current().text();
      pos++;
      if (end.equals("elif")) {
        tests.add(tuple(false, false, Set.of(), false));
        endOfTag();
      } else if (end.equals("else")) {
        endOfTag();
        otherwise = subparse(Set.of("endif"));
        endTag();
        break;
      } else {
        endOfTag();
        break;
      }
    }
    return new Node.If(tests, bodies, otherwise);
  }

  private Node forStatement(int line) {
    Node.Target target = assignTarget(Set.of("in"), false);
    expectName("in");
    Expr iterable = tuple(false, false, Set.of("recursive"), false);
    Expr filter = null;
    if (skipName("if")) {
      filter = expression(true);
    }
    boolean recursive = skipName("recursive");
    endOfTag();
    List<Node> body = subparse(Set.of("endfor", "else"));
    List<Node> otherwise = List.of();
    if (current().text().equals("else")) {
      pos++;
      endOfTag();
      otherwise = subparse(Set.of("endfor"));
    }
    endTag();
    return new Node.For(target, iterable, filter, body, otherwise, recursive, line);
  }

  private Node setStatement(int line) {
    Node.Target target = assignTarget(Set.of(), true);
    if (current().isOp("=")) {
      pos++;
      Expr value = tuple(false, true, Set.of(), false);
      endOfTag();
      return new Node.Set(target, value, line);
    }
    if (target.unpack() || target.namespaceAttribute() != null) {
      throw error("a block set assigns one name");
    }
    Expr filter = null;
    if (current().isOp("|")) {
      pos++;
      filter = filterChain(null);
    }
    endOfTag();
    List<Node> body = subparse(Set.of("endset"));
    endTag();
    return new Node.SetBlock(target.names().get(0), body, filter);
  }

  private Node macro(int line) {
    String name = expectKind(Kind.NAME).text();
    List<String> params = new ArrayList<>();
    List<Expr> defaults = new ArrayList<>();
    signature(params, defaults);
    endOfTag();
    List<Node> body = subparse(Set.of("endmacro"));
    endTag();
    return new Node.Macro(name, params, defaults, body, line);
  }

  private Node callBlock(int line) {
    List<String> params = new ArrayList<>();
    if (current().isOp("(")) {
      signature(params, new ArrayList<>());
    }
    Expr call = expression(true);
    if (!(call instanceof Expr.Call c)) {
      throw error("expected a call after 'call'");
    }
    endOfTag();
    List<Node> body = subparse(Set.of("endcall"));
    endTag();
    return new Node.CallBlock(c, params, body, line);
  }

  private Node filterBlock() {
    Expr filter = filterChain(null);
    endOfTag();
    List<Node> body = subparse(Set.of("endfilter"));
    endTag();
    return new Node.FilterBlock(filter, body);
  }

  private Node withBlock() {
    List<String> names = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    while (current().kind() != Kind.BLOCK_END) {
      if (!names.isEmpty()) {
        expectOp(",");
      }
      names.add(expectKind(Kind.NAME).text());
      expectOp("=");
      values.add(expression(true));
    }
    endOfTag();
    List<Node> body = subparse(Set.of("endwith"));
    endTag();
    return new Node.With(names, values, body);
  }

  /** {@code (a, b=default, ...)} of a macro or call block. */
  private void signature(List<String> params, List<Expr> defaults) {
    expectOp("(");
    while (!current().isOp(")")) {
      if (!params.isEmpty()) {
        expectOp(",");
      }
      params.add(expectKind(Kind.NAME).text());
      if (current().isOp("=")) {
        pos++;
        defaults.add(expression(true));
      } else if (!defaults.isEmpty()) {
        throw error("non-default argument follows default argument");
      }
    }
    pos++;
  }

  /** The target of {@code set} or {@code for}: a name, names separated by commas, or {@code ns.attr}. */
  private Node.Target assignTarget(Set<String> extraEnds, boolean withNamespace) {
    if (withNamespace && current().kind() == Kind.NAME && peek(1).isOp(".")) {
      String ns = current().text();
      pos += 2;
      String attr = expectKind(Kind.NAME).text();
      return new Node.Target(List.of(ns), attr, false);
    }
    Expr target = tuple(true, false, extraEnds, false);
    if (target instanceof Expr.Name n) {
      return Node.Target.name(n.name());
    }
    if (target instanceof Expr.TupleExpr t) {
      List<String> names = new ArrayList<>();
      for (Expr e : t.items()) {
        if (!(e instanceof Expr.Name n)) {
          throw TemplateException.at(e.line(), "cannot assign to " + e.getClass().getSimpleName());
        }
        names.add(n.name());
      }
      return new Node.Target(names, null, true);
    }
    throw TemplateException.at(target.line(), "cannot assign to this expression");
  }

  // ---------------------------------------------------------------- expressions

  /**
   * Expressions separated by commas: one expression, or a tuple. {@code simplified} parses primaries only
   * (assignment targets).
   */
  private Expr tuple(boolean simplified, boolean withConditional, Set<String> extraEnds, boolean explicitParens) {
    int line = current().line();
    List<Expr> items = new ArrayList<>();
    boolean isTuple = false;
    while (true) {
      if (!items.isEmpty()) {
        expectOp(",");
      }
      if (tupleEnd(extraEnds)) {
        break;
      }
      items.add(simplified ? primary() : expression(withConditional));
      if (current().isOp(",")) {
        isTuple = true;
      } else {
        break;
      }
    }
    if (!isTuple) {
      if (!items.isEmpty()) {
        return items.get(0);
      }
      if (!explicitParens) {
        throw error("expected an expression, got '" + current().text() + "'");
      }
    }
    return new Expr.TupleExpr(items, line);
  }

  private boolean tupleEnd(Set<String> extraEnds) {
    Token t = current();
    return t.kind() == Kind.VARIABLE_END || t.kind() == Kind.BLOCK_END || t.isOp(")")
        || t.kind() == Kind.NAME && extraEnds.contains(t.text());
  }

  private Expr expression(boolean withConditional) {
    return withConditional ? conditional() : or();
  }

  private Expr conditional() {
    Expr expr = or();
    while (current().isName("if")) {
      int line = current().line();
      pos++;
      Expr test = or();
      Expr otherwise = skipName("else") ? conditional() : null;
      expr = new Expr.Conditional(test, expr, otherwise, line);
    }
    return expr;
  }

  private Expr or() {
    Expr left = and();
    while (current().isName("or")) {
      int line = current().line();
      pos++;
      left = new Expr.Binary("or", left, and(), line);
    }
    return left;
  }

  private Expr and() {
    Expr left = not();
    while (current().isName("and")) {
      int line = current().line();
      pos++;
      left = new Expr.Binary("and", left, not(), line);
    }
    return left;
  }

  private Expr not() {
    if (current().isName("not")) {
      int line = current().line();
      pos++;
      return new Expr.Unary("not", not(), line);
    }
    return compare();
  }

  private Expr compare() {
    int line = current().line();
    Expr first = math1();
    List<String> ops = new ArrayList<>();
    List<Expr> rest = new ArrayList<>();
    while (true) {
      Token t = current();
      if (t.kind() == Kind.OPERATOR && COMPARE.contains(t.text())) {
        pos++;
        ops.add(t.text());
      } else if (t.isName("in")) {
        pos++;
        ops.add("in");
      } else if (t.isName("not") && peek(1).isName("in")) {
        pos += 2;
        ops.add("not in");
      } else {
        break;
      }
      rest.add(math1());
    }
    return ops.isEmpty() ? first : new Expr.Compare(first, ops, rest, line);
  }

  private Expr math1() {
    Expr left = concat();
    while (current().isOp("+") || current().isOp("-")) {
      Token op = current();
      pos++;
      left = new Expr.Binary(op.text(), left, concat(), op.line());
    }
    return left;
  }

  private Expr concat() {
    Expr left = math2();
    while (current().isOp("~")) {
      int line = current().line();
      pos++;
      left = new Expr.Binary("~", left, math2(), line);
    }
    return left;
  }

  private Expr math2() {
    Expr left = pow();
    while (current().isOp("*") || current().isOp("/") || current().isOp("//") || current().isOp("%")) {
      Token op = current();
      pos++;
      left = new Expr.Binary(op.text(), left, pow(), op.line());
    }
    return left;
  }

  private Expr pow() {
    Expr left = unary(true);
    while (current().isOp("**")) {
      int line = current().line();
      pos++;
      left = new Expr.Binary("**", left, unary(true), line);
    }
    return left;
  }

  private Expr unary(boolean withFilter) {
    Token t = current();
    Expr node;
    if (t.isOp("-") || t.isOp("+")) {
      pos++;
      node = new Expr.Unary(t.text(), unary(false), t.line());
    } else {
      node = primary();
    }
    node = postfix(node);
    return withFilter ? filterExpression(node) : node;
  }

  private Expr primary() {
    Token t = current();
    switch (t.kind()) {
      case NAME -> {
        pos++;
        return switch (t.text()) {
          case "true", "True" -> new Expr.Literal(Boolean.TRUE, t.line());
          case "false", "False" -> new Expr.Literal(Boolean.FALSE, t.line());
          case "none", "None" -> new Expr.Literal(null, t.line());
          default -> new Expr.Name(t.text(), t.line());
        };
      }
      case STRING -> {
        StringBuilder s = new StringBuilder(t.text());
        pos++;
        while (current().kind() == Kind.STRING) { // adjacent literals concatenate
          s.append(current().text());
          pos++;
        }
        return new Expr.Literal(s.toString(), t.line());
      }
      case INTEGER -> {
        pos++;
        return new Expr.Literal(Long.parseLong(t.text()), t.line());
      }
      case FLOAT -> {
        pos++;
        return new Expr.Literal(Double.parseDouble(t.text()), t.line());
      }
      case OPERATOR -> {
        if (t.isOp("(")) {
          pos++;
          Expr inner = tuple(false, true, Set.of(), true);
          expectOp(")");
          return inner;
        }
        if (t.isOp("[")) {
          return list();
        }
        if (t.isOp("{")) {
          return dict();
        }
        throw error("unexpected '" + t.text() + "'");
      }
      default -> throw error("unexpected " + (t.kind() == Kind.EOF ? "end of template" : "'" + t.text() + "'"));
    }
  }

  private Expr list() {
    int line = expectOp("[").line();
    List<Expr> items = new ArrayList<>();
    while (!current().isOp("]")) {
      if (!items.isEmpty()) {
        expectOp(",");
        if (current().isOp("]")) {
          break;
        }
      }
      items.add(expression(true));
    }
    pos++;
    return new Expr.ListExpr(items, line);
  }

  private Expr dict() {
    int line = expectOp("{").line();
    List<Expr> keys = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    while (!current().isOp("}")) {
      if (!keys.isEmpty()) {
        expectOp(",");
        if (current().isOp("}")) {
          break;
        }
      }
      keys.add(expression(true));
      expectOp(":");
      values.add(expression(true));
    }
    pos++;
    return new Expr.DictExpr(keys, values, line);
  }

  private Expr postfix(Expr node) {
    while (true) {
      Token t = current();
      if (t.isOp(".")) {
        pos++;
        Token attr = current();
        if (attr.kind() == Kind.NAME) {
          pos++;
          node = new Expr.GetAttr(node, attr.text(), attr.line());
        } else if (attr.kind() == Kind.INTEGER) {
          pos++;
          node = new Expr.GetItem(node, new Expr.Literal(Long.parseLong(attr.text()), attr.line()), attr.line());
        } else {
          throw error("expected an attribute name after '.'");
        }
      } else if (t.isOp("[")) {
        pos++;
        List<Expr> keys = new ArrayList<>();
        while (!current().isOp("]")) {
          if (!keys.isEmpty()) {
            expectOp(",");
          }
          keys.add(subscribed());
        }
        pos++;
        Expr key = keys.size() == 1 ? keys.get(0) : new Expr.TupleExpr(keys, t.line());
        node = new Expr.GetItem(node, key, t.line());
      } else if (t.isOp("(")) {
        node = new Expr.Call(node, callArgs(), t.line());
      } else {
        return node;
      }
    }
  }

  private Expr subscribed() {
    int line = current().line();
    Expr start = null;
    if (!current().isOp(":")) {
      start = expression(true);
      if (!current().isOp(":")) {
        return start;
      }
    }
    pos++; // ':'
    Expr stop = current().isOp("]") || current().isOp(",") || current().isOp(":") ? null : expression(true);
    Expr step = null;
    if (current().isOp(":")) {
      pos++;
      step = current().isOp("]") || current().isOp(",") ? null : expression(true);
    }
    return new Expr.Slice(start, stop, step, line);
  }

  private Args callArgs() {
    expectOp("(");
    List<Expr> positional = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Expr> named = new ArrayList<>();
    Expr spread = null;
    Expr spreadNamed = null;
    boolean first = true;
    while (!current().isOp(")")) {
      if (!first) {
        expectOp(",");
        if (current().isOp(")")) {
          break;
        }
      }
      first = false;
      if (current().isOp("*")) {
        pos++;
        spread = expression(true);
      } else if (current().isOp("**")) {
        pos++;
        spreadNamed = expression(true);
      } else if (current().kind() == Kind.NAME && peek(1).isOp("=")) {
        names.add(current().text());
        pos += 2;
        named.add(expression(true));
      } else {
        if (!names.isEmpty()) {
          throw error("positional argument after a keyword argument");
        }
        positional.add(expression(true));
      }
    }
    pos++;
    return new Args(positional, names, named, spread, spreadNamed);
  }

  private Expr filterExpression(Expr node) {
    while (true) {
      Token t = current();
      if (t.isOp("|")) {
        node = filterChain(node);
      } else if (t.isName("is")) {
        node = test(node);
      } else if (t.isOp("(")) {
        node = new Expr.Call(node, callArgs(), t.line());
      } else {
        return node;
      }
    }
  }

  /** One or more {@code | name(args)} applied to {@code node} (null: the input of a filter block). */
  private Expr filterChain(Expr node) {
    boolean first = node == null;
    while (current().isOp("|") || first) {
      if (!first) {
        pos++;
      }
      first = false;
      Token name = expectKind(Kind.NAME);
      StringBuilder full = new StringBuilder(name.text());
      while (current().isOp(".") && peek(1).kind() == Kind.NAME) {
        full.append('.').append(peek(1).text());
        pos += 2;
      }
      Args args = current().isOp("(") ? callArgs() : Args.NONE;
      node = new Expr.Filter(node, full.toString(), args, name.line());
    }
    return node;
  }

  private Expr test(Expr node) {
    int line = current().line();
    pos++; // 'is'
    boolean negated = skipName("not");
    String name = expectKind(Kind.NAME).text();
    while (current().isOp(".") && peek(1).kind() == Kind.NAME) {
      name += "." + peek(1).text();
      pos += 2;
    }
    Args args = Args.NONE;
    Token t = current();
    if (t.isOp("(")) {
      args = callArgs();
    } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER || t.kind() == Kind.FLOAT
        || t.isOp("(") || t.isOp("[") || t.isOp("{")) && !(t.isName("else") || t.isName("or") || t.isName("and"))) {
      if (t.isName("is")) {
        throw error("you cannot chain multiple tests with 'is'");
      }
      Expr arg = postfix(primary());
      args = new Args(List.of(arg), List.of(), List.of());
    }
    return new Expr.Test(node, name, args, negated, line);
  }

  // ---------------------------------------------------------------- tokens

  private Token current() {
    return tokens.get(pos);
  }

  private Token peek(int ahead) {
    return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
  }

  private boolean skipName(String name) {
    if (current().isName(name)) {
      pos++;
      return true;
    }
    return false;
  }

  private void expectName(String name) {
    if (!skipName(name)) {
      throw error("expected '" + name + "', got '" + current().text() + "'");
    }
  }

  private Token expectOp(String op) {
    Token t = current();
    if (!t.isOp(op)) {
      throw error("expected '" + op + "', got " + (t.kind() == Kind.EOF ? "end of template" : "'" + t.text() + "'"));
    }
    pos++;
    return t;
  }

  private Token expectKind(Kind kind) {
    Token t = current();
    if (t.kind() != kind) {
      throw error("expected " + kind.name().toLowerCase() + ", got '" + t.text() + "'");
    }
    pos++;
    return t;
  }

  private void expect(Kind kind, String what) {
    if (current().kind() != kind) {
      throw error("expected '" + what + "', got '" + current().text() + "'");
    }
    pos++;
  }

  private void endOfTag() {
    expect(Kind.BLOCK_END, "%}");
  }

  /** Consumes an end tag's name ({@code endif}, ...) and its {@code %}}. */
  private void endTag() {
    pos++;
    endOfTag();
  }

  private TemplateException error(String message) {
    return TemplateException.at(current().line(), message);
  }
}
