package dev.asyncrl.rollout.tools;

import dev.asyncrl.rollout.Environment;
import dev.asyncrl.rollout.EnvironmentProvider;
import dev.asyncrl.rollout.TaskParameters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An environment whose model may call tools: a turn that calls one or more ({@link ToolCall}) is answered by
 * their results as a {@code tool} message and the episode goes on; a turn that calls none goes to the wrapped
 * environment as usual (for a single-turn task: it is the answer that is scored). A malformed call, an unknown
 * tool or bad arguments are answered with what is wrong, for the model to read; never a failed episode. Each
 * call counts as a turn against {@code rollout.max_turns}.
 */
public final class ToolUse implements EnvironmentProvider {

  private final EnvironmentProvider inner;
  private final Map<String, Tool> tools = new LinkedHashMap<>();

  public ToolUse(EnvironmentProvider inner, List<Tool> tools) {
    this.inner = inner;
    tools.forEach(t -> this.tools.put(t.name(), t));
  }

  /** The wrapped environment's functions, then these tools, for the chat template. */
  @Override
  public List<Map<String, Object>> tools() {
    List<Map<String, Object>> schemas = new ArrayList<>(inner.tools());
    tools.values().forEach(t -> schemas.add(t.schema()));
    return schemas;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public void configure(TaskParameters params) {
    inner.configure(params);
  }

  @Override
  public void check() throws Exception {
    inner.check();
  }

  @Override
  public void close() {
    inner.close();
  }

  @Override
  public Environment create() {
    Environment env = inner.create();
    return new Environment() {
      @Override
      public String reset(long instance) throws Exception {
        return env.reset(instance);
      }

      @Override
      public Step step(Action action) throws Exception {
        List<ToolCall> calls = ToolCall.parse(action.text());
        if (calls.isEmpty()) {
          return env.step(action);
        }
        List<String> results = new ArrayList<>();
        for (ToolCall call : calls) {
          results.add(run(call));
        }
        return Step.tool(String.join("\n", results));
      }

      @Override
      public void close() throws Exception {
        env.close();
      }
    };
  }

  /** The call's result, or what is wrong with it, as the model reads it. */
  String run(ToolCall call) {
    if (call.problem() != null) {
      return "error: " + call.problem();
    }
    Tool tool = tools.get(call.name());
    if (tool == null) {
      return "error: there is no tool named '" + call.name() + "'; the tools are " + String.join(", ", tools.keySet());
    }
    try {
      return tool.call(call.arguments());
    } catch (IllegalArgumentException e) {
      return "error: " + e.getMessage();
    }
  }

  /** The built-in tools by name; unknown names are an {@link IllegalArgumentException} listing the known. */
  public static List<Tool> builtIn(List<String> names) {
    List<Tool> found = new ArrayList<>();
    for (String name : names) {
      if (!name.equals("calculator")) {
        throw new IllegalArgumentException("no built-in tool named '" + name + "'; known: calculator");
      }
      found.add(new Calculator());
    }
    return found;
  }
}
