package dev.asyncrl.model.jinja;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A Jinja template with the semantics of Python's Jinja2 as Hugging Face transformers sets it up for chat
 * templates ({@code trim_blocks}, {@code lstrip_blocks}, the loop controls and {@code {% generation %}},
 * an immutable sandbox, {@code tojson} as {@code json.dumps}). Values are rendered with Python's rules
 * ({@code None}, {@code True}, floats, {@code repr} of lists and dicts), so a render equals the one Python
 * makes. The values passed in are data: nothing in them is ever parsed as template code.
 *
 * <p>Why not an existing Java engine: they follow Java or their own conventions (operator precedence, string
 * methods, slices, whitespace control), and every difference changes the tokens a model is trained on.
 */
public final class Template {

  private final List<Node> body;

  private Template(List<Node> body) {
    this.body = body;
  }

  /** @throws TemplateException for a syntax error, with its line */
  public static Template parse(String source) {
    return new Template(Parser.parse(Lexer.tokenize(source)));
  }

  /**
   * Renders with {@code variables} (Java maps, lists, strings, numbers, booleans and nulls) and
   * {@code functions}, global callables taking positional arguments (e.g. {@code strftime_now}).
   * {@code raise_exception(message)} is always available and fails the render with {@link TemplateException#raised()}.
   *
   * @throws TemplateException when the template fails, with its line
   */
  public String render(Map<String, ?> variables, Map<String, Function<List<Object>, Object>> functions) {
    Map<String, Object> globals = new HashMap<>();
    globals.put("range", (PyCallable) (args, kwargs, line) -> Builtins.range(args, line));
    globals.put("dict", (PyCallable) (args, kwargs, line) -> {
      Map<Object, Object> out = new LinkedHashMap<>();
      if (!args.isEmpty() && args.get(0) instanceof Map<?, ?> m) {
        out.putAll(m);
      }
      out.putAll(kwargs);
      return out;
    });
    globals.put("namespace", (PyCallable) (args, kwargs, line) -> {
      Namespace ns = new Namespace();
      if (!args.isEmpty() && args.get(0) instanceof Map<?, ?> m) {
        m.forEach((k, v) -> ns.attributes.put(Py.str(k), v));
      }
      ns.attributes.putAll(kwargs);
      return ns;
    });
    globals.put("raise_exception", (PyCallable) (args, kwargs, line) -> {
      throw new TemplateException(args.isEmpty() ? "" : Py.str(args.get(0)), line, true);
    });
    functions.forEach((name, f) -> globals.put(name, (PyCallable) (args, kwargs, line) -> Py.wrap(f.apply(args))));
    variables.forEach((k, v) -> globals.put(k, Py.wrap(v)));
    return new Interpreter(globals).render(body);
  }
}
