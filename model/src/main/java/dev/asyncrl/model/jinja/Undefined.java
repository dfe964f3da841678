package dev.asyncrl.model.jinja;

/**
 * A name or attribute that does not exist (Jinja's default {@code Undefined}): it prints as nothing, is false
 * and empty, and fails only when used further (an attribute, an item, arithmetic, a call).
 *
 * @param hint the error a further use reports, e.g. {@code 'messages' is undefined}
 */
record Undefined(String hint) {

  TemplateException fail(int line) {
    return TemplateException.at(line, "UndefinedError: " + hint);
  }
}
