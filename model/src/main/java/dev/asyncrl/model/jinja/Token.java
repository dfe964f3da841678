package dev.asyncrl.model.jinja;

/** One lexical token of a template: raw text, a delimiter, or a piece of an expression. */
record Token(Kind kind, String text, int line) {

  enum Kind {
    /** template text between tags, whitespace control already applied */
    DATA,
    VARIABLE_BEGIN, VARIABLE_END, BLOCK_BEGIN, BLOCK_END,
    NAME, STRING, INTEGER, FLOAT, OPERATOR,
    EOF
  }

  boolean is(Kind k, String t) {
    return kind == k && text.equals(t);
  }

  boolean isName(String name) {
    return is(Kind.NAME, name);
  }

  boolean isOp(String op) {
    return is(Kind.OPERATOR, op);
  }
}
