package dev.asyncrl.model.jinja;

import java.util.List;

/** A statement of a parsed template. */
sealed interface Node {

  record Text(String text) implements Node {}

  record Print(Expr value) implements Node {}

  /** {@code if} / {@code elif} tests with their bodies, then the {@code else} body (possibly empty). */
  record If(List<Expr> tests, List<List<Node>> bodies, List<Node> otherwise) implements Node {}

  /** {@code for target in iterable [if filter]}; {@code otherwise} runs when nothing was iterated. */
  record For(Target target, Expr iterable, Expr filter, List<Node> body, List<Node> otherwise, boolean recursive,
      int line) implements Node {}

  /** {@code set target = value}. */
  record Set(Target target, Expr value, int line) implements Node {}

  /** {@code set name}...{@code endset}: the rendered body, optionally through filters. */
  record SetBlock(String name, List<Node> body, Expr filter) implements Node {}

  record Macro(String name, List<String> params, List<Expr> defaults, List<Node> body, int line) implements Node {}

  /** {@code call(args) macro(...)}...{@code endcall}: the body becomes {@code caller()} inside the macro. */
  record CallBlock(Expr.Call call, List<String> params, List<Node> body, int line) implements Node {}

  /** {@code filter f}...{@code endfilter}: the rendered body through {@code filter} (a chain whose innermost value is null). */
  record FilterBlock(Expr filter, List<Node> body) implements Node {}

  /** {@code with a = x, b = y}...{@code endwith}: a scope. */
  record With(List<String> names, List<Expr> values, List<Node> body) implements Node {}

  /** Statements rendered in place, e.g. the body of {@code {% generation %}}. */
  record Group(List<Node> body) implements Node {}

  record Break(int line) implements Node {}

  record Continue(int line) implements Node {}

  /**
   * What a {@code set} or {@code for} assigns to: one name, several names (tuple unpacking), or an attribute of
   * a namespace ({@code ns.count}).
   */
  record Target(List<String> names, String namespaceAttribute, boolean unpack) {
    static Target name(String n) {
      return new Target(List.of(n), null, false);
    }
  }
}
