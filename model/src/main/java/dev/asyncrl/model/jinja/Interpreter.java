package dev.asyncrl.model.jinja;

import dev.asyncrl.model.jinja.Expr.Args;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders parsed statements with Jinja2's scoping: {@code set} writes to the innermost scope; every
 * {@code for} iteration and every macro call gets a fresh scope (so values set in a loop do not survive
 * it, except through a {@code namespace}); {@code if} opens none.
 */
final class Interpreter {

  /** How a run of statements ended. */
  private enum Flow { NORMAL, BREAK, CONTINUE }

  /** Names visible at one level, with the enclosing level as parent. */
  private static final class Scope {
    final Scope parent;
    final Map<String, Object> names = new HashMap<>();

    Scope(Scope parent) {
      this.parent = parent;
    }

    Object lookup(String name) {
      for (Scope s = this; s != null; s = s.parent) {
        if (s.names.containsKey(name)) {
          return s.names.get(name);
        }
      }
      return new Undefined("'" + name + "' is undefined");
    }
  }

  private final Scope root;

  Interpreter(Map<String, Object> globals) {
    root = new Scope(null);
    root.names.putAll(globals);
  }

  String render(List<Node> body) {
    StringBuilder out = new StringBuilder();
    run(body, root, out);
    return out.toString();
  }

  private Flow run(List<Node> body, Scope scope, StringBuilder out) {
    for (Node node : body) {
      Flow flow = run(node, scope, out);
      if (flow != Flow.NORMAL) {
        return flow;
      }
    }
    return Flow.NORMAL;
  }

  private Flow run(Node node, Scope scope, StringBuilder out) {
    if (node instanceof Node.Text t) {
      out.append(t.text());
    } else if (node instanceof Node.Print p) {
      out.append(Py.str(eval(p.value(), scope)));
    } else if (node instanceof Node.If i) {
      for (int k = 0; k < i.tests().size(); k++) {
        if (Py.truthy(eval(i.tests().get(k), scope))) {
          return run(i.bodies().get(k), scope, out);
        }
      }
      return run(i.otherwise(), scope, out);
    } else if (node instanceof Node.For f) {
      forLoop(f, scope, out);
    } else if (node instanceof Node.Set s) {
      assign(s.target(), eval(s.value(), scope), scope, s.line());
    } else if (node instanceof Node.SetBlock s) {
      StringBuilder body = new StringBuilder();
      run(s.body(), scope, body);
      Object value = body.toString();
      if (s.filter() != null) {
        value = applyFilterChain(s.filter(), value, scope);
      }
      scope.names.put(s.name(), value);
    } else if (node instanceof Node.Macro m) {
      scope.names.put(m.name(), macro(m, null));
    } else if (node instanceof Node.CallBlock c) {
      PyCallable caller = macro(new Node.Macro("caller", c.params(), List.of(), c.body(), c.line()), scope);
      Object fn = eval(c.call().fn(), scope);
      List<Object> args = new ArrayList<>();
      Map<String, Object> kwargs = new LinkedHashMap<>();
      arguments(c.call().args(), scope, args, kwargs);
      kwargs.put("caller", caller);
      out.append(Py.str(call(fn, args, kwargs, c.line())));
    } else if (node instanceof Node.FilterBlock f) {
      StringBuilder body = new StringBuilder();
      run(f.body(), scope, body);
      out.append(Py.str(applyFilterChain(f.filter(), body.toString(), scope)));
    } else if (node instanceof Node.With w) {
      Scope inner = new Scope(scope);
      for (int k = 0; k < w.names().size(); k++) {
        inner.names.put(w.names().get(k), eval(w.values().get(k), scope));
      }
      return run(w.body(), inner, out);
    } else if (node instanceof Node.Group g) {
      return run(g.body(), scope, out);
    } else if (node instanceof Node.Break) {
      return Flow.BREAK;
    } else if (node instanceof Node.Continue) {
      return Flow.CONTINUE;
    }
    return Flow.NORMAL;
  }

