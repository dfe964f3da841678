package dev.asyncrl.model.jinja;

import java.util.List;

/** An expression of the template language, as Jinja2's parser builds it. */
sealed interface Expr {

  int line();

  record Literal(Object value, int line) implements Expr {}

  record Name(String name, int line) implements Expr {}

  record ListExpr(List<Expr> items, int line) implements Expr {}

  record TupleExpr(List<Expr> items, int line) implements Expr {}

  record DictExpr(List<Expr> keys, List<Expr> values, int line) implements Expr {}

  /** {@code obj.name}: the attribute first, then the item (Jinja's getattr). */
  record GetAttr(Expr obj, String name, int line) implements Expr {}

  /** {@code obj[key]}: the item first, then the attribute (Jinja's getitem). */
  record GetItem(Expr obj, Expr key, int line) implements Expr {}

  /** {@code [start:stop:step]} inside a subscript; each part may be null. */
  record Slice(Expr start, Expr stop, Expr step, int line) implements Expr {}

  /**
   * Positional and keyword arguments of a call, a filter or a test; {@code spread} ({@code *xs}) and
   * {@code spreadNamed} ({@code **kw}) may be null.
   */
  record Args(List<Expr> positional, List<String> names, List<Expr> named, Expr spread, Expr spreadNamed) {
    static final Args NONE = new Args(List.of(), List.of(), List.of(), null, null);

    Args(List<Expr> positional, List<String> names, List<Expr> named) {
      this(positional, names, named, null, null);
    }
  }

  record Call(Expr fn, Args args, int line) implements Expr {}

  /** {@code value | name(args)}; {@code value} is null inside a {@code {% filter %}} block's chain. */
  record Filter(Expr value, String name, Args args, int line) implements Expr {}

  record Test(Expr value, String name, Args args, boolean negated, int line) implements Expr {}

  /** {@code not}, unary {@code -} and {@code +}. */
  record Unary(String op, Expr operand, int line) implements Expr {}

  /** {@code and or + - * / // % ** ~}. */
  record Binary(String op, Expr left, Expr right, int line) implements Expr {}

  /** A comparison chain: {@code a < b <= c}, {@code a in b}, {@code a not in b}. */
  record Compare(Expr first, List<String> ops, List<Expr> rest, int line) implements Expr {}

  /** {@code then if test else otherwise}; {@code otherwise} null when the else is omitted (undefined). */
  record Conditional(Expr test, Expr then, Expr otherwise, int line) implements Expr {}
}