  private void forLoop(Node.For f, Scope scope, StringBuilder out) {
    if (f.recursive()) {
      throw TemplateException.at(f.line(), "recursive loops are not supported");
    }
    List<Object> items = Py.iterate(eval(f.iterable(), scope), f.line());
    if (f.filter() != null) {
      List<Object> kept = new ArrayList<>();
      for (Object item : items) {
        Scope probe = new Scope(scope);
        assign(f.target(), item, probe, f.line());
        if (Py.truthy(eval(f.filter(), probe))) {
          kept.add(item);
        }
      }
      items = kept;
    }
    if (items.isEmpty()) {
      run(f.otherwise(), scope, out);
      return;
    }
    Object outerLoop = scope.lookup("loop");
    for (int i = 0; i < items.size(); i++) {
      Scope iteration = new Scope(scope);
      assign(f.target(), items.get(i), iteration, f.line());
      iteration.names.put("loop", new LoopState(items, i, outerLoop));
      if (run(f.body(), iteration, out) == Flow.BREAK) {
        break;
      }
    }
  }

  private void assign(Node.Target target, Object value, Scope scope, int line) {
    if (target.namespaceAttribute() != null) {
      Object ns = scope.lookup(target.names().get(0));
      if (!(ns instanceof Namespace n)) {
        throw TemplateException.at(line, "cannot assign attribute on non-namespace object");
      }
      n.attributes.put(target.namespaceAttribute(), value);
      return;
    }
    if (!target.unpack()) {
      scope.names.put(target.names().get(0), value);
      return;
    }
    List<Object> values = Py.iterate(value, line);
    if (values.size() != target.names().size()) {
      throw TemplateException.at(line, "ValueError: " + (values.size() > target.names().size() ? "too many" : "not enough")
          + " values to unpack (expected " + target.names().size() + ", got " + values.size() + ")");
    }
    for (int i = 0; i < values.size(); i++) {
      scope.names.put(target.names().get(i), values.get(i));
    }
  }

  /** A macro as a callable; {@code closure} null = names resolve in the template's top scope at call time. */
  private PyCallable macro(Node.Macro m, Scope closure) {
    return (args, kwargs, line) -> {
      Scope frame = new Scope(closure == null ? root : closure);
      Map<String, Object> extra = new LinkedHashMap<>(kwargs);
      int defaultsFrom = m.params().size() - m.defaults().size();
      for (int i = 0; i < m.params().size(); i++) {
        String p = m.params().get(i);
        Object v;
        if (i < args.size()) {
          v = args.get(i);
        } else if (extra.containsKey(p)) {
          v = extra.remove(p);
        } else if (i >= defaultsFrom) {
          v = eval(m.defaults().get(i - defaultsFrom), frame);
        } else {
          v = new Undefined("parameter '" + p + "' was not provided");
        }
        frame.names.put(p, v);
      }
      frame.names.put("varargs", new PyTuple(args.size() > m.params().size()
          ? args.subList(m.params().size(), args.size()) : List.of()));
      if (extra.containsKey("caller")) {
        frame.names.put("caller", extra.remove("caller"));
      }
      frame.names.put("kwargs", new LinkedHashMap<Object, Object>(extra));
      StringBuilder body = new StringBuilder();
      run(m.body(), frame, body);
      return body.toString();
    };
  }

  // ---------------------------------------------------------------- expressions

  private Object eval(Expr e, Scope scope) {
    if (e instanceof Expr.Literal l) {
      return l.value();
    }
    if (e instanceof Expr.Name n) {
      return scope.lookup(n.name());
    }
    if (e instanceof Expr.ListExpr l) {
      List<Object> out = new ArrayList<>();
      l.items().forEach(i -> out.add(eval(i, scope)));
      return out;
    }
    if (e instanceof Expr.TupleExpr t) {
      List<Object> out = new ArrayList<>();
      t.items().forEach(i -> out.add(eval(i, scope)));
      return new PyTuple(out);
    }
    if (e instanceof Expr.DictExpr d) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (int i = 0; i < d.keys().size(); i++) {
        out.put(eval(d.keys().get(i), scope), eval(d.values().get(i), scope));
      }
      return out;
    }
    if (e instanceof Expr.GetAttr g) {
      return Attributes.getattr(eval(g.obj(), scope), g.name(), g.line());
    }
    if (e instanceof Expr.GetItem g) {
      Object obj = eval(g.obj(), scope);
      Object key = g.key() instanceof Expr.Slice s
          ? new Attributes.Slice(part(s.start(), scope), part(s.stop(), scope), part(s.step(), scope))
          : eval(g.key(), scope);
      return Attributes.getitem(obj, key, g.line());
    }
    if (e instanceof Expr.Call c) {
      Object fn = eval(c.fn(), scope);
      List<Object> args = new ArrayList<>();
      Map<String, Object> kwargs = new LinkedHashMap<>();
      arguments(c.args(), scope, args, kwargs);
      return call(fn, args, kwargs, c.line());
    }
    if (e instanceof Expr.Filter f) {
      return applyFilter(f, eval(f.value(), scope), scope);
    }
    if (e instanceof Expr.Test t) {
      Object value = eval(t.value(), scope);
      List<Object> args = new ArrayList<>();
      Map<String, Object> kwargs = new LinkedHashMap<>();
      arguments(t.args(), scope, args, kwargs);
      boolean result = Builtins.test(t.name(), t.line()).test(value, new Arguments(t.name(), args, kwargs, t.line()));
      return result != t.negated();
    }
    if (e instanceof Expr.Unary u) {
      return unary(u, eval(u.operand(), scope));
    }
    if (e instanceof Expr.Binary b) {
      return binary(b, scope);
    }
    if (e instanceof Expr.Compare c) {
      Object left = eval(c.first(), scope);
      for (int i = 0; i < c.ops().size(); i++) {
        Object right = eval(c.rest().get(i), scope);
        if (!compare(c.ops().get(i), left, right, c.line())) {
          return false;
        }
        left = right;
      }
      return true;
    }
    if (e instanceof Expr.Conditional c) {
      if (Py.truthy(eval(c.test(), scope))) {
        return eval(c.then(), scope);
      }
      return c.otherwise() == null ? new Undefined("the inline if-expression evaluated to false and no else "
          + "section was defined.") : eval(c.otherwise(), scope);
    }
    throw TemplateException.at(e.line(), "a slice is only valid inside []");
  }

  private static Object unary(Expr.Unary u, Object v) {
    if (u.op().equals("not")) {
      return !Py.truthy(v);
    }
    if (v instanceof Undefined undefined) {
      throw undefined.fail(u.line());
    }
    if (!Py.isNumber(v)) {
      throw TemplateException.at(u.line(), "TypeError: bad operand type for unary " + u.op() + ": '"
          + Py.typeName(v) + "'");
    }
    if (u.op().equals("+")) {
      return v instanceof Boolean b ? (Object) (b ? 1L : 0L) : v;
    }
    return v instanceof Double d ? (Object) (-d) : (Object) (-Py.toLong(v));
  }

  private Object part(Expr e, Scope scope) {
    return e == null ? null : eval(e, scope);
  }

  private Object binary(Expr.Binary b, Scope scope) {
    Object left = eval(b.left(), scope);
    return switch (b.op()) {
      case "and" -> Py.truthy(left) ? eval(b.right(), scope) : left;
      case "or" -> Py.truthy(left) ? left : eval(b.right(), scope);
      case "~" -> Py.str(left) + Py.str(eval(b.right(), scope));
      default -> Py.arithmetic(b.op(), left, eval(b.right(), scope), b.line());
    };
  }

  private static boolean compare(String op, Object a, Object b, int line) {
    return switch (op) {
      case "==" -> Py.eq(a, b);
      case "!=" -> !Py.eq(a, b);
      case "<" -> Py.compare(a, b, line) < 0;
      case "<=" -> Py.compare(a, b, line) <= 0;
      case ">" -> Py.compare(a, b, line) > 0;
      case ">=" -> Py.compare(a, b, line) >= 0;
      case "in" -> Py.contains(b, a, line);
      case "not in" -> !Py.contains(b, a, line);
      default -> throw TemplateException.at(line, "unknown comparison " + op);
    };
  }

  private void arguments(Args args, Scope scope, List<Object> positional, Map<String, Object> keywords) {
    args.positional().forEach(a -> positional.add(eval(a, scope)));
    if (args.spread() != null) {
      positional.addAll(Py.iterate(eval(args.spread(), scope), args.spread().line()));
    }
    for (int i = 0; i < args.names().size(); i++) {
      keywords.put(args.names().get(i), eval(args.named().get(i), scope));
    }
    if (args.spreadNamed() != null && eval(args.spreadNamed(), scope) instanceof Map<?, ?> m) {
      m.forEach((k, v) -> keywords.put(Py.str(k), v));
    }
  }

  private Object applyFilter(Expr.Filter f, Object value, Scope scope) {
    List<Object> args = new ArrayList<>();
    Map<String, Object> kwargs = new LinkedHashMap<>();
    arguments(f.args(), scope, args, kwargs);
    return Builtins.filter(f.name(), f.line()).apply(value, new Arguments(f.name(), args, kwargs, f.line()));
  }

  /** Applies a filter chain whose innermost value is null (a filter block) to {@code input}. */
  private Object applyFilterChain(Expr chain, Object input, Scope scope) {
    Expr.Filter f = (Expr.Filter) chain;
    Object value = f.value() == null ? input : applyFilterChain(f.value(), input, scope);
    return applyFilter(f, value, scope);
  }

  static Object call(Object fn, List<Object> args, Map<String, Object> kwargs, int line) {
    if (fn instanceof PyCallable c) {
      return c.call(args, kwargs, line);
    }
    if (fn instanceof Undefined u) {
      throw u.fail(line);
    }
    throw TemplateException.at(line, "TypeError: '" + Py.typeName(fn) + "' object is not callable");
  }

  /** {@code loop} inside a for loop. */
  private static final class LoopState implements Attributes.HasAttributes {
    private final List<Object> items;
    private final int index;
    private final Object parent;

    LoopState(List<Object> items, int index, Object parent) {
      this.items = items;
      this.index = index;
      this.parent = parent;
    }

    @Override
    public Object attribute(String name) {
      int n = items.size();
      return switch (name) {
        case "index" -> (long) index + 1;
        case "index0" -> (long) index;
        case "revindex" -> (long) (n - index);
        case "revindex0" -> (long) (n - index - 1);
        case "first" -> index == 0;
        case "last" -> index == n - 1;
        case "length" -> (long) n;
        case "depth" -> 1L;
        case "depth0" -> 0L;
        case "previtem" -> index > 0 ? items.get(index - 1) : new Undefined("there is no previous item");
        case "nextitem" -> index < n - 1 ? items.get(index + 1) : new Undefined("there is no next item");
        case "cycle" -> (PyCallable) (args, kwargs, line) -> {
          if (args.isEmpty()) {
            throw TemplateException.at(line, "no items for cycling given");
          }
          return args.get(index % args.size());
        };
        case "changed" -> (PyCallable) (args, kwargs, line) -> index == 0
            || !Py.eq(args, List.of(items.get(index - 1)));
        default -> parent instanceof LoopState && name.equals("parent") ? parent : Attributes.MISSING;
      };
    }
  }
}
